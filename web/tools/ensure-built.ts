/**
 * Builds the web app into dist/ unless dist/ was built from exactly the sources there are now.
 * The build writes a fingerprint of its inputs (every file under web/, core/, public/, the Vite
 * config and the lock file, by content, not by time) and of its entry files to .tmp/web-build.stamp; when
 * both still match, nothing is done. `npm start`, the browser tests and the figures all use this, so a start after no change
 * takes no build, and a clock that moved (or a checkout that touched every file) cannot fool it.
 *
 * Run as a script (`node --import tsx web/tools/ensure-built.ts`) or call ensureBuilt().
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');
const INPUTS = ['web', 'core', 'public', 'vite.config.ts', 'package-lock.json'];
// Beside the build, not in it: dist/ is served as it is.
const STAMP = join(ROOT, '.tmp', 'web-build.stamp');

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => files(join(path, entry)));
}

/** A hash over the names and contents of every input file. */
export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => files(join(ROOT, input)))) {
    // Unit tests beside the code do not go into the bundle.
    if (file.endsWith('.test.ts')) continue;
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The entry files of a build, by content: a build edited after the fact is not up to date. */
function outputFingerprint(): string | null {
  const hash = createHash('sha256');
  for (const file of ['index.html', 'sw.js']) {
    const path = join(DIST, file);
    if (!existsSync(path)) return null;
    hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

/** Builds dist/ if its sources changed since the last build; says which it did. */
export function ensureBuilt(): 'built' | 'up to date' {
  const stamp = `${sourceFingerprint()} ${outputFingerprint()}`;
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) return 'up to date';
  // NODE_ENV=production: under vitest (NODE_ENV=test) Vite would build a development bundle
  // without the service worker.
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: ROOT,
    // Build chatter goes to stderr so that bench/web's stdout stays the figures alone.
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${sourceFingerprint()} ${outputFingerprint()}`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const what = ensureBuilt();
  console.error(`[counterpay] web app ${what === 'built' ? `built in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'is up to date (no build needed)'}`);
}
