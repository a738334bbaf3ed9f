/**
 * For every order of events: collections (duplicates among them), merchant refunds in full and in
 * part, payout grants at several tills, payout records (some sent twice), voids, cancels and
 * expiries. At the end every ledger transaction balances, what shoppers are owed equals the
 * refunds still payable, no voucher is refunded beyond what was paid, and no refund is paid out
 * twice (docs/refunds.md).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import type { Database } from '../../api/db/client.ts';
import type { PayoutAuthorization } from '../../core/contract/till.ts';

type Event =
  | { kind: 'collect'; till: number; voucher: number; short: boolean }
  | { kind: 'review'; pick: number; decision: 'accept' | 'refund' | 'write_off' }
  | { kind: 'refund'; voucher: number; part: number }
  | { kind: 'grant'; till: number; refund: number }
  | { kind: 'payout'; grant: number; twice: boolean }
  | { kind: 'void'; grant: number }
  | { kind: 'cancel'; refund: number }
  | { kind: 'tick'; hours: number };

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('collect' as const), till: fc.nat(2), voucher: fc.nat(3), short: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('review' as const), pick: fc.nat(5), decision: fc.constantFrom('accept' as const, 'refund' as const, 'write_off' as const) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), voucher: fc.nat(3), part: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('grant' as const), till: fc.nat(2), refund: fc.nat(9) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('payout' as const), grant: fc.nat(9), twice: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), grant: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), refund: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), hours: fc.integer({ min: 1, max: 40 }) }) },
);

type Rows<T> = { rows: T[] };

/** One run that reaches every end on purpose (the random ones add the interleavings). */
const everyEnd: Event[] = [
  { kind: 'collect', till: 0, voucher: 0, short: false },
  { kind: 'collect', till: 1, voucher: 0, short: false }, // a duplicate: Counterpay's own refund
  { kind: 'refund', voucher: 0, part: 2 },
  { kind: 'grant', till: 0, refund: 0 },
  { kind: 'void', grant: 0 },
  { kind: 'grant', till: 1, refund: 0 },
  { kind: 'payout', grant: 1, twice: false },
  { kind: 'grant', till: 2, refund: 1 },
  { kind: 'payout', grant: 2, twice: true },
  { kind: 'refund', voucher: 0, part: 0 },
  { kind: 'cancel', refund: 1 },
  { kind: 'collect', till: 0, voucher: 1, short: false },
  { kind: 'collect', till: 2, voucher: 2, short: true }, // a mismatch, held for review
  { kind: 'review', pick: 0, decision: 'write_off' },
  { kind: 'refund', voucher: 1, part: 1 },
  { kind: 'tick', hours: 30 },
  { kind: 'refund', voucher: 1, part: 1 },
];

describe.each(drivers)('refund property on $name', (driver) => {
  let h: Harness, store: string, database: Database;
  storeSuite(driver, 'Refund Property Store', (s) => {
    ({ h, store, database } = s);
  });
  const query = async <T>(q: ReturnType<typeof sql>) => ((await database.db.execute(q)) as unknown as Rows<T>).rows;

  it('balances every step, owes shoppers exactly the payable refunds, never refunds beyond payment and never pays a refund twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 5, maxLength: 35 }), async (events) => {
        const tills = await Promise.all([0, 1, 2].map(async () => TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code)));
        const vouchers = await Promise.all(
          [0, 1, 2, 3].map(async (i) => (await h.req('POST', '/v1/vouchers', { order_ref: `RP-${i}`, amount: 1000 + 250 * i, currency: 'EUR', expires_in: 3 * 86_400 })).json()),
        );
        const refunds: Array<{ id: string; token: string }> = [];
        const grants: Array<{ till: TestTill; grant: PayoutAuthorization; token: string }> = [];
        for (const e of events) {
          if (e.kind === 'collect') {
            const v = vouchers[e.voucher]!;
            const t = tills[e.till]!;
            await t.outcomes([await t.record(v.token, e.short ? v.amount - 1 : v.amount)]);
          } else if (e.kind === 'review') {
            const queue = (await h.services.review.list()).data;
            const c = queue[e.pick % Math.max(1, queue.length)];
            if (!c) continue;
            await h.services.review.decide(c.id, e.decision, { by: 'property', reason: 'property test' }).catch((err) => {
              expect(['review-not-possible', 'review-already-decided']).toContain(err.code);
            });
          } else if (e.kind === 'refund') {
            const v = vouchers[e.voucher]!;
            const res = await h.req('POST', '/v1/refunds', { voucher_id: v.id, ...(e.part === 0 ? {} : { amount: Math.ceil((v.amount * e.part) / 4), expires_in: 86_400 }) });
            expect([201, 409]).toContain(res.status); // 409: not paid, or nothing left to refund
            if (res.status === 201) refunds.push(await res.json());
          } else if (e.kind === 'grant') {
            const all = [...refunds, ...(await systemRefunds())];
            const r = all[e.refund % Math.max(1, all.length)];
            if (!r) continue;
            const res = await tills[e.till]!.authorize(r.token);
            expect([200, 409]).toContain(res.status);
            if (res.status === 200) grants.push({ till: tills[e.till]!, grant: await res.json(), token: r.token });
          } else if (e.kind === 'payout') {
            const g = grants[e.grant % Math.max(1, grants.length)];
            if (!g) continue;
            const record = await g.till.payout(g.token, g.grant);
            const [first] = await g.till.outcomes([record]);
            if (e.twice) expect((await g.till.outcomes([record]))[0]).toEqual(first);
          } else if (e.kind === 'void') {
            const g = grants[e.grant % Math.max(1, grants.length)];
            if (g) expect([200, 409]).toContain((await g.till.void(g.grant.id)).status);
          } else if (e.kind === 'cancel') {
            const r = refunds[e.refund % Math.max(1, refunds.length)];
            if (r) expect([200, 409]).toContain((await h.req('POST', `/v1/refunds/${r.id}/cancel`)).status);
          } else {
            h.clock.advance(e.hours * 3_600_000);
            await h.services.refunds.expireDue();
          }
        }
        await check();
      }),
      { numRuns: driver.name === 'pglite' ? 20 : 12, seed: 20261202, examples: [[everyEnd]] },
    );
    // Every end a refund can have was reached, Counterpay's own refunds and voided grants among them.
    const ends = await query<{ state: string }>(sql`select distinct state from refunds`);
    expect(ends.map((r) => r.state).sort()).toEqual(expect.arrayContaining(['canceled', 'expired', 'paid', 'pending']));
    expect(await query(sql`select id from refunds where reason = 'duplicate' limit 1`)).toHaveLength(1);
    expect(await query(sql`select id from payout_authorizations where voided_at is not null limit 1`)).toHaveLength(1);
    expect(await query(sql`select collection_id from review_decisions where decision = 'write_off' limit 1`)).toHaveLength(1);
  });

  /** Counterpay's own refunds (of duplicate collections), which the merchant lists too. */
  const systemRefunds = async () => query<{ id: string; token: string }>(sql`select id, token from refunds where reason <> 'customer_request' and reason <> 'goods_returned'`);

  async function check() {
    expect(await query(sql`select transaction_id from ledger_postings group by transaction_id, currency having sum(amount) <> 0`)).toEqual([]);
    // What shoppers are owed is exactly what is still payable to them.
    const [owed] = await query<{ balance: string }>(sql`select coalesce(sum(amount), 0)::text as balance from ledger_postings where account = 'shoppers:refunds'`);
    const [payable] = await query<{ total: string }>(sql`select coalesce(sum(amount), 0)::text as total from refunds where state in ('pending', 'authorized')`);
    expect(Number(payable!.total) + Number(owed!.balance)).toBe(0);
    // A merchant never refunds more of a voucher than was paid for it.
    const over = await query(sql`
      select v.id from vouchers v join refunds r on r.voucher_id = v.id
      where r.reason in ('customer_request', 'order_canceled', 'goods_returned', 'other') and r.state not in ('canceled', 'expired')
      group by v.id, v.amount, v.status having sum(r.amount) > case when v.status = 'paid' then v.amount else 0 end`);
    expect(over).toEqual([]);
    // Each refund is paid out at most once, and paid exactly when one payout was accepted for it.
    expect(await query(sql`select refund_id from payouts where outcome = 'accepted' group by refund_id having count(*) > 1`)).toEqual([]);
    const mismatched = await query(sql`
      select r.id from refunds r left join payouts p on p.refund_id = r.id and p.outcome = 'accepted'
      where (r.state = 'paid') <> (p.id is not null)`);
    expect(mismatched).toEqual([]);
    expect(
      await query(sql`select refund_id, count(*) from ledger_transactions where kind = 'refund_paid' and refund_id is not null group by refund_id having count(*) > 1`),
    ).toEqual([]);
  }
});
