/**
 * Vitest global setup for the tiers that serve the web app (api, browser): builds dist/ once,
 * before any test file runs, if its sources changed. Tests then find it up to date and never build
 * at the same time as one another.
 */
import { ensureBuilt } from '../../web/tools/ensure-built.ts';

export default function setup(): void {
  ensureBuilt();
}
