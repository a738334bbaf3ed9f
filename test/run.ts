/**
 * `npm test`: every tier (unit, api on PGlite + PostgreSQL when DATABASE_URL is set, browser),
 * then one plain closing line: `N passed, N failed`.
 * Extra arguments go to vitest (`npm test -- --project unit`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const report = `${root}.tmp/vitest-report.json`;
mkdirSync(`${root}.tmp`, { recursive: true });
rmSync(report, { force: true });

const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number; success: boolean };
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  // A suite that failed to load (an import error, a setup hook) counts as a failure too.
  if (!result.success && failed === 0) failed = 1;
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
