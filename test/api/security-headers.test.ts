/**
 * Security headers (api/http/security-headers.ts) on every kind of answer the app gives: the API,
 * its errors, the reference page, the health check and the PWA's files; HSTS only over TLS.
 * Headers do not depend on the database, so PGlite alone is enough here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpsRequest, createServer as createHttpsServer, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openDatabase, type Database } from '../../api/db/client.ts';
import { harness, type Harness } from '../support/harness.ts';
import { scratchDir } from '../support/scratch.ts';
import { DIST } from '../../web/tools/ensure-built.ts';

// Two inline stylesheets are allowed by hash: /docs's and /stores's; scripts may compile WebAssembly
// (the till's QR decoder), and nothing else beyond our own files (api/http/security-headers.ts).
const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'sha256-[A-Za-z0-9+/]{43}=' 'sha256-[A-Za-z0-9+/]{43}='; img-src 'self'; connect-src 'self'; worker-src 'self'; " +
  "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const PERMISSIONS =
  'camera=(self), geolocation=(self), screen-wake-lock=(self), fullscreen=(self), autoplay=(self), microphone=(), display-capture=(), ' +
  'accelerometer=(), gyroscope=(), magnetometer=(), payment=(), usb=(), serial=(), hid=(), midi=(), idle-detection=(), picture-in-picture=(), ' +
  'publickey-credentials-get=(self), xr-spatial-tracking=(), browsing-topics=(), sync-xhr=()';
const HSTS = 'max-age=31536000; includeSubDomains';

/** The headers every answer carries, whatever it is. */
function expectSecurityHeaders(res: { headers: Headers }) {
  const h = res.headers;
  expect(h.get('content-security-policy')).toMatch(new RegExp(`^${CSP.replace(/[()]/g, '\\$&')}$`));
  // 'wasm-unsafe-eval' is not 'unsafe-eval': the quotes are part of the keyword.
  expect(h.get('content-security-policy')).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
  expect(h.get('x-content-type-options')).toBe('nosniff');
  expect(h.get('referrer-policy')).toBe('no-referrer');
  expect(h.get('permissions-policy')).toBe(PERMISSIONS);
  expect(h.get('x-frame-options')).toBe('DENY');
  expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(h.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(h.get('x-powered-by')).toBeNull();
}

describe('security headers', () => {
  let database: Database;
  let h: Harness;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    h = await harness(database);
  });
  afterAll(async () => database?.close());

  describe('on the API (/v1)', () => {
    it('sends them, with no-store, on an answer', async () => {
      const res = await h.req('GET', '/v1/vouchers');
      expect(res.status).toBe(200);
      expectSecurityHeaders(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    });

    it('sends them, with no-store, on a write', async () => {
      const res = await h.req('POST', '/v1/vouchers', { order_ref: 'SEC-1', amount: 1000, currency: 'EUR', items: [{ name: 'Mug', quantity: 1, unit_amount: 1000 }] });
      expect(res.status).toBe(201);
      expectSecurityHeaders(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it.each([
      ['no API key', () => h.req('GET', '/v1/vouchers', undefined, { key: null }), 401],
      ['an unknown endpoint', () => h.req('GET', '/v1/nothing-here'), 404],
      ['a body that is not JSON', () => h.req('POST', '/v1/vouchers', '{', { headers: { 'content-type': 'application/json' } }), 400],
      ['a wrong content type', () => h.req('POST', '/v1/vouchers', 'x', { headers: { 'content-type': 'text/plain' } }), 415],
      ['a failed validation', () => h.req('POST', '/v1/vouchers', { amount: -1 }), 400],
    ])('sends them, with no-store, on an error: %s', async (_name, send, status) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expectSecurityHeaders(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('leaves GET /v1/keys its own public caching: public keys, chosen by the route', async () => {
      const res = await h.req('GET', '/v1/keys', undefined, { key: null });
      expect(res.status).toBe(200);
      expectSecurityHeaders(res);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    });

    it('sends them on /openapi.json', async () => {
      const res = await h.app.request('/openapi.json');
      expect(res.status).toBe(200);
      expectSecurityHeaders(res);
    });
  });

  it('sends them on /docs, whose one inline stylesheet is allowed by its hash and nothing else inline', async () => {
    const res = await h.app.request('/docs');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
    expect(res.headers.get('cache-control')).toBeNull();
    const html = await res.text();
    expect(html).not.toMatch(/<script|\son[a-z]+=|style="/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
    expect(styles).toHaveLength(1);
    expect(res.headers.get('content-security-policy')).toMatch(new RegExp(`style-src 'self'[^;]* ${styles[0]!.replace(/[+/=]/g, (c) => `\\${c}`)}[ ;]`));
  });

  it('sends them on /healthz', async () => {
    const res = await h.app.request('/healthz');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });

  describe('on the PWA', () => {
    beforeAll(() => {
      if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is not built: run `node --import tsx web/tools/ensure-built.ts`');
    });

    it('sends them on the index, which loads no inline script, and keeps its no-cache', async () => {
      for (const path of ['/', '/cashier', '/vouchers/vch_0000000000000']) {
        const res = await h.app.request(path);
        expect(res.status, path).toBe(200);
        expectSecurityHeaders(res);
        expect(res.headers.get('cache-control'), path).toBe('no-cache');
        const html = await res.text();
        const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
        expect(scripts.length, path).toBeGreaterThan(0);
        for (const [, attributes, body] of scripts) {
          expect(attributes).toMatch(/\ssrc="\/assets\/[^"]+\.js"/);
          expect(body!.trim()).toBe('');
        }
        expect(html).not.toMatch(/\son[a-z]+=|style="/i);
      }
    });

    it('sends them on the service worker, the manifest and the hashed assets, whose caching stays as web-app.ts sets it', async () => {
      const asset = readdirSync(join(DIST, 'assets')).find((f) => f.endsWith('.js'))!;
      for (const [path, cache] of [
        ['/sw.js', 'no-cache'],
        ['/manifest.webmanifest', 'no-cache'],
        [`/assets/${asset}`, 'public, max-age=31536000, immutable'],
      ] as const) {
        const res = await h.app.request(path);
        expect(res.status, path).toBe(200);
        expectSecurityHeaders(res);
        expect(res.headers.get('cache-control'), path).toBe(cache);
      }
    });

    it('sends them on a missing file', async () => {
      const res = await h.app.request('/assets/missing-0000.js');
      expect(res.status).toBe(404);
      expectSecurityHeaders(res);
    });
  });

  describe('Strict-Transport-Security', () => {
    it('is sent on answers over https, API errors included', async () => {
      for (const path of ['/healthz', '/docs', '/', '/v1/nothing-here']) {
        const res = await h.app.request(`https://localhost${path}`);
        expect(res.headers.get('strict-transport-security'), path).toBe(HSTS);
        expectSecurityHeaders(res);
      }
    });

    it('is not sent over plain http', async () => {
      for (const path of ['/healthz', '/docs', '/', '/v1/nothing-here']) {
        const res = await h.app.request(`http://localhost${path}`);
        expect(res.headers.get('strict-transport-security'), path).toBeNull();
      }
    });

    const openssl = spawnSync('openssl', ['version']).status === 0;
    describe.skipIf(!openssl)('on the Node server, as api/main.ts starts it', () => {
      let cert: Buffer;
      let key: Buffer;
      const servers: Server[] = [];
      beforeAll(() => {
        const dir = scratchDir('tls');
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:P-256',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
        cert = readFileSync(join(dir, 'cert.pem'));
        key = readFileSync(join(dir, 'key.pem'));
      });
      afterAll(async () => {
        for (const s of servers) await new Promise((resolve) => s.close(resolve));
      });

      async function listen(tls?: { cert: Buffer; key: Buffer }): Promise<number> {
        const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1', ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}) }) as Server;
        servers.push(server);
        await new Promise((resolve) => server.once('listening', resolve));
        return (server.address() as AddressInfo).port;
      }
      const get = (send: typeof httpRequest | typeof httpsRequest, options: RequestOptions) =>
        new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
          const req = send({ ...options, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
          });
          req.on('error', reject);
          req.end();
        });

      it('is sent when the server speaks TLS (TLS_CERT/TLS_KEY)', async () => {
        const port = await listen({ cert, key });
        const res = await get(httpsRequest, { host: '127.0.0.1', port, path: '/healthz', ca: cert });
        expect(res.status).toBe(200);
        expect(res.headers['strict-transport-security']).toBe(HSTS);
        expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'$/);
      });

      it('is not sent over plain HTTP, even for a request that names an https:// URL', async () => {
        const port = await listen();
        for (const path of ['/healthz', `https://127.0.0.1:${port}/healthz`]) {
          const res = await get(httpRequest, { host: '127.0.0.1', port, path });
          expect(res.status, path).toBe(200);
          expect(res.headers['strict-transport-security'], path).toBeUndefined();
          expect(res.headers['x-frame-options'], path).toBe('DENY');
        }
      });
    });
  });
});
