import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import type { Database } from '../../api/db/client.ts';
import { sqlState } from '../../api/db/sql-state.ts';
import { ledgerPostings, ledgerTransactions } from '../../api/db/schema.ts';

describe.each(drivers)('ledger and settlement on $name', (driver) => {
  let h: Harness, store: string, merchant: string, database: Database;
  storeSuite(driver, 'Ledger Store', (s) => {
    ({ h, store, database } = s);
    merchant = h.merchantA;
  });

  const till = async () => TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
  const voucher = async (amount = 10_000) => (await h.req('POST', '/v1/vouchers', { order_ref: 'L-1', amount, currency: 'EUR' })).json();
  const balance = async (account: string) => ((await h.services.ledger.balances()).data.find((b) => b.account === account && b.currency === 'EUR')?.balance ?? 0) as number;

  it('posts an accepted collection: the store owes the cash less commission, the merchant is owed it less the fee', async () => {
    const t = await till();
    const before = { store: await balance(`store:${store}`), merchant: await balance(`merchant:${merchant}`), revenue: await balance('operator:revenue') };
    const v = await voucher(10_000);
    expect((await t.outcomes([await t.record(v.token, 10_000)]))[0]!.outcome).toBe('accepted');
    // Defaults: fee 250 bp, commission 100 bp.
    expect((await balance(`store:${store}`)) - before.store).toBe(9_900);
    expect((await balance(`merchant:${merchant}`)) - before.merchant).toBe(-9_750);
    expect((await balance('operator:revenue')) - before.revenue).toBe(-250);
  });

  it('posts a duplicate against a refund owed to the shopper, pays it once, and refuses a refund nobody owes', async () => {
    const [a, b] = [await till(), await till()];
    const v = await voucher(5_000);
    const [ok] = await a.outcomes([await a.record(v.token, 5_000)]);
    const refundsBefore = await balance('shoppers:refunds');
    const [dup] = await b.outcomes([await b.record(v.token, 5_000)]);
    expect(dup!.outcome).toBe('duplicate');
    expect((await balance('shoppers:refunds')) - refundsBefore).toBe(-5_000);
    await h.services.refunds.paidAtStore(dup!.id!);
    expect(await balance('shoppers:refunds')).toBe(refundsBefore);
    await expect(h.services.refunds.paidAtStore(dup!.id!)).rejects.toThrow(/was already paid/);
    await expect(h.services.refunds.paidAtStore(ok!.id!)).rejects.toThrow(/is accepted; only a duplicate, late or mismatched collection/);
  });

  it('refuses an unbalanced transaction and any change to posted entries, in the database itself', async () => {
    const attempt = database.db.transaction(async (tx) => {
      await tx.insert(ledgerTransactions).values({ id: 'ltx_bad', kind: 'correction', currency: 'EUR', memo: 'unbalanced', createdAt: h.clock.now() });
      await tx.insert(ledgerPostings).values({ transactionId: 'ltx_bad', account: 'operator:bank', amount: 100, currency: 'EUR' });
    });
    const err = await attempt.then(
      () => null,
      (e) => e,
    );
    expect(sqlState(err)).toBe('23514');
    const update = await database.db.execute(sql`update ledger_postings set amount = amount + 1`).then(
      () => null,
      (e) => e,
    );
    expect(sqlState(update)).toBe('42501');
    const del = await database.db.execute(sql`delete from ledger_transactions`).then(
      () => null,
      (e) => e,
    );
    expect(sqlState(del)).toBe('42501');
  });

  it('records remittances and payouts and refuses bad amounts', async () => {
    const bank = await balance('operator:bank');
    await h.services.ledger.remittance(store, 1_000, 'EUR', 'bank ref 1');
    await h.services.ledger.payout(merchant, 400, 'EUR');
    expect((await balance('operator:bank')) - bank).toBe(600);
    await expect(h.services.ledger.remittance(store, 0, 'EUR')).rejects.toThrow(/positive whole number/);
    await expect(h.services.ledger.payout(merchant, 10, 'XXX')).rejects.toThrow(/unknown currency/);
    await expect(h.services.ledger.remittance('sto_nope', 10, 'EUR')).rejects.toThrow(/no store/);
  });

  it('settles a past day once, puts a late-arriving collection in the next statement, and exports CSV', async () => {
    const day = (offset: number) => new Date(h.clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    await expect(h.services.ledger.settle(day(1))).rejects.toThrow(/is not over yet/);
    await expect(h.services.ledger.settle('2026-02-30')).rejects.toThrow(/calendar date/);
    const t = await till();
    const v1 = await voucher(2_000);
    await t.outcomes([await t.record(v1.token, 2_000)]);
    h.clock.advance(86_400_000);
    const first = await h.services.ledger.settle(day(-1));
    expect(first.created).toBe(true);
    const again = await h.services.ledger.settle(day(-1));
    expect(again.created).toBe(false);
    expect(again.statements).toEqual(first.statements);

    const storeStatement = first.statements.find((s) => s.party.kind === 'store' && s.party.id === store)!;
    const merchantStatement = first.statements.find((s) => s.party.kind === 'merchant' && s.party.id === merchant)!;
    expect(storeStatement.amount).toBe(await balanceUpTo(`store:${store}`, storeStatement.id));
    const detail = await h.services.ledger.statement(merchantStatement.id);
    expect(detail.lines.map((l) => l.voucher_id)).toContain(v1.id);
    expect(detail.lines.reduce((sum, l) => sum + l.net, 0)).toBe(detail.amount);

    // A till that was offline for days: collected before the settled day ended, synced after.
    const v2 = await voucher(3_000);
    const late = await t.record(v2.token, 3_000, { collectedAt: new Date(h.clock.now().getTime() - 30 * 3600_000) });
    await t.outcomes([late]);
    h.clock.advance(86_400_000);
    const next = await h.services.ledger.settle(day(-1));
    const nextMerchant = await h.services.ledger.statement(next.statements.find((s) => s.party.kind === 'merchant' && s.party.id === merchant)!.id);
    expect(nextMerchant.lines.map((l) => l.voucher_id)).toContain(v2.id);
    expect(nextMerchant.lines.map((l) => l.voucher_id)).not.toContain(v1.id);

    const csv = await h.services.ledger.statementCsv(merchantStatement.id);
    expect(csv.split('\r\n')[0]).toBe('transaction_id,kind,collection_id,refund_id,voucher_id,order_ref,collected_at,posted_at,currency,gross,fee,commission,net,memo');
    expect(csv).toContain(v1.id);
    const res = await h.req('GET', `/v1/settlements/${merchantStatement.id}?format=csv`);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(await res.text()).toBe(csv);
    const list = await (await h.req('GET', '/v1/settlements')).json();
    expect(list.data.map((s: { id: string }) => s.id)).toContain(merchantStatement.id);
    expect((await h.req('GET', `/v1/settlements/${merchantStatement.id}`, undefined, { key: h.keyB })).status).toBe(404);
  });

  async function balanceUpTo(account: string, statementId: string): Promise<number> {
    const r = (await database.db.execute(
      sql`select coalesce(sum(p.amount), 0)::bigint as total from ledger_postings p join statement_transactions st on st.transaction_id = p.transaction_id where st.statement_id = ${statementId} and p.account = ${account}`,
    )) as unknown as { rows: Array<{ total: string | number }> };
    return Number(r.rows[0]!.total);
  }

  it('keeps every transaction balanced and every statement equal to the collections it cites, for any sequence of events', async () => {
    type Step = { kind: 'collect'; amount: number; dup: boolean } | { kind: 'refund' } | { kind: 'remit'; amount: number } | { kind: 'payout'; amount: number } | { kind: 'day' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('collect' as const), amount: fc.integer({ min: 1, max: 50_000 }), dup: fc.boolean() }),
      fc.record({ kind: fc.constant('refund' as const) }),
      fc.record({ kind: fc.constant('remit' as const), amount: fc.integer({ min: 1, max: 10_000 }) }),
      fc.record({ kind: fc.constant('payout' as const), amount: fc.integer({ min: 1, max: 10_000 }) }),
      fc.record({ kind: fc.constant('day' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 12 }), async (steps) => {
        const [a, b] = [await till(), await till()];
        const owed: string[] = [];
        for (const s of steps) {
          if (s.kind === 'collect') {
            const v = await voucher(s.amount);
            await a.outcomes([await a.record(v.token, s.amount)]);
            if (s.dup) owed.push((await b.outcomes([await b.record(v.token, s.amount)]))[0]!.id!);
          } else if (s.kind === 'refund' && owed.length) await h.services.refunds.paidAtStore(owed.pop()!);
          else if (s.kind === 'remit') await h.services.ledger.remittance(store, s.amount, 'EUR');
          else if (s.kind === 'payout') await h.services.ledger.payout(merchant, s.amount, 'EUR');
          else if (s.kind === 'day') {
            h.clock.advance(86_400_000);
            await h.services.ledger.settle(new Date(h.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10));
          }
        }
        const unbalanced = (await database.db.execute(sql`select transaction_id from ledger_postings group by transaction_id, currency having sum(amount) <> 0`)) as unknown as {
          rows: unknown[];
        };
        expect(unbalanced.rows).toEqual([]);
        const total = (await database.db.execute(sql`select coalesce(sum(amount), 0)::bigint as t from ledger_postings`)) as unknown as { rows: Array<{ t: string | number }> };
        expect(Number(total.rows[0]!.t)).toBe(0);
        // Each merchant statement equals the sum of its lines, and each collection line equals its collection less fee.
        const stmts = (await database.db.execute(sql`select id from statements where party_kind = 'merchant'`)) as unknown as { rows: Array<{ id: string }> };
        for (const { id } of stmts.rows.slice(-3)) {
          const st = await h.services.ledger.statement(id);
          expect(st.lines.reduce((sum, l) => sum + l.net, 0)).toBe(st.amount);
          for (const l of st.lines.filter((x) => x.kind === 'collection')) expect(l.net).toBe(l.gross - l.fee);
        }
      }),
      { numRuns: driver.name === 'pglite' ? 8 : 5, seed: 7 },
    );
  });
});
