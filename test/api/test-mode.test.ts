/**
 * Test mode (docs/test-mode.md): a merchant's test key opens a world of its own (vouchers, refunds,
 * endpoints, events), which live keys never see and which never touches the ledger; the test
 * helpers collect, expire and pay out through the built-in test till, along the ingest path a
 * store's till takes. On PGlite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite, tillRequest } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import { runCommand } from '../../api/operator/commands.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';

interface Voucher {
  id: string;
  livemode: boolean;
  status: string;
  token: string;
  amount: number;
  merchant: { id: string };
}
interface TestCollection {
  object: string;
  collections: Array<{ id: string; outcome: string; detail: string; refund_id: string | null }>;
  voucher: Voucher;
}

describe.each(drivers)('test mode on $name', (driver) => {
  const s = harnessPerSuite(driver);
  const cli = async (...argv: string[]) => (await runCommand(s.h.services, argv)).json as Record<string, unknown>;
  const voucher = async (key: string, order = 'T-1', amount = 1250) => {
    const res = await s.h.req('POST', '/v1/vouchers', { order_ref: order, amount, currency: 'EUR' }, { key });
    expect(res.status).toBe(201);
    return (await res.json()) as Voucher;
  };
  const collect = async (id: string, body: unknown, key = s.h.testKeyA) => s.h.req('POST', `/v1/test_helpers/vouchers/${id}/collect`, body, { key });
  const collected = async (id: string, outcome: string, key = s.h.testKeyA) => {
    const res = await collect(id, { outcome }, key);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as TestCollection;
  };
  /** Every row of the ledger: test mode must leave it exactly as it was. */
  const ledger = async () => {
    const r = (await s.database.db.execute(sql`select count(*)::int as t, (select count(*)::int from ledger_postings) as p from ledger_transactions`)) as unknown as {
      rows: Array<{ t: number; p: number }>;
    };
    return r.rows[0]!;
  };
  const problemOf = async (res: Response) => (await res.json()) as { type: string; detail: string };

  it('gives each merchant a live and a test key; a test voucher says so in its JSON and in its signed token', async () => {
    expect(s.h.testKeyA).toMatch(/^cpk_test_[0-9a-z]{32}$/);
    const { data } = (await cli('merchant', 'key', 'list', '--merchant', s.h.merchantA)) as { data: Array<{ key: string; mode: string }> };
    expect(data.map((k) => [k.mode, k.key])).toEqual(
      expect.arrayContaining([
        ['live', `cpk_live_…${s.h.keyA.slice(-4)}`],
        ['test', `cpk_test_…${s.h.testKeyA.slice(-4)}`],
      ]),
    );
    const test = await voucher(s.h.testKeyA);
    const live = await voucher(s.h.keyA);
    expect(test.livemode).toBe(false);
    expect(live.livemode).toBe(true);
    // Both show the merchant's one id.
    expect(test.merchant.id).toBe(s.h.merchantA);
    expect(live.merchant.id).toBe(s.h.merchantA);
    const claims = (t: string) => {
      const d = decodeVoucherToken(t);
      if (!d.ok) throw new Error(d.detail);
      return d.claims;
    };
    expect(claims(test.token).test).toBe(true);
    expect(claims(live.token).test).toBe(false);
  });

  it('keeps live and test apart, and merchants apart: each other’s objects are not found', async () => {
    const test = await voucher(s.h.testKeyA, 'ISO-T');
    const live = await voucher(s.h.keyA, 'ISO-L');
    for (const [key, id] of [
      [s.h.keyA, test.id],
      [s.h.testKeyA, live.id],
      [s.h.testKeyB, test.id],
      [s.h.keyB, live.id],
    ] as const) {
      const res = await s.h.req('GET', `/v1/vouchers/${id}`, undefined, { key });
      expect(res.status).toBe(404);
      expect((await s.h.req('POST', `/v1/vouchers/${id}/cancel`, undefined, { key })).status).toBe(404);
    }
    const ids = async (key: string) => ((await (await s.h.req('GET', '/v1/vouchers?limit=100', undefined, { key })).json()) as { data: Voucher[] }).data.map((v) => v.id);
    expect(await ids(s.h.testKeyA)).toContain(test.id);
    expect(await ids(s.h.testKeyA)).not.toContain(live.id);
    expect(await ids(s.h.keyA)).toContain(live.id);
    expect(await ids(s.h.keyA)).not.toContain(test.id);
    // An Idempotency-Key is per mode too: the same key in test mode makes a test voucher.
    const body = { order_ref: 'IDEM', amount: 100, currency: 'EUR' };
    const a = await (await s.h.req('POST', '/v1/vouchers', body, { key: s.h.keyA, headers: { 'idempotency-key': 'same' } })).json();
    const b = await (await s.h.req('POST', '/v1/vouchers', body, { key: s.h.testKeyA, headers: { 'idempotency-key': 'same' } })).json();
    expect([a.livemode, b.livemode]).toEqual([true, false]);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses every test helper a live key, changing nothing', async () => {
    const live = await voucher(s.h.keyA, 'LIVE-H');
    const before = await ledger();
    for (const path of [`/v1/test_helpers/vouchers/${live.id}/collect`, `/v1/test_helpers/vouchers/${live.id}/expire`, '/v1/test_helpers/refunds/rfd_x/pay_out']) {
      const res = await s.h.req('POST', path, path.endsWith('collect') ? { outcome: 'accepted' } : undefined, { key: s.h.keyA });
      expect(res.status).toBe(403);
      const p = await problemOf(res);
      expect(p.type).toMatch(/#test-mode-only$/);
      expect(p.detail).toContain('cpk_test_');
    }
    expect(((await (await s.h.req('GET', `/v1/vouchers/${live.id}`)).json()) as Voucher).status).toBe('open');
    expect(await ledger()).toEqual(before);
  });

  it('pays a test voucher through the test till: paid, with its event in test mode only, and not a cent in the ledger', async () => {
    const before = await ledger();
    const v = await voucher(s.h.testKeyA, 'PAID-1');
    const result = await collected(v.id, 'accepted');
    expect(result.object).toBe('test_collection');
    expect(result.collections).toEqual([{ id: expect.any(String), outcome: 'accepted', detail: `voucher ${v.id} is paid`, refund_id: null }]);
    expect(result.voucher).toMatchObject({ id: v.id, status: 'paid', livemode: false });
    const events = async (key: string) =>
      ((await (await s.h.req('GET', '/v1/events?type=voucher.paid&limit=100', undefined, { key })).json()) as { data: Array<{ data: { object: Voucher } }> }).data;
    expect((await events(s.h.testKeyA)).map((e) => e.data.object.id)).toContain(v.id);
    expect((await events(s.h.keyA)).map((e) => e.data.object.id)).not.toContain(v.id);
    expect(await ledger()).toEqual(before);
    // Paid once: collecting it as accepted again is refused.
    const again = await collect(v.id, { outcome: 'accepted' });
    expect(again.status).toBe(409);
    expect((await problemOf(again)).type).toMatch(/#voucher-not-open$/);
  });

  it('delivers a test event to the test endpoints only: a live endpoint of the same merchant never hears of test mode', async () => {
    const endpoint = async (key: string) =>
      (await (await s.h.req('POST', '/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/hooks', events: ['voucher.paid'] }, { key })).json()) as { id: string };
    const live = await endpoint(s.h.keyA);
    const test = await endpoint(s.h.testKeyA);
    const listed = async (key: string) =>
      ((await (await s.h.req('GET', '/v1/webhook_endpoints', undefined, { key })).json()) as { data: Array<{ id: string }> }).data.map((e) => e.id);
    expect(await listed(s.h.keyA)).toContain(live.id);
    expect(await listed(s.h.keyA)).not.toContain(test.id);
    expect(await listed(s.h.testKeyA)).toEqual([test.id]);
    const v = await voucher(s.h.testKeyA, 'HOOK-T');
    await collected(v.id, 'accepted');
    const deliveries = (await s.database.db.execute(
      sql`select o.endpoint_id from outbox o join events e on e.id = o.event_id where o.kind = 'webhook' and e.data->'object'->>'id' = ${v.id}`,
    )) as unknown as { rows: Array<{ endpoint_id: string }> };
    expect(deliveries.rows.map((r) => r.endpoint_id)).toEqual([test.id]);
    for (const [key, id] of [
      [s.h.keyA, test.id],
      [s.h.testKeyA, live.id],
    ] as const)
      expect((await s.h.req('DELETE', `/v1/webhook_endpoints/${id}`, undefined, { key })).status).toBe(404);
    for (const [key, id] of [
      [s.h.keyA, live.id],
      [s.h.testKeyA, test.id],
    ] as const)
      expect((await s.h.req('DELETE', `/v1/webhook_endpoints/${id}`, undefined, { key })).status).toBe(200);
  });

  it('simulates a duplicate, a late and a mismatched collection, each with its refund, and keeps them out of the review queue', async () => {
    const before = await ledger();
    const open = await voucher(s.h.testKeyA, 'DUP-1');
    const dup = await collected(open.id, 'duplicate');
    expect(dup.collections.map((c) => c.outcome).sort()).toEqual(['accepted', 'duplicate']);
    expect(dup.voucher.status).toBe('paid');
    const refundOf = dup.collections.find((c) => c.outcome === 'duplicate')!.refund_id!;
    const refund = await (await s.h.req('GET', `/v1/refunds/${refundOf}`, undefined, { key: s.h.testKeyA })).json();
    expect(refund).toMatchObject({ id: refundOf, livemode: false, reason: 'duplicate', amount: open.amount, status: 'pending' });
    expect(decodeVoucherToken(refund.token).ok && (decodeVoucherToken(refund.token) as { claims: { test: boolean } }).claims.test).toBe(true);
    expect((await s.h.req('GET', `/v1/refunds/${refundOf}`, undefined, { key: s.h.keyA })).status).toBe(404);
    // A paid voucher is collected once more.
    expect((await collected(open.id, 'duplicate')).collections.map((c) => c.outcome)).toEqual(['duplicate']);

    const late = await collected((await voucher(s.h.testKeyA, 'LATE-1')).id, 'late');
    expect(late.collections).toEqual([expect.objectContaining({ outcome: 'late', refund_id: expect.any(String) })]);
    expect(late.voucher.status).toBe('expired');

    const mis = await voucher(s.h.testKeyA, 'MIS-1', 1000);
    const mismatch = await collected(mis.id, 'mismatch');
    expect(mismatch.collections).toEqual([expect.objectContaining({ outcome: 'mismatch', refund_id: expect.any(String) })]);
    expect(mismatch.collections[0]!.detail).toContain('collected 999 EUR');
    const mismatchRefund = await (await s.h.req('GET', `/v1/refunds/${mismatch.collections[0]!.refund_id}`, undefined, { key: s.h.testKeyA })).json();
    expect(mismatchRefund).toMatchObject({ amount: 999, reason: 'mismatch' });
    // An amount of 1 is mismatched by collecting 2.
    expect((await collected((await voucher(s.h.testKeyA, 'MIS-2', 1)).id, 'mismatch')).collections[0]!.detail).toContain('collected 2 EUR');

    const held = (await cli('review', 'list')) as { data: Array<{ id: string }> };
    expect(held.data.map((c) => c.id)).not.toContain(mismatch.collections[0]!.id);
    await expect(cli('review', 'refund', mismatch.collections[0]!.id)).rejects.toThrow(/test-mode collection/);
    expect(await ledger()).toEqual(before);
  });

  it('pays a test refund out at the test till once, and refuses a second payout', async () => {
    const before = await ledger();
    const v = await voucher(s.h.testKeyA, 'RF-1', 4000);
    await collected(v.id, 'accepted');
    const created = await s.h.req('POST', '/v1/refunds', { voucher_id: v.id, reason: 'goods_returned', amount: 1500 }, { key: s.h.testKeyA });
    expect(created.status).toBe(201);
    const refund = await created.json();
    expect(refund.livemode).toBe(false);
    expect((await s.h.req('POST', `/v1/test_helpers/refunds/${refund.id}/pay_out`, undefined, { key: s.h.keyA })).status).toBe(403);
    expect((await s.h.req('POST', `/v1/test_helpers/refunds/${refund.id}/pay_out`, undefined, { key: s.h.testKeyB })).status).toBe(404);
    const paid = await s.h.req('POST', `/v1/test_helpers/refunds/${refund.id}/pay_out`, undefined, { key: s.h.testKeyA });
    expect(paid.status, await paid.clone().text()).toBe(200);
    expect(await paid.json()).toMatchObject({ id: refund.id, status: 'paid', livemode: false, store_id: expect.any(String), till_id: expect.any(String) });
    const twice = await s.h.req('POST', `/v1/test_helpers/refunds/${refund.id}/pay_out`, undefined, { key: s.h.testKeyA });
    expect(twice.status).toBe(409);
    expect((await problemOf(twice)).type).toMatch(/#refund-already-paid$/);
    const events = (await (await s.h.req('GET', '/v1/events?type=refund.paid', undefined, { key: s.h.testKeyA })).json()) as { data: Array<{ data: { object: { id: string } } }> };
    expect(events.data.map((e) => e.data.object.id)).toContain(refund.id);
    expect(await ledger()).toEqual(before);
  });

  it('expires a test voucher now, with voucher.expired, and refuses one that is not open', async () => {
    const v = await voucher(s.h.testKeyA, 'EXP-1');
    const res = await s.h.req('POST', `/v1/test_helpers/vouchers/${v.id}/expire`, undefined, { key: s.h.testKeyA });
    expect(res.status).toBe(200);
    const expired = (await res.json()) as Voucher & { expires_at: string };
    expect(expired).toMatchObject({ id: v.id, status: 'expired', expires_at: s.h.clock.now().toISOString() });
    const events = (await (await s.h.req('GET', '/v1/events?type=voucher.expired', undefined, { key: s.h.testKeyA })).json()) as {
      data: Array<{ data: { object: { id: string } } }>;
    };
    expect(events.data.map((e) => e.data.object.id)).toContain(v.id);
    const again = await s.h.req('POST', `/v1/test_helpers/vouchers/${v.id}/expire`, undefined, { key: s.h.testKeyA });
    expect(again.status).toBe(409);
    expect((await problemOf(again)).detail).toContain('is expired');
    // An expired voucher is not collected as accepted, but can be collected late.
    expect((await collect(v.id, { outcome: 'accepted' })).status).toBe(409);
    expect((await collected(v.id, 'late')).collections[0]!.outcome).toBe('late');
  });

  it('answers a bad body, an unknown voucher and another merchant’s voucher precisely', async () => {
    const v = await voucher(s.h.testKeyA, 'BAD-1');
    for (const body of [{}, { outcome: 'rejected' }, { outcome: 'accepted', tender: 'gold' }, { outcome: 'accepted', extra: 1 }]) {
      const res = await collect(v.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await problemOf(res)).type).toMatch(/#validation-failed$/);
    }
    expect((await collect('vch_nothing', { outcome: 'accepted' })).status).toBe(404);
    expect((await collect(v.id, { outcome: 'accepted' }, s.h.testKeyB)).status).toBe(404);
    expect((await s.h.req('POST', `/v1/test_helpers/vouchers/${v.id}/expire`, undefined, { key: s.h.testKeyB })).status).toBe(404);
    // A bank card collection records the tender.
    expect((await (await collect(v.id, { outcome: 'accepted', tender: 'bank_card' })).json()).voucher.status).toBe('paid');
  });

  it('never lists the test till, its store or a merchant’s test twin to the operator, and a live till refuses a test voucher', async () => {
    const merchants = (await cli('merchant', 'list')) as { data: Array<{ id: string }> };
    expect(merchants.data.map((m) => m.id).some((id) => id.endsWith('_test'))).toBe(false);
    const stores = (await cli('store', 'list')) as { data: Array<{ name: string }> };
    expect(stores.data.map((x) => x.name)).not.toContain('Counterpay test till');
    const tills = (await cli('device', 'list')) as { data: Array<{ name: string }> };
    expect(tills.data.map((t) => t.name)).not.toContain('Test till');

    const store = (await s.h.services.network.createStore('Live Store'))!.id;
    const till = await TestTill.enrol(tillRequest(s.h), (await s.h.services.devices.createEnrolmentCode(store)).code);
    const v = await voucher(s.h.testKeyA, 'LIVE-TILL');
    const [answer] = await till.outcomes([await till.record(v.token, v.amount)]);
    expect(answer).toMatchObject({ outcome: 'rejected', reason: 'test_token' });
    expect(((await (await s.h.req('GET', `/v1/vouchers/${v.id}`, undefined, { key: s.h.testKeyA })).json()) as Voucher).status).toBe('open');
  });

  it('gives a merchant from before test mode its test key on demand, and a test key rolls with an overlap like a live one', async () => {
    const legacy = (await s.h.services.network.createMerchant('Old Shop'))!;
    await s.database.db.execute(sql`delete from api_keys where merchant_id = ${legacy.id} and mode = 'test'`);
    await s.database.db.execute(sql`delete from merchants where test_of = ${legacy.id}`);
    const created = (await cli('merchant', 'key', 'create', '--merchant', legacy.id, '--test')) as { id: string; api_key: string; mode: string };
    expect(created.mode).toBe('test');
    expect((await voucher(created.api_key, 'OLD-1')).livemode).toBe(false);
    const rolled = (await cli('merchant', 'key', 'roll', created.id, '--overlap', '1h')) as { api_key: string };
    expect(rolled.api_key).toMatch(/^cpk_test_/);
    s.h.clock.advance(3_600_000 - 1);
    expect((await s.h.req('GET', '/v1/vouchers', undefined, { key: created.api_key })).status).toBe(200);
    s.h.clock.advance(1);
    expect((await s.h.req('GET', '/v1/vouchers', undefined, { key: created.api_key })).status).toBe(401);
    expect((await voucher(rolled.api_key, 'OLD-2')).livemode).toBe(false);
  });

  it('deletes test data after 30 days with all that hangs off it, and never live data', async () => {
    const count = async (q: ReturnType<typeof sql>) => ((await s.database.db.execute(q)) as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
    const old = await (
      await s.h.req(
        'POST',
        '/v1/vouchers',
        { order_ref: 'OLD-T', amount: 700, currency: 'EUR', customer: { email: 'shopper@example.com' }, notify: ['email'] },
        { key: s.h.testKeyA },
      )
    ).json();
    const dup = await collected(old.id, 'duplicate');
    const refundId = dup.collections.find((c) => c.refund_id)!.refund_id!;
    expect((await s.h.req('POST', `/v1/test_helpers/refunds/${refundId}/pay_out`, undefined, { key: s.h.testKeyA })).status).toBe(200);
    const live = await voucher(s.h.keyA, 'OLD-L');
    const liveRows = await count(sql`select count(*)::int as n from vouchers where livemode`);
    expect(await count(sql`select count(*)::int as n from outbox where voucher_id = ${old.id}`)).toBeGreaterThan(0);

    s.h.clock.advance(30 * 86_400_000 - 60_000);
    const young = await voucher(s.h.testKeyA, 'YOUNG-T');
    await s.h.services.testData.sweep(); // earlier tests' test vouchers, which are older, may go; this one is not 30 days old yet
    expect((await s.h.req('GET', `/v1/vouchers/${old.id}`, undefined, { key: s.h.testKeyA })).status).toBe(200);
    s.h.clock.advance(120_000);
    expect(await s.h.services.testData.sweepIfDue()).toBeGreaterThan(0);
    expect((await s.h.req('GET', `/v1/vouchers/${old.id}`, undefined, { key: s.h.testKeyA })).status).toBe(404);
    expect((await s.h.req('GET', `/v1/refunds/${refundId}`, undefined, { key: s.h.testKeyA })).status).toBe(404);
    expect(await count(sql`select count(*)::int as n from collections where voucher_id = ${old.id}`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from outbox where voucher_id = ${old.id}`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from vouchers where not livemode and created_at < ${new Date(s.h.clock.now().getTime() - 30 * 86_400_000)}`)).toBe(0);
    // The young test voucher, and every live one however old, stay.
    expect((await s.h.req('GET', `/v1/vouchers/${young.id}`, undefined, { key: s.h.testKeyA })).status).toBe(200);
    expect((await s.h.req('GET', `/v1/vouchers/${live.id}`, undefined, { key: s.h.keyA })).status).toBe(200);
    expect(await count(sql`select count(*)::int as n from vouchers where livemode`)).toBe(liveRows);
    // Within ten minutes the worker does not sweep again.
    expect(await s.h.services.testData.sweepIfDue()).toBe(0);
  });
});
