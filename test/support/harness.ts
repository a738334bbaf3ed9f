/** An app over a real database with a fake clock and two merchants, for route tests. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../api/db/client.ts';
import { createServices, type ContextOptions, type Services } from '../../api/context.ts';
import { createApp } from '../../api/app.ts';
import type { Clock } from '../../api/clock.ts';
import type { TillConnection } from './till.ts';
import { decodeVoucherToken, signVoucherToken } from '../../core/token/voucher-token.ts';

export class FakeClock implements Clock {
  constructor(private t = Date.parse('2026-11-26T12:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

export interface Harness {
  services: Services;
  clock: FakeClock;
  app: ReturnType<typeof createApp>;
  keyA: string;
  keyB: string;
  /** Shop A's and Shop B's test-mode keys (`cpk_test_…`). */
  testKeyA: string;
  testKeyB: string;
  merchantA: string;
  /** JSON request helper: `req('POST', '/v1/vouchers', body, { key })`. */
  req(method: string, path: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  countVouchers(): Promise<number>;
}

export const PUBLIC_URL = 'http://localhost:8080';

export async function harness(
  database: Database,
  options: Pick<ContextOptions, 'signingKeySecret' | 'webhookTargets' | 'webhookLookup' | 'mailer' | 'console'> = {},
): Promise<Harness> {
  const clock = new FakeClock();
  const services = await createServices(database, { publicUrl: PUBLIC_URL, clock, ...options });
  await services.keys.ensureCurrent();
  const a = (await services.network.createMerchant('Shop A'))!;
  const b = (await services.network.createMerchant('Shop B'))!;
  const app = createApp(services);
  const req: Harness['req'] = (method, path, body, opts = {}) => {
    const key = opts.key === undefined ? a.api_key : opts.key;
    const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...opts.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, body: payload }));
  };
  const countVouchers = async () => {
    const r = (await database.db.execute(sql`select count(*)::int as n from vouchers`)) as unknown as { rows: Array<{ n: number }> };
    return r.rows[0]!.n;
  };
  return { services, clock, app, keyA: a.api_key, keyB: b.api_key, testKeyA: a.test_api_key, testKeyB: b.test_api_key, merchantA: a.id, req, countVouchers };
}

/** The harness's app as a test till reaches it: no merchant key, explicit headers, the harness's clock. */
export const tillRequest = (h: Harness): TillConnection => ({
  clock: h.clock,
  request: (method, path, body, headers = {}) => h.req(method, path, body, { key: null, headers }),
});

/**
 * A fresh database on `driver`, a harness over it and one store (in EUR) for the enclosing
 * describe: `use` receives them before the first test; the database is closed after the last.
 */
/** The same claims as `token`, signed by the server's current operator key with the test-mode flag set. */
export async function withTestFlag(h: Harness, token: string): Promise<string> {
  const decoded = decodeVoucherToken(token);
  if (!decoded.ok) throw new Error(decoded.detail);
  return signVoucherToken({ ...decoded.claims, test: true }, (await h.services.keys.signer()).sign);
}

export function storeSuite(driver: { open(): Promise<Database> }, storeName: string, use: (suite: { database: Database; h: Harness; store: string }) => void): void {
  let database: Database | undefined;
  beforeAll(async () => {
    database = await driver.open();
    const h = await harness(database);
    use({ database, h, store: (await h.services.network.createStore(storeName))!.id });
  });
  afterAll(async () => database?.close());
}

/**
 * A fresh database on `driver` and a harness over it for the enclosing describe: opened before its
 * tests, closed after. Tests read `suite.h` and `suite.database` (filled in by then).
 */
export function harnessPerSuite(driver: { open(): Promise<Database> }, options: Parameters<typeof harness>[1] = {}): { h: Harness; database: Database } {
  const suite = {} as { h: Harness; database: Database };
  beforeAll(async () => {
    suite.database = await driver.open();
    suite.h = await harness(suite.database, options);
  });
  afterAll(async () => {
    await suite.database?.close();
  });
  return suite;
}
