/**
 * Request bodies over real HTTP (Node's server and Hono's adapter, as in production): the API
 * judges a body by its framing headers before reading it (api/http/body.ts, api/http/resource.ts),
 * so each kind of framing is tried here: Content-Length, chunked, none, and an empty body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { BODY_LIMIT_BYTES } from '../../api/http/resource.ts';
import { drivers } from '../support/databases.ts';
import { storeSuite, type Harness } from '../support/harness.ts';

const pglite = drivers[0]!;

describe('request bodies over HTTP', () => {
  let h: Harness;
  let server: Server;
  let port: number;
  storeSuite(pglite, 'Bodies Store', (s) => {
    h = s.h;
  });
  beforeAll(async () => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** POST /v1/vouchers with the body in `chunks`, chunked unless `length` says otherwise. */
  const post = (chunks: string[], headers: Record<string, string>) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/v1/vouchers', method: 'POST', agent: false, headers: { authorization: `Bearer ${h.keyA}`, ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
        },
      );
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  const voucher = JSON.stringify({ order_ref: 'B-1', amount: 1_000, currency: 'EUR' });
  const tooLarge = JSON.stringify({ order_ref: 'B-2', amount: 1_000, currency: 'EUR', metadata: { pad: 'x'.repeat(BODY_LIMIT_BYTES) } });

  it('creates a voucher from a body sent with Content-Length, and from the same body chunked', async () => {
    const sized = await post([voucher], { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(voucher)) });
    const chunked = await post([voucher.slice(0, 10), voucher.slice(10)], { 'content-type': 'application/json' });
    expect([sized.status, chunked.status]).toEqual([201, 201]);
    expect([sized.body.order_ref, chunked.body.order_ref]).toEqual(['B-1', 'B-1']);
  });

  it('answers 413 to a body over the limit, by its Content-Length and by counting a chunked one, and creates nothing', async () => {
    const before = await h.countVouchers();
    const sized = await post([tooLarge], { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(tooLarge)) });
    const chunked = await post([tooLarge.slice(0, 1000), tooLarge.slice(1000)], { 'content-type': 'application/json' });
    for (const res of [sized, chunked]) {
      expect(res.status).toBe(413);
      expect(String(res.body.type)).toMatch(/#body-too-large$/);
    }
    expect(await h.countVouchers()).toBe(before);
  });

  it('answers 415 to a body that is not JSON, sized or chunked, and 400 to a JSON write without a body', async () => {
    const sized = await post(['order_ref=B-3'], { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '13' });
    const chunked = await post(['order_ref=', 'B-3'], { 'content-type': 'text/plain' });
    expect([sized.status, chunked.status]).toEqual([415, 415]);
    expect([sized.body.type, chunked.body.type].map((t) => String(t).split('#')[1])).toEqual(['unsupported-media-type', 'unsupported-media-type']);
    const empty = await post([], { 'content-type': 'application/json', 'content-length': '0' });
    expect(empty.status).toBe(400);
  });
});
