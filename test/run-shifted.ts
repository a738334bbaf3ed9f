/**
 * `npm run test:shifted -- DAYS [vitest arguments]`: the whole suite (or the tiers named) with every
 * clock a test relies on moved DAYS days (negative: back). Node processes get the shift through
 * test/support/shifted-clock.mjs on NODE_OPTIONS, Chromium's pages through the browser helpers.
 * Monotonic time stays real. Ends with the same `N passed, N failed` line as `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [days, ...rest] = process.argv.slice(2);
if (!days || !/^-?\d+$/.test(days)) {
  console.error('usage: npm run test:shifted -- DAYS [vitest arguments]   (e.g. -365 or 365)');
  process.exit(2);
}
const preload = fileURLToPath(new URL('./support/shifted-clock.mjs', import.meta.url));
const run = spawnSync('npm', ['test', '--silent', '--', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, COUNTERPAY_CLOCK_SHIFT_DAYS: days, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim() },
});
process.exit(run.status ?? 1);
