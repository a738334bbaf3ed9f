/**
 * For every order of events: collections on several tills, sends whose answers are lost, retries,
 * expiry and cancellation. At the end every recorded collection has exactly one outcome that never
 * changed once given, and no voucher is accepted twice (docs/architecture.md §2 "exactly once").
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import type { Database } from '../../api/db/client.ts';

type Event =
  | { kind: 'collect'; till: number; voucher: number; late: boolean }
  | { kind: 'send'; till: number; lose: boolean; reverse: boolean }
  | { kind: 'cancel'; voucher: number }
  | { kind: 'tick'; minutes: number };

const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('collect' as const), till: fc.nat(2), voucher: fc.nat(3), late: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), till: fc.nat(2), lose: fc.boolean(), reverse: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), voucher: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 30 }) }) },
);

describe.each(drivers)('exactly-once property on $name', (driver) => {
  let h: Harness, store: string, database: Database;
  storeSuite(driver, 'Property Store', (s) => {
    ({ h, store, database } = s);
  });

  it('gives every collection exactly one lasting outcome and accepts no voucher twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 5, maxLength: 30 }), async (events) => {
        const tills = await Promise.all([0, 1, 2].map(async () => TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code)));
        const vouchers = await Promise.all(
          [0, 1, 2, 3].map(async (i) => (await h.req('POST', '/v1/vouchers', { order_ref: `P-${i}`, amount: 1000, currency: 'EUR', expires_in: 900 + i * 600 })).json()),
        );
        const journal: SignedCollection[][] = [[], [], []];
        const settled = new Map<string, string>(); // collection id → first outcome heard
        const send = async (t: number, records: SignedCollection[], lose: boolean) => {
          if (records.length === 0) return;
          const answers = await tills[t]!.outcomes(records);
          if (lose) return; // the response never reached the till: it must send again
          for (const a of answers) {
            const before = settled.get(a.id!);
            if (before) expect(a.outcome).toBe(before);
            settled.set(a.id!, a.outcome);
          }
          journal[t] = journal[t]!.filter((r) => !answers.some((a) => a.id === r.id));
        };
        for (const e of events) {
          if (e.kind === 'collect') {
            const v = vouchers[e.voucher]!;
            const at = e.late ? new Date(Date.parse(v.expires_at) + 1000) : h.clock.now();
            journal[e.till]!.push(await tills[e.till]!.record(v.token, 1000, { collectedAt: at }));
          } else if (e.kind === 'send') {
            const pending = e.reverse ? [...journal[e.till]!].reverse() : journal[e.till]!;
            await send(e.till, pending, e.lose);
          } else if (e.kind === 'cancel') {
            await h.req('POST', `/v1/vouchers/${vouchers[e.voucher]!.id}/cancel`);
          } else {
            h.clock.advance(e.minutes * 60_000);
          }
        }
        // Back online for good: everything left drains, with answers heard.
        for (let t = 0; t < 3; t++) await send(t, journal[t]!, false);
        expect(journal.flat()).toHaveLength(0);

        const ids = vouchers.map((v) => v.id);
        const rows = (await database.db.execute(sql`select voucher_id, outcome, count(*)::int as n from collections where voucher_id in ${ids} group by 1, 2`)) as unknown as {
          rows: Array<{ voucher_id: string; outcome: string; n: number }>;
        };
        for (const v of vouchers) {
          const accepted = rows.rows.find((r) => r.voucher_id === v.id && r.outcome === 'accepted')?.n ?? 0;
          expect(accepted).toBeLessThanOrEqual(1);
          const now = await (await h.req('GET', `/v1/vouchers/${v.id}`)).json();
          expect(now.status === 'paid').toBe(accepted === 1);
        }
        const stored = (await database.db.execute(sql`select id, outcome from collections where device_id in ${tills.map((t) => t.id)}`)) as unknown as {
          rows: Array<{ id: string; outcome: string }>;
        };
        expect(stored.rows).toHaveLength(settled.size);
        for (const r of stored.rows) expect(settled.get(r.id)).toBe(r.outcome);
      }),
      { numRuns: driver.name === 'pglite' ? 25 : 15, seed: 20261126 },
    );
  });
});
