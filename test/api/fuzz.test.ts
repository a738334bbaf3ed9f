/**
 * Every operation in /openapi.json, walked with random and hostile bodies, path parameters, query
 * strings and headers (fast-check, seeded): no answer is a 5xx, and every error is problem+json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drivers } from '../support/databases.ts';
import { harness, type Harness } from '../support/harness.ts';
import type { Database } from '../../api/db/client.ts';

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\u202Eevil',
    '%00',
    '../../etc/passwd',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    '𝕏'.repeat(300),
    'x'.repeat(70_000),
    '9'.repeat(400),
    '-1',
    '1e309',
    'NaN',
    '{}',
    '[]',
    'null',
    '\uFEFF',
    '\uD800',
  ),
);
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe.each(drivers)('the API under random and hostile input on $name', (driver) => {
  let database: Database;
  let h: Harness;
  let operations: Array<{ method: string; path: string; fields: string[] }> = [];
  beforeAll(async () => {
    database = await driver.open();
    h = await harness(database);
    const doc = (await (await h.req('GET', '/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        fields: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      })),
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  it('answers every operation without a 5xx, and every error as problem+json', async () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            params: fc.array(hostileString, { minLength: 3, maxLength: 3 }),
            query: fc.dictionary(fc.constantFrom('limit', 'starting_after', 'status', 'since', 'format', 'x'), hostileString, { maxKeys: 3 }),
            body: fc.oneof(hostileJson, fc.dictionary(fc.constantFrom(...op.fields, 'extra'), hostileJson, { maxKeys: 6 }), fc.string({ maxLength: 50 })),
            raw: fc.boolean(),
            key: fc.constantFrom('valid', 'none', 'garbage'),
            idempotency: fc.option(hostileString.filter((s) => !/[\r\n\u0000-\u001f\u007f-\uffff]/.test(s))),
          }),
          async ({ params, query, body, raw, key, idempotency }) => {
            let i = 0;
            const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++] ?? ''));
            const qs = new URLSearchParams(query as Record<string, string>).toString();
            const headers: Record<string, string> = {};
            if (idempotency) headers['idempotency-key'] = idempotency;
            const res = await h.req(op.method, `${path}${qs ? `?${qs}` : ''}`, op.method === 'GET' ? undefined : raw ? (JSON.stringify(body) ?? '{').slice(1) : body, {
              key: key === 'valid' ? h.keyA : key === 'garbage' ? 'cpk_garbage' : null,
              headers,
            });
            const text = await res.text();
            expect(res.status, `${op.method} ${path} → ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
            if (res.status >= 400) expect(res.headers.get('content-type'), `${op.method} ${path} → ${res.status}`).toBe('application/problem+json');
          },
        ),
        { seed: 20261201, numRuns: 25 },
      );
    }
  });
});
