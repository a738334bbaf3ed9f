/**
 * A voucher created without a transaction goes through the insert prepared once per database
 * (api/merchant-api/vouchers/vouchers.repository.ts); one created inside a transaction (with an
 * Idempotency-Key) through the statement built on it. Both must store the same row: jsonb values
 * as JSON (an array stays an array), an absent customer as SQL NULL, null timestamps as NULL.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../api/db/client.ts';
import { drivers } from '../support/databases.ts';
import { storeSuite, type Harness } from '../support/harness.ts';
import type { Database } from '../../api/db/client.ts';

describe.each(drivers)('the voucher insert on $name, prepared and built alike', (driver) => {
  let h: Harness, database: Database;
  storeSuite(driver, 'Prepared Store', (s) => {
    ({ h, database } = s);
  });

  const stored = async (id: string) =>
    rowsOf<Record<string, unknown>>(
      await database.db.execute(sql`
        select jsonb_typeof(items) as items_type, items, customer is null as customer_null, customer, metadata,
               paid_at is null and canceled_at is null and status_changed_at is null as times_null,
               paid_collection_id is null and paid_store_id is null as paid_null, expires_at > created_at as expiry_after
        from vouchers where id = ${id}`),
    )[0];

  for (const [n, label, body] of [
    [
      1,
      'with items, a customer and metadata',
      { items: [{ name: 'Mug', quantity: 2, unit_amount: 1_000 }], customer: { email: 'shopper@example.com' }, metadata: { cart: 'c-1' } },
    ],
    [2, 'without customer, items or metadata', {}],
  ] as const) {
    it(`stores the same row ${label} whether or not the request runs in a transaction`, async () => {
      const base = { order_ref: 'P-1', amount: 2_000, currency: 'EUR', ...body };
      const plain = await h.req('POST', '/v1/vouchers', base);
      const keyed = await h.req('POST', '/v1/vouchers', base, { headers: { 'idempotency-key': `prepared-${n}` } });
      expect([plain.status, keyed.status]).toEqual([201, 201]);
      const [a, b] = [await stored((await plain.json()).id), await stored((await keyed.json()).id)];
      expect(a).toEqual(b);
      expect(a).toMatchObject({ items_type: 'array', customer_null: !('customer' in body), times_null: true, paid_null: true, expiry_after: true });
      expect(a!.items).toEqual('items' in body ? body.items : []);
      expect(a!.metadata).toEqual('metadata' in body ? body.metadata : {});
    });
  }

  it('creates many vouchers in a row through the one prepared statement, each a voucher of its own', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await (await h.req('POST', '/v1/vouchers', { order_ref: `P-${i}`, amount: 100 + i, currency: 'EUR' })).json()).id);
    expect(ids.size).toBe(20);
  });
});
