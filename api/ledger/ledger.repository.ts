import { exactAmount } from './exact-amount.ts';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { ledgerPostings, ledgerTransactions } from '../db/schema.ts';
import type { Tx } from '../idempotency/idempotency.repository.ts';
import type { Posting } from '../../core/ledger/ledger-rules.ts';
import { newId } from '../ids.ts';

export type LedgerTransactionRow = typeof ledgerTransactions.$inferSelect;

export const ledgerRepository = {
  /**
   * Writes one balanced transaction. The database re-checks the balance at commit
   * (ledger_postings_balanced), so a bug here cannot leave money unaccounted for.
   */
  async post(tx: Tx, head: Omit<typeof ledgerTransactions.$inferInsert, 'id'>, postings: Posting[]): Promise<string> {
    const id = newId('ltx');
    await tx.insert(ledgerTransactions).values({ ...head, id });
    if (postings.length > 0) await tx.insert(ledgerPostings).values(postings.map((p) => ({ transactionId: id, account: p.account, amount: p.amount, currency: p.currency })));
    return id;
  },

  /** Balances derived from postings: account → currency → sum. */
  async balances(db: Db, accountPrefix?: string): Promise<Array<{ account: string; currency: string; balance: number | string }>> {
    // Summed as numeric and read as text: exact however large (api/ledger/exact-amount.ts).
    const rows = await db
      .select({ account: ledgerPostings.account, currency: ledgerPostings.currency, balance: sql<string>`sum(${ledgerPostings.amount})::text` })
      .from(ledgerPostings)
      .where(accountPrefix ? sql`${ledgerPostings.account} like ${accountPrefix + '%'}` : undefined)
      .groupBy(ledgerPostings.account, ledgerPostings.currency)
      .orderBy(ledgerPostings.account, ledgerPostings.currency);
    return rows.map((r) => ({ ...r, balance: exactAmount(r.balance) }));
  },
};
