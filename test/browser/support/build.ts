/**
 * The browser tests and the figures run against what `npm start` would serve: dist/, built by the
 * same check `npm start` uses (web/tools/ensure-built.ts) when its sources changed.
 */
import { ensureBuilt as build } from '../../../web/tools/ensure-built.ts';

export { DIST, ROOT } from '../../../web/tools/ensure-built.ts';

export function ensureBuilt(): void {
  build();
}
