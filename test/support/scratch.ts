/**
 * Scratch folders for tests and benchmarks: made under the system's temp folder and removed when
 * the test file ends (test/support/cleanup.setup.ts) or when a benchmark calls removeScratch(),
 * so nothing a run made is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `counterpay-${purpose}-`));
  made.add(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
