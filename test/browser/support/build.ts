/**
 * Builds the PWA into dist/ when it is missing or older than its sources, so browser tests and
 * the figures run against what `npm start` would serve. Servers and tests never build by themselves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const DIST = join(ROOT, 'dist');
const SOURCES = ['web', 'core', 'public', 'vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function ensureBuilt(): void {
  const stamp = join(DIST, 'sw.js');
  const sources = Math.max(...SOURCES.map((s) => join(ROOT, s)).filter(existsSync).map(newestMtime));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  // vitest sets NODE_ENV=test, which would make Vite build a development bundle (no service worker).
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: ROOT,
    // Build chatter goes to stderr so that bench/web's stdout stays the figures alone.
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
