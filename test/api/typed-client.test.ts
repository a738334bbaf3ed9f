/**
 * The typed client (clients/typescript) and the example shop (examples/shop) against the real
 * server, as a merchant's developer uses them: the committed types are exactly what
 * openapi-typescript makes of the running server's /openapi.json (so the two cannot drift); the
 * package builds; the shop runs end to end in test mode, paid through the test helpers and told
 * by a verified webhook; the webhook helper refuses a forged delivery.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../support/server.ts';
import { TYPES_FILE, typesFor } from '../../clients/typescript/scripts/generate.ts';
import { verifyWebhook, WebhookVerificationError } from '../../clients/typescript/src/index.ts';
import { newWebhookSecret, signWebhook } from '../../api/webhooks/webhook-signature.ts';

const run = promisify(execFile);

describe('the typed client and the example shop against a running server', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer();
  }, 120_000);
  afterAll(async () => server?.stop());

  it("has types that are exactly openapi-typescript's reading of the running server's /openapi.json", async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const committed = readFileSync(TYPES_FILE, 'utf8');
    expect(committed === (await typesFor(await res.json())), 'clients/typescript/src/openapi.ts is stale: run npm run generate -w @counterpay/client').toBe(true);
  });

  it('builds as a package: JavaScript and declarations for every module', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'counterpay-client-'));
    try {
      await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'clients/typescript/tsconfig.json', '--outDir', out], { cwd: ROOT });
      for (const file of ['index.js', 'index.d.ts', 'openapi.d.ts']) expect(existsSync(path.join(out, file)), file).toBe(true);
      const pkg = JSON.parse(readFileSync(path.join(ROOT, 'clients/typescript/package.json'), 'utf8'));
      expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs the example shop end to end in test mode: voucher created, collected by the test till, order paid by a verified voucher.paid', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/shop/run.ts'], {
      cwd: ROOT,
      env: { ...process.env, COUNTERPAY_URL: server.url, COUNTERPAY_KEY: server.testApiKey },
      timeout: 90_000,
    });
    expect(stdout).toMatch(/order ORD-\S+: voucher vch_\S+ created/);
    expect(stdout).toContain('the test till collected it: accepted');
    expect(stdout).toMatch(/order ORD-\S+ is paid \(\d{4}-\d\d-\d\dT[\d:.]+Z\), told by a verified voucher.paid webhook/);
  }, 120_000);

  it('refuses to run the shop with a live key', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'examples/shop/run.ts'], {
      cwd: ROOT,
      env: { ...process.env, COUNTERPAY_URL: server.url, COUNTERPAY_KEY: server.apiKey },
    }).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('test-mode key') });
  }, 60_000);
});

describe('the webhook helper', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'voucher.paid', timestamp: '2026-11-26T12:00:00.000Z', data: { object: { object: 'voucher', id: 'vch_1' } } });
  const headers = (signed: string, at = Math.floor(Date.now() / 1000)) => ({
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(at),
    'webhook-signature': signWebhook(signed, 'evt_1', at, body),
  });

  it("accepts Counterpay's signature and returns the event with its id", () => {
    expect(verifyWebhook(secret, body, headers(secret))).toEqual({ id: 'evt_1', ...JSON.parse(body) });
  });

  it('refuses another secret, a changed body, an old timestamp and a missing header', () => {
    expect(() => verifyWebhook(secret, body, headers(newWebhookSecret()))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, body.replace('vch_1', 'vch_2'), headers(secret))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, body, headers(secret, Math.floor(Date.now() / 1000) - 3600))).toThrow(WebhookVerificationError);
    const { 'webhook-signature': _, ...unsigned } = headers(secret);
    expect(() => verifyWebhook(secret, body, unsigned)).toThrow(/missing webhook-signature/);
  });
});
