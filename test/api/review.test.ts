/**
 * The review queue (docs/refunds.md): collections held for review are listed with why; each
 * decision (accept, refund, write off) is taken once, posts its ledger transaction, records its
 * event and reaches the till through its feed.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import type { Database } from '../../api/db/client.ts';

describe.each(drivers)('the review queue on $name', (driver) => {
  let h: Harness, store: string, database: Database;
  storeSuite(driver, 'Review Store', (s) => {
    ({ h, store, database } = s);
  });

  const till = async () => TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
  const voucher = async (amount = 3_000) => (await h.req('POST', '/v1/vouchers', { order_ref: 'RV-1', amount, currency: 'EUR' })).json();
  const balance = async (account: string) => Number((await h.services.ledger.balances()).data.find((b) => b.account === account && b.currency === 'EUR')?.balance ?? 0);
  const by = { by: 'ops@example.com' };
  const held = async () => (await h.services.review.list()).data;

  /** A collection from a till revoked in between: stored as rejected, held for review. */
  async function revokedCollection(token: string, amount: number) {
    const t = await till();
    const record = await t.record(token, amount);
    await h.services.devices.revoke(t.id);
    const [answer] = await t.outcomes([record]);
    expect(answer).toMatchObject({ outcome: 'rejected', reason: 'device_revoked' });
    return answer!.id!;
  }

  it("lists what is held with why, and accepts a revoked till's honest collection: the voucher becomes paid, once", async () => {
    const v = await voucher();
    const id = await revokedCollection(v.token, 3_000);
    expect((await held()).find((c) => c.id === id)).toMatchObject({ outcome: 'rejected', reason: 'device_revoked', amount: 3_000, why: expect.stringContaining('was revoked') });
    const storeBefore = await balance(`store:${store}`);
    const decided = await h.services.review.decide(id, 'accept', by);
    expect(decided).toMatchObject({ decision: 'accept', result: `voucher ${v.id} is paid`, decided_by: 'ops@example.com', refund_id: null });
    expect((await (await h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('paid');
    expect((await balance(`store:${store}`)) - storeBefore).toBe(2_970); // the cash less the store's 100 bp
    expect((await held()).some((c) => c.id === id)).toBe(false);
    await expect(h.services.review.decide(id, 'refund', by)).rejects.toMatchObject({ code: 'review-already-decided' });
    const events = (await database.db.execute(sql`select data from events where type = 'collection.reviewed'`)) as unknown as {
      rows: Array<{ data: { object: { collection_id: string } } }>;
    };
    expect(events.rows.map((r) => r.data.object.collection_id)).toContain(id);
  });

  it('accepts one for a voucher paid meanwhile as a duplicate with its refund, and refunds another on request', async () => {
    const v = await voucher();
    const t = await till();
    const id = await revokedCollection(v.token, 3_000);
    expect((await t.outcomes([await t.record(v.token, 3_000)]))[0]!.outcome).toBe('accepted');
    const late = await h.services.review.decide(id, 'accept', by);
    expect(late.result).toMatch(/already paid .*refund rfd_/);
    const refund = await (await h.req('GET', `/v1/refunds/${late.refund_id}`)).json();
    expect(refund).toMatchObject({ reason: 'review', amount: 3_000, collection_id: id, status: 'pending' });

    const other = await revokedCollection((await voucher(1_200)).token, 1_200);
    const shoppers = await balance('shoppers:refunds');
    const refunded = await h.services.review.decide(other, 'refund', by);
    expect(refunded.refund_id).toMatch(/^rfd_/);
    expect((await balance('shoppers:refunds')) - shoppers).toBe(-1_200);
  });

  it('writes off with a reason only; a mismatch cannot be accepted, and its write-off withdraws its refund', async () => {
    const id = await revokedCollection((await voucher(900)).token, 900);
    await expect(h.services.review.decide(id, 'write_off', by)).rejects.toMatchObject({ code: 'validation-failed' });
    const writeOffs = await balance('operator:write_offs');
    expect((await h.services.review.decide(id, 'write_off', { ...by, reason: 'till stolen; the store repays it' })).result).toContain('till stolen');
    expect((await balance('operator:write_offs')) - writeOffs).toBe(-900);

    const t = await till();
    const v = await voucher(2_000);
    const [mismatch] = await t.outcomes([await t.record(v.token, 1_500)]);
    expect(mismatch!.outcome).toBe('mismatch');
    await expect(h.services.review.decide(mismatch!.id!, 'accept', by)).rejects.toMatchObject({ code: 'review-not-possible' });
    const shoppers = await balance('shoppers:refunds');
    const off = await h.services.review.decide(mismatch!.id!, 'write_off', { ...by, reason: 'the shopper took the goods back' });
    expect((await (await h.req('GET', `/v1/refunds/${off.refund_id}`)).json()).status).toBe('canceled');
    expect((await balance('shoppers:refunds')) - shoppers).toBe(1_500);
    // The till hears of it on its next feed page.
    const page = await (await t.feed()).json();
    expect(page.reviewed).toContainEqual({ collection_id: mismatch!.id, decision: 'write_off', result: expect.stringContaining('written off'), decided_at: expect.any(String) });
    await expect(h.services.review.decide(mismatch!.id!, 'refund', by)).rejects.toMatchObject({ code: 'review-already-decided' });
    const accepted = (await t.outcomes([await t.record((await voucher(100)).token, 100)]))[0]!;
    await expect(h.services.review.decide(accepted.id!, 'accept', by)).rejects.toMatchObject({ code: 'review-not-held' });
  });
});
