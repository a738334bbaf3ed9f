/**
 * Serves the built PWA (dist/) from the API's origin. Hashed assets are cached for a year; the
 * service worker, manifest and HTML are revalidated on every load so that a deploy is picked up
 * whole (the service worker then offers the update; no mix of versions is served).
 * Any other GET outside the API is a route of the single-page app and gets index.html, read from
 * disk each time so that a deploy (a new dist/) is served without a restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env, Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';

const DEFAULT_ROOT = fileURLToPath(new URL('../../dist', import.meta.url));
const API_PATHS = /^\/(v1\/|openapi\.json$|docs(\/|$)|healthz$)/;
/** A path naming a file (`/assets/x.js`, `/icon.png`): if it is missing, that is a 404, never the app's HTML. */
const FILE_PATH = /\/[^/]+\.[a-z0-9]+$/i;

export function serveWebApp<E extends Env>(app: Hono<E>, webRoot = DEFAULT_ROOT) {
  const root = path.relative(process.cwd(), webRoot) || '.';
  app.use('*', async (c, next) => {
    await next();
    const p = c.req.path;
    if (c.res.status !== 200 || API_PATHS.test(p)) return;
    c.res.headers.set('cache-control', p.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  app.get('*', serveStatic({ root }));
  app.get('*', (c) => {
    if (API_PATHS.test(c.req.path) || FILE_PATH.test(c.req.path)) return c.text('Not found', 404);
    const index = path.join(webRoot, 'index.html');
    if (!existsSync(index)) return c.text('The web app is not built yet: run `npm run build` (npm start does it for you).', 503);
    return c.html(readFileSync(index, 'utf8'));
  });
}
