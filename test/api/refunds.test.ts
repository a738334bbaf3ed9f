/**
 * Refunds end to end through the HTTP API (docs/refunds.md): a merchant's refund of a paid voucher,
 * Counterpay's own for a duplicate collection, the payout grant at the till (once, to one till),
 * the payout record, void, cancel, expiry, the store's code limit, and what the shopper sees.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, withTestFlag, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import type { Database } from '../../api/db/client.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { parseReference } from '../../core/reference/reference.ts';
import type { Refund } from '../../core/contract/refunds.ts';

const DAY = 86_400_000;

describe.each(drivers)('refunds on $name', (driver) => {
  let h: Harness, store: string, database: Database;
  storeSuite(driver, 'Refund Store', (s) => {
    ({ h, store, database } = s);
  });

  const till = async (storeId = store) => TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(storeId)).code);
  const balance = async (account: string) => Number((await h.services.ledger.balances()).data.find((b) => b.account === account && b.currency === 'EUR')?.balance ?? 0);
  const events = async (type: string) =>
    ((await database.db.execute(sql`select data from events where type = ${type}`)) as unknown as { rows: Array<{ data: { object: { id: string } } }> }).rows.map(
      (r) => r.data.object.id,
    );
  /** A voucher paid by a till of the store: what a merchant may refund. */
  const paidVoucher = async (amount = 5_000, customer?: Record<string, string>) => {
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'R-1', amount, currency: 'EUR', ...(customer ? { customer } : {}) })).json();
    const t = await till();
    expect((await t.outcomes([await t.record(v.token, amount)]))[0]!.outcome).toBe('accepted');
    return v as { id: string; token: string; voucher_url: string };
  };
  const refund = async (body: Record<string, unknown>, opts: Parameters<Harness['req']>[3] = {}) => h.req('POST', '/v1/refunds', body, opts);
  const created = async (body: Record<string, unknown>): Promise<Refund> => {
    const res = await refund(body);
    expect(res.status, await res.clone().text()).toBe(201);
    return res.json();
  };

  it('refunds a paid voucher in parts up to what was paid, moving the money from the merchant to the shopper', async () => {
    const v = await paidVoucher(5_000);
    const merchantBefore = await balance(`merchant:${h.merchantA}`);
    const shoppersBefore = await balance('shoppers:refunds');
    const first = await created({ voucher_id: v.id, amount: 1_000, reason: 'goods_returned' });
    expect(first).toMatchObject({
      object: 'refund',
      status: 'pending',
      amount: 1_000,
      currency: 'EUR',
      voucher_id: v.id,
      reason: 'goods_returned',
      collection_id: null,
      paid_at: null,
    });
    expect(first.id).toMatch(/^rfd_/);
    expect(parseReference(first.reference).ok).toBe(true);
    expect(first.qr).toBe(`HTTP://LOCALHOST:8080/V/${first.token}`);
    expect(first.refund_url).toBe(`${v.voucher_url}?refund=${first.id}`);
    expect(first.payout_code).toMatch(/^[0-9]{6}$/);
    const decoded = decodeVoucherToken(first.token);
    expect(decoded.ok && decoded.claims.kind).toBe('refund');
    expect((await balance(`merchant:${h.merchantA}`)) - merchantBefore).toBe(1_000);
    expect((await balance('shoppers:refunds')) - shoppersBefore).toBe(-1_000);

    // No amount: what is left.
    const rest = await created({ voucher_id: v.id });
    expect(rest).toMatchObject({ amount: 4_000, reason: 'customer_request' });
    const more = await refund({ voucher_id: v.id, amount: 1 });
    expect(more.status).toBe(409);
    expect(await more.json()).toMatchObject({ type: '/docs/problems#refund-exceeds-paid', detail: expect.stringContaining('already refunded in full') });
    expect(await events('refund.created')).toEqual(expect.arrayContaining([first.id, rest.id]));
  });

  it('refuses what cannot be refunded, each with its problem, and changes nothing', async () => {
    const open = await (await h.req('POST', '/v1/vouchers', { order_ref: 'R-2', amount: 700, currency: 'EUR' })).json();
    const before = await balance('shoppers:refunds');
    const cases: Array<[Record<string, unknown>, number, string, Parameters<Harness['req']>[3]?]> = [
      [{ voucher_id: open.id }, 409, 'voucher-not-paid'],
      [{ voucher_id: 'vch_0000000000000' }, 404, 'not-found'],
      [{ voucher_id: (await paidVoucher(800)).id, amount: 801 }, 409, 'refund-exceeds-paid'],
      [{ voucher_id: open.id, amount: 0 }, 400, 'validation-failed'],
      [{ voucher_id: open.id, reason: 'duplicate' }, 400, 'validation-failed'],
      [{ voucher_id: open.id, expires_in: 60 }, 400, 'validation-failed'],
      [{ voucher_id: (await paidVoucher(900)).id }, 404, 'not-found', { key: h.keyB }],
    ];
    for (const [body, status, code, opts] of cases) {
      const res = await refund(body, opts);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).type).toBe(`/docs/problems#${code}`);
    }
    expect(await balance('shoppers:refunds')).toBe(before);
  });

  it('answers a retried create with the same refund (Idempotency-Key)', async () => {
    const v = await paidVoucher(2_000);
    const headers = { 'idempotency-key': `refund-${v.id}` };
    const a = await refund({ voucher_id: v.id, amount: 500 }, { headers });
    const b = await refund({ voucher_id: v.id, amount: 500 }, { headers });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect((await b.json()).id).toBe((await a.json()).id);
    expect((await h.services.refunds.list({ id: h.merchantA, name: 'Shop A', livemode: true }, { voucher_id: v.id, limit: 20 })).data).toHaveLength(1);
  });

  it('lists, pages and reads refunds for their merchant only, and cancels a pending one back to the merchant', async () => {
    const v = await paidVoucher(3_000);
    const a = await created({ voucher_id: v.id, amount: 1_000 });
    h.clock.advance(1_000);
    const b = await created({ voucher_id: v.id, amount: 1_000 });
    const page = await (await h.req('GET', `/v1/refunds?voucher_id=${v.id}&limit=1`)).json();
    expect(page).toMatchObject({ object: 'list', has_more: true, data: [{ id: b.id }] });
    const next = await (await h.req('GET', `/v1/refunds?voucher_id=${v.id}&limit=1&starting_after=${b.id}`)).json();
    expect(next).toMatchObject({ has_more: false, data: [{ id: a.id }] });
    expect((await h.req('GET', `/v1/refunds/${a.id}`, undefined, { key: h.keyB })).status).toBe(404);

    const merchantBefore = await balance(`merchant:${h.merchantA}`);
    const canceled = await (await h.req('POST', `/v1/refunds/${a.id}/cancel`)).json();
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: h.clock.now().toISOString() });
    expect((await balance(`merchant:${h.merchantA}`)) - merchantBefore).toBe(-1_000);
    const again = await h.req('POST', `/v1/refunds/${a.id}/cancel`);
    expect(again.status).toBe(409);
    expect((await again.json()).type).toBe('/docs/problems#refund-not-pending');
    expect(await events('refund.canceled')).toContain(a.id);
    // A canceled refund frees its amount again.
    expect(await created({ voucher_id: v.id })).toMatchObject({ amount: 2_000 });
  });

  it('refunds a duplicate collection by itself, which the merchant sees but cannot cancel', async () => {
    const v = await paidVoucher(1_500);
    const second = await till();
    const [dup] = await second.outcomes([await second.record(v.token, 1_500)]);
    expect(dup!.outcome).toBe('duplicate');
    const list = await (await h.req('GET', `/v1/refunds?voucher_id=${v.id}`)).json();
    expect(list.data).toEqual([expect.objectContaining({ reason: 'duplicate', collection_id: dup!.id, amount: 1_500, status: 'pending' })]);
    const res = await h.req('POST', `/v1/refunds/${list.data[0].id}/cancel`);
    expect(res.status).toBe(409);
    expect((await res.json()).type).toBe('/docs/problems#refund-not-cancelable');
    // The duplicate's cash does not count against what the merchant may refund of the voucher.
    expect(await created({ voucher_id: v.id })).toMatchObject({ amount: 1_500 });
  });

  it('grants a payout to one till only, pays it with the signed record, and refuses it afterwards everywhere', async () => {
    const v = await paidVoucher(4_990);
    const r = await created({ voucher_id: v.id });
    const [a, b] = [await till(), await till()];
    const grant = await a.granted(r.token);
    expect(grant).toMatchObject({ object: 'payout_authorization', refund_id: r.id, amount: 4_990, currency: 'EUR', order_ref: 'R-1', merchant: { name: 'Shop A' } });
    expect((await a.granted(r.token)).id).toBe(grant.id); // asked again (a lost answer): the same grant
    const other = await b.authorize(r.token);
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ type: '/docs/problems#refund-held-elsewhere', detail: expect.stringContaining('another till') });
    const notRefund = await a.authorize(v.token);
    expect(notRefund.status).toBe(400);
    expect((await notRefund.json()).type).toBe('/docs/problems#token-not-a-refund');
    // The same refund's claims signed with the test flag: no till is ever granted a test refund.
    const testRefund = await a.authorize(await withTestFlag(h, r.token));
    expect(testRefund.status).toBe(400);
    expect(await testRefund.json()).toMatchObject({ type: '/docs/problems#token-not-a-refund', detail: expect.stringContaining('test-mode refund') });
    await expect((await h.req('GET', `/v1/refunds/${r.id}`)).json()).resolves.toMatchObject({ status: 'pending', authorized_at: h.clock.now().toISOString() });

    const storeBefore = await balance(`store:${store}`);
    const shoppersBefore = await balance('shoppers:refunds');
    const record = await a.payout(r.token, grant);
    const [answer] = await a.outcomes([record]);
    expect(answer).toMatchObject({ outcome: 'accepted', refund_id: r.id, voucher_id: null, flags: [] });
    expect((await a.outcomes([record]))[0]).toEqual(answer); // resent: the same answer, nothing more
    expect((await balance(`store:${store}`)) - storeBefore).toBe(-4_990);
    expect((await balance('shoppers:refunds')) - shoppersBefore).toBe(4_990);
    const paid = await (await h.req('GET', `/v1/refunds/${r.id}`)).json();
    expect(paid).toMatchObject({ status: 'paid', store_id: store, till_id: a.id, authorized_at: null, paid_at: record.paid_at.replace(/\+00:00$/, 'Z') });
    expect(await events('refund.paid')).toContain(r.id);
    for (const t of [a, b]) {
      const res = await t.authorize(r.token);
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ type: '/docs/problems#refund-already-paid', detail: expect.stringContaining('already paid out') });
    }
    // A collection after the payout chains on from it.
    const next = await paidVoucherAt(a);
    expect(next.flags).toEqual([]);
  });

  /** Pays a fresh voucher at till `t` and returns the answer (to see the chain go on). */
  const paidVoucherAt = async (t: TestTill) => {
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'R-9', amount: 100, currency: 'EUR' })).json();
    return (await t.outcomes([await t.record(v.token, 100)]))[0]!;
  };

  it('voids a grant the cashier could not hand over, so another till can pay it; a voided grant pays nothing', async () => {
    const r = await created({ voucher_id: (await paidVoucher(2_500)).id });
    const [a, b] = [await till(), await till()];
    const grant = await a.granted(r.token);
    const voided = await a.void(grant.id);
    expect(voided.status).toBe(200);
    expect(await voided.json()).toMatchObject({ object: 'payout_void', refund_id: r.id });
    expect((await a.void(grant.id)).status).toBe(200); // again: the same answer
    expect((await b.void(grant.id)).status).toBe(404); // not b's grant

    // a records a payout anyway (its journal says it paid): kept for review, the refund stays payable.
    const [late] = await a.outcomes([await a.payout(r.token, grant)]);
    expect(late).toMatchObject({ outcome: 'rejected', reason: 'payout_not_authorized', refund_id: r.id });
    expect(late!.detail).toContain('voided');
    const grantB = await b.granted(r.token);
    const [ok] = await b.outcomes([await b.payout(r.token, grantB)]);
    expect(ok!.outcome).toBe('accepted');
    const res = await b.void(grantB.id);
    expect(res.status).toBe(409);
    expect((await res.json()).type).toBe('/docs/problems#payout-already-recorded');
  });

  it('rejects a payout record that does not match its grant, and a refund token in a collection', async () => {
    const r = await created({ voucher_id: (await paidVoucher(1_200)).id });
    const a = await till();
    const grant = await a.granted(r.token);
    const [wrongAmount] = await a.outcomes([await a.payout(r.token, grant, { amount: 1_300 })]);
    expect(wrongAmount).toMatchObject({ outcome: 'rejected', reason: 'payout_not_authorized' });
    expect(wrongAmount!.detail).toContain('is for 1200 EUR');
    const [asCollection] = await a.outcomes([await a.record(r.token, 1_200)]);
    expect(asCollection).toMatchObject({ outcome: 'rejected', reason: 'bad_token' });
    expect(asCollection!.detail).toContain('refund token, not a voucher');
    await expect((await h.req('GET', `/v1/refunds/${r.id}`)).json()).resolves.toMatchObject({ status: 'pending' });
  });

  it("asks for the shopper's code above the store's limit, and refuses a refund in another currency", async () => {
    const r = await created({ voucher_id: (await paidVoucher(4_000, { email: 'shopper@example.com' })).id });
    expect(r.payout_code_sent_to).toEqual(['email']);
    await h.services.network.setPayoutCodeAbove(store, 3_000);
    try {
      const a = await till();
      const none = await a.authorize(r.token);
      expect(none.status).toBe(403);
      expect(await none.json()).toMatchObject({ type: '/docs/problems#refund-needs-code', detail: expect.stringContaining('sent to the shopper by e-mail') });
      const wrong = await a.authorize(r.token, r.payout_code === '000000' ? '111111' : '000000');
      expect(wrong.status).toBe(403);
      expect((await wrong.json()).type).toBe('/docs/problems#refund-code-wrong');
      expect((await a.granted(r.token, r.payout_code)).refund_id).toBe(r.id);
    } finally {
      await h.services.network.setPayoutCodeAbove(store, null);
    }
    const yen = (await h.services.network.createStore('Yen Store', undefined, 'JPY'))!.id;
    const other = await created({ voucher_id: (await paidVoucher(100)).id });
    const res = await (await till(yen)).authorize(other.token);
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toContain('this store pays out JPY only');
  });

  it('expires an unclaimed refund back to the merchant, but never one a till holds', async () => {
    const v = await paidVoucher(3_000);
    const lapsing = await created({ voucher_id: v.id, amount: 1_000, expires_in: 86_400 });
    const held = await created({ voucher_id: v.id, amount: 1_000, expires_in: 86_400 });
    const a = await till();
    const grant = await a.granted(held.token);
    h.clock.advance(DAY + 1_000);
    await expect((await h.req('GET', `/v1/refunds/${lapsing.id}`)).json()).resolves.toMatchObject({ status: 'expired', expired_at: null });
    const merchantBefore = await balance(`merchant:${h.merchantA}`);
    expect(await h.services.refunds.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await h.services.refunds.expireDue()).toBe(0);
    expect((await balance(`merchant:${h.merchantA}`)) - merchantBefore).toBe(-1_000);
    expect(await events('refund.expired')).toContain(lapsing.id);
    const refused = await a.authorize(lapsing.token);
    expect((await refused.json()).detail).toContain('expired');
    // Cash handed over under the grant before the expiry still pays the held one.
    const [paid] = await a.outcomes([await a.payout(held.token, grant, { paidAt: new Date(h.clock.now().getTime() - DAY) })]);
    expect(paid!.outcome).toBe('accepted');
  });

  it('shows the refunds to the shopper holding the voucher, and finds a refund by its typed reference', async () => {
    const v = await paidVoucher(2_000);
    const r = await created({ voucher_id: v.id, amount: 2_000 });
    const status = await (await h.req('POST', '/v1/voucher-status', { tokens: [v.token] }, { key: null })).json();
    expect(status.data[0].refunds).toEqual([
      {
        id: r.id,
        status: 'pending',
        amount: 2_000,
        currency: 'EUR',
        reference: r.reference,
        token: r.token,
        qr: r.qr,
        expires_at: r.expires_at,
        paid_at: null,
        code_sent: false,
      },
    ]);
    expect(JSON.stringify(status)).not.toContain(r.payout_code);
    const code = v.voucher_url.split('/v/')[1];
    expect((await (await h.req('GET', `/v1/voucher-links/${code}`, undefined, { key: null })).json()).refunds[0].id).toBe(r.id);
    const a = await till();
    const found = await h.req('GET', `/v1/till/vouchers/by-reference/${r.reference}`, undefined, { key: null, headers: { authorization: `Bearer ${a.credential}` } });
    expect(await found.json()).toEqual({ refund_id: r.id, token: r.token, status: 'pending' });
  });

  it("lists payouts on the store's statement and refunds on the merchant's, each adding up to its postings", async () => {
    const r = await created({ voucher_id: (await paidVoucher(6_000)).id, amount: 2_500 });
    const t = await till();
    await t.outcomes([await t.payout(r.token, await t.granted(r.token))]);
    h.clock.advance(DAY);
    const day = new Date(h.clock.now().getTime() - DAY).toISOString().slice(0, 10);
    const run = await h.services.ledger.settle(day);
    for (const party of [
      { kind: 'store' as const, id: store },
      { kind: 'merchant' as const, id: h.merchantA },
    ]) {
      const summary = run.statements.find((s) => s.party.kind === party.kind && s.party.id === party.id)!;
      const statement = await h.services.ledger.statement(summary.id);
      const line = statement.lines.find((l) => l.refund_id === r.id)!;
      expect(line).toMatchObject(party.kind === 'store' ? { kind: 'refund_paid', net: -2_500 } : { kind: 'refund', net: -2_500 });
      const sum = statement.lines.reduce((a, l) => a + l.net, 0);
      expect(sum).toBe(Number(statement.amount));
    }
  });

  it('keeps a shift close with its counted difference in the chain, refuses one whose figures do not add up, and lists them per store and day', async () => {
    const t = await till();
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'Z-1', amount: 5_000, currency: 'EUR' })).json();
    const collected = await t.record(v.token, 5_000);
    expect((await t.outcomes([collected]))[0]!.outcome).toBe('accepted');
    const r = await created({ voucher_id: v.id, amount: 1_500 });
    const payout = await t.payout(r.token, await t.granted(r.token));
    const figures = {
      currency: 'EUR',
      opened_at: new Date(h.clock.now().getTime() - 3_600_000).toISOString(),
      first_seq: collected.seq,
      last_seq: payout.seq,
      collections: [
        { tender: 'cash' as const, count: 1, total: 5_000 },
        { tender: 'prepaid_card' as const, count: 0, total: 0 },
        { tender: 'bank_card' as const, count: 0, total: 0 },
      ],
      payouts: { count: 1, total: 1_500 },
      opening_float: 2_000,
      expected_cash: 5_500,
      counted_cash: 5_450,
      difference: -50,
      float_left: 2_000,
    };
    const close = await t.shiftClose(figures);
    const answers = await t.outcomes([collected, payout, close]); // the collection again: its stored answer
    expect(answers.map((a) => a.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(answers[2]).toMatchObject({ flags: [], detail: expect.stringContaining('5450 EUR counted against 5500 expected (difference -50)') });
    expect((await t.outcomes([close]))[0]).toEqual({ ...answers[2], index: 0 }); // resent: the same answer
    h.clock.advance(1_000);
    const [wrong] = await t.outcomes([await t.shiftClose({ ...figures, difference: 0 })]);
    expect(wrong).toMatchObject({ outcome: 'rejected', reason: 'shift_totals_inconsistent' });
    // The chain goes on after a close.
    expect((await paidVoucherAt(t)).flags).toEqual([]);
    const day = await h.services.shifts.day(h.clock.now().toISOString().slice(0, 10), store);
    expect(day.data.filter((d) => d.till_id === t.id).map((d) => d.difference)).toEqual([-50, 0]);
    expect(day.stores.find((s) => s.store_id === store)).toMatchObject({ currency: 'EUR', closes: expect.any(Number), difference: expect.any(Number) });
    expect(day.stores.find((s) => s.store_id === store)!.difference).toBeLessThanOrEqual(-50);
  });
});
