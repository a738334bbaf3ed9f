import { exactAmount } from './exact-amount.ts';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { collections, ledgerPostings, ledgerTransactions, merchants, settlementRuns, statements, statementTransactions, stores, vouchers } from '../db/schema.ts';
import type { Posting } from '../../core/ledger/ledger-rules.ts';
import { newId } from '../ids.ts';

export type LedgerTransactionRow = typeof ledgerTransactions.$inferSelect;
export type LedgerPostingRow = typeof ledgerPostings.$inferSelect;
export type StatementRow = typeof statements.$inferSelect;
export type CollectionRow = typeof collections.$inferSelect;
type PartyKind = StatementRow['partyKind'];
/** A ledger transaction's head, and whether it is live money (test mode writes nothing). */
type LedgerHead = Omit<typeof ledgerTransactions.$inferInsert, 'id'> & { livemode: boolean };

export const ledgerRepository = {
  /**
   * Writes one balanced transaction. The database re-checks the balance at commit
   * (ledger_postings_balanced), so a bug here cannot leave money unaccounted for. Test-mode money
   * (`livemode: false`) is never written: no test voucher or refund touches an account, a
   * settlement or a statement (docs/test-mode.md); every caller says which it is.
   */
  async post(tx: Tx, head: LedgerHead, postings: Posting[]): Promise<string | null> {
    return (await ledgerRepository.postMany(tx, [{ head, postings }]))[0]!;
  },

  /** Writes several balanced transactions (as `post`), in two statements for all of them; their ids, null for test mode. */
  async postMany(tx: Tx, entries: Array<{ head: LedgerHead; postings: Posting[] }>): Promise<Array<string | null>> {
    const ids = entries.map((e) => (e.head.livemode ? newId('ltx') : null));
    const live = entries.flatMap((e, i) => (ids[i] ? [{ ...e, id: ids[i] }] : []));
    if (live.length === 0) return ids;
    await tx.insert(ledgerTransactions).values(live.map(({ head: { livemode: _, ...row }, id }) => ({ ...row, id })));
    const postings = live.flatMap((e) => e.postings.map((p) => ({ transactionId: e.id, account: p.account, amount: p.amount, currency: p.currency })));
    if (postings.length > 0) await tx.insert(ledgerPostings).values(postings);
    return ids;
  },

  /** Balances derived from postings: account → currency → sum. */
  async balances(db: Db, accountPrefix?: string): Promise<Array<{ account: string; currency: string; balance: number | string }>> {
    // Summed as numeric and read as text: exact however large (api/ledger/exact-amount.ts).
    const rows = await db
      .select({ account: ledgerPostings.account, currency: ledgerPostings.currency, balance: sql<string>`sum(${ledgerPostings.amount})::text` })
      .from(ledgerPostings)
      .where(accountPrefix ? sql`${ledgerPostings.account} like ${`${accountPrefix}%`}` : undefined)
      .groupBy(ledgerPostings.account, ledgerPostings.currency)
      .orderBy(ledgerPostings.account, ledgerPostings.currency);
    return rows.map((r) => ({ ...r, balance: exactAmount(r.balance) }));
  },

  async collection(db: Db, id: string): Promise<CollectionRow | undefined> {
    return (await db.select().from(collections).where(eq(collections.id, id)).limit(1))[0];
  },

  /** A store of the operator's (a test till's store has no money to remit). */
  async storeExists(db: Db, id: string): Promise<boolean> {
    return (
      (
        await db
          .select({ id: stores.id })
          .from(stores)
          .where(and(eq(stores.id, id), isNull(stores.testMerchantId)))
          .limit(1)
      ).length > 0
    );
  },

  /** A live merchant (a test-mode twin has no money to pay out). */
  async merchantExists(db: Db, id: string): Promise<boolean> {
    return (
      (
        await db
          .select({ id: merchants.id })
          .from(merchants)
          .where(and(eq(merchants.id, id), isNull(merchants.testOf)))
          .limit(1)
      ).length > 0
    );
  },

  /** Records the day's settlement run; false when the day already has one (settlement_runs is one per day). */
  async claimRun(tx: Tx, row: typeof settlementRuns.$inferInsert): Promise<boolean> {
    const run = await tx.insert(settlementRuns).values(row).onConflictDoNothing().returning();
    return run.length > 0;
  },

  /** The party's ledger transactions posted before `cutoff` that no statement of that side covers yet. */
  async unstated(tx: Tx, party: PartyKind, cutoff: Date): Promise<Array<{ id: string; partyId: string | null; currency: string }>> {
    const column = party === 'store' ? ledgerTransactions.storeId : ledgerTransactions.merchantId;
    return tx
      .select({ id: ledgerTransactions.id, partyId: column, currency: ledgerTransactions.currency })
      .from(ledgerTransactions)
      .where(
        and(
          sql`${column} is not null`,
          sql`${ledgerTransactions.createdAt} < ${cutoff}`,
          sql`not exists (select 1 from statement_transactions st where st.transaction_id = ${ledgerTransactions.id} and st.party_kind = ${party})`,
        ),
      );
  },

  /** A statement and the transactions it covers (statement_transactions is unique per transaction and side). */
  async insertStatement(tx: Tx, row: typeof statements.$inferInsert, transactionIds: string[]): Promise<void> {
    await tx.insert(statements).values(row);
    await tx.insert(statementTransactions).values(transactionIds.map((transactionId) => ({ statementId: row.id, transactionId, partyKind: row.partyKind })));
  },

  async statement(db: Db, id: string): Promise<StatementRow | undefined> {
    return (await db.select().from(statements).where(eq(statements.id, id)).limit(1))[0];
  },

  async statementsOn(db: Db, businessDate: string): Promise<StatementRow[]> {
    return db.select().from(statements).where(eq(statements.businessDate, businessDate)).orderBy(asc(statements.partyKind), asc(statements.partyId));
  },

  /** A party's statements, newest business day first. */
  async statementsOf(db: Db, owner: { kind: PartyKind; id: string }): Promise<StatementRow[]> {
    return db
      .select()
      .from(statements)
      .where(and(eq(statements.partyKind, owner.kind), eq(statements.partyId, owner.id)))
      .orderBy(sql`${statements.businessDate} desc`, asc(statements.id));
  },

  /** The sum of the statement's postings on `account` (numeric, as text) and how many transactions it covers. */
  async statementTotal(db: Db, statementId: string, account: string): Promise<{ total: string; count: number } | undefined> {
    const [row] = await db
      .select({ total: sql<string>`coalesce(sum(${ledgerPostings.amount}), 0)`, count: sql<number>`count(distinct ${statementTransactions.transactionId})::int` })
      .from(statementTransactions)
      .innerJoin(ledgerPostings, and(eq(ledgerPostings.transactionId, statementTransactions.transactionId), eq(ledgerPostings.account, account)))
      .where(eq(statementTransactions.statementId, statementId));
    return row;
  },

  /** The statement's transactions, oldest first, with the collection and voucher each came from (if any). */
  async statementTransactions(db: Db, statementId: string) {
    return db
      .select({ t: ledgerTransactions, voucherId: collections.voucherId, collectionAmount: collections.amount, collectedAt: collections.collectedAt, orderRef: vouchers.orderRef })
      .from(statementTransactions)
      .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, statementTransactions.transactionId))
      .leftJoin(collections, eq(collections.id, ledgerTransactions.collectionId))
      .leftJoin(vouchers, eq(vouchers.id, collections.voucherId))
      .where(eq(statementTransactions.statementId, statementId))
      .orderBy(asc(ledgerTransactions.createdAt), asc(ledgerTransactions.id));
  },

  async postingsOf(db: Db, transactionIds: string[]): Promise<LedgerPostingRow[]> {
    if (transactionIds.length === 0) return [];
    return db.select().from(ledgerPostings).where(inArray(ledgerPostings.transactionId, transactionIds));
  },
};
