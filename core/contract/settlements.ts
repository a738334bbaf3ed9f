/** Settlement statements (`/v1/settlements`): what a store or merchant is owed or owes for a business day. */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { documented } from './docs.ts';

export const PARTY_KINDS = ['store', 'merchant'] as const;
/** What a ledger transaction records (docs/architecture.md §2). */
export const TRANSACTION_KINDS = ['collection', 'collection_exception', 'refund', 'refund_paid', 'refund_returned', 'remittance', 'payout', 'write_off', 'correction'] as const;

/** Minor units; a JSON number up to 2^53 − 1, beyond that a decimal string so it stays exact. */
export const ExactAmount = documented(z.union([z.int(), z.string().check(z.regex(/^-?\d+$/))]), {
  description: 'Minor units; a JSON number up to 2^53 − 1, beyond that a decimal string so it stays exact.',
});
export type ExactAmount = z.infer<typeof ExactAmount>;

const statementFields = {
  id: z.string(),
  object: z.literal('statement'),
  business_date: z.string(),
  party: z.object({ kind: z.enum(PARTY_KINDS), id: z.string() }),
  currency: z.string(),
  transactions: z.int(),
  amount: ExactAmount,
  meaning: z.string(),
  created_at: Timestamp,
};
export const Settlement = documented(z.object(statementFields), { id: 'Settlement' });
export type Settlement = z.infer<typeof Settlement>;

export const SettlementList = z.object({ object: z.literal('list'), data: z.array(Settlement) });
export type SettlementList = z.infer<typeof SettlementList>;

/** One transaction on a statement, traced to its collection and voucher; amounts in minor units, from the party's side. */
export const StatementLine = z.object({
  transaction_id: z.string(),
  kind: z.enum(TRANSACTION_KINDS),
  collection_id: z.nullable(z.string()),
  /** For refund lines (issued, paid out, returned): the refund. */
  refund_id: z.nullable(z.string()),
  voucher_id: z.nullable(z.string()),
  order_ref: z.nullable(z.string()),
  collected_at: z.nullable(Timestamp),
  posted_at: Timestamp,
  gross: z.int(),
  fee: z.int(),
  commission: z.int(),
  net: z.int(),
  memo: z.nullable(z.string()),
});
export type StatementLine = z.infer<typeof StatementLine>;

/** A statement with every line traced to its collection. */
export const SettlementWithLines = z.object({ ...statementFields, lines: z.array(StatementLine) });
export type SettlementWithLines = z.infer<typeof SettlementWithLines>;

export const SettlementQuery = z.strictObject({ format: z.optional(z.enum(['json', 'csv'])) });
