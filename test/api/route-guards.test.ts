/**
 * Each route's guard (api/http/resource.ts) is both what the server enforces and what
 * /openapi.json says: every operation that names a security scheme refuses a call without a
 * credential (401) and one with the other kind of credential, and every operation that names none
 * answers without one. Routes carry their own body limit: 64 KiB, and 1 MiB for a till's batch.
 */
import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite, tillRequest } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';

type Operation = { method: string; path: string; security?: Array<Record<string, string[]>> };

// Guards do not depend on the database: PGlite alone is enough here.
const pglite = drivers.find((d) => d.name === 'pglite')!;

describe('route guards', () => {
  const suite = harnessPerSuite(pglite);

  const operations = async (): Promise<Operation[]> => {
    const doc = (await (await suite.h.req('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: Operation['security'] }>> };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x'), security: op.security })),
    );
  };

  it('refuses every operation the document secures without its credential, and with the other kind', async () => {
    const { h } = suite;
    const store = (await h.services.network.createStore('Guard Store', undefined, 'EUR'))!.id;
    const till = await TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
    const ops = await operations();
    const secured = ops.filter((op) => op.security?.length);
    expect(secured.map((op) => Object.keys(op.security![0]!)[0]).sort()).toEqual(expect.arrayContaining(['merchantApiKey', 'tillCredential']));
    for (const op of secured) {
      const scheme = Object.keys(op.security![0]!)[0];
      const body = op.method === 'GET' ? undefined : {};
      const none = await h.req(op.method, op.path, body, { key: null });
      expect(none.status, `${op.method} ${op.path} without a credential`).toBe(401);
      const wrong = scheme === 'merchantApiKey' ? till.credential : h.keyA;
      const other = await h.req(op.method, op.path, body, { key: wrong });
      expect(other.status, `${op.method} ${op.path} with the other kind of credential`).toBe(401);
    }
  });

  it('answers every operation the document leaves open without a credential', async () => {
    const open = (await operations()).filter((op) => !op.security?.length);
    expect(open.map((op) => `${op.method} ${op.path}`)).toEqual(expect.arrayContaining(['GET /v1/keys', 'POST /v1/devices', 'POST /v1/voucher-status', 'GET /v1/voucher-links/x']));
    for (const op of open) {
      const res = await suite.h.req(op.method, op.path, op.method === 'GET' ? undefined : {}, { key: null });
      expect(res.status, `${op.method} ${op.path}`).not.toBe(401);
    }
  });

  it("takes a till's batch up to 1 MiB and any other body up to 64 KiB", async () => {
    const { h } = suite;
    const big = JSON.stringify({ collections: ['x'.repeat(200 * 1024)] });
    const batch = await h.req('POST', '/v1/collections', big, { key: null, headers: { authorization: 'Bearer cpd_unknown' } });
    expect(batch.status, 'a 200 KiB batch reaches the guard').toBe(401);
    const voucher = await h.req('POST', '/v1/vouchers', JSON.stringify({ description: 'x'.repeat(200 * 1024) }));
    expect(voucher.status).toBe(413);
    const tooBig = await h.req('POST', '/v1/collections', JSON.stringify({ collections: ['x'.repeat(1100 * 1024)] }), { key: null });
    expect(tooBig.status).toBe(413);
  });
});
