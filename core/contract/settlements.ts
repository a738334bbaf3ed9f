/** Settlement statements (`/v1/settlements`): what a store or merchant is owed or owes for a business day. */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

export const PARTY_KINDS = ['store', 'merchant'] as const;
/** What a ledger transaction records (docs/architecture.md §2). */
export const TRANSACTION_KINDS = ['collection', 'collection_exception', 'refund', 'refund_paid', 'refund_returned', 'remittance', 'payout', 'write_off', 'correction'] as const;

/** Minor units; a JSON number up to 2^53 − 1, beyond that a decimal string so it stays exact. */
export const ExactAmount = documented(z.union([z.int(), z.string().check(z.regex(/^-?\d+$/))]), {
  description: 'Minor units; a JSON number up to 2^53 − 1, beyond that a decimal string so it stays exact.',
});
export type ExactAmount = z.infer<typeof ExactAmount>;

const statementFields = {
  id: described(z.string(), "The statement's id."),
  object: described(z.literal('statement'), 'Always `statement`.'),
  business_date: described(z.string(), 'The business day it covers (YYYY-MM-DD).'),
  party: described(
    z.object({ kind: described(z.enum(PARTY_KINDS), 'Whose statement: a `store` or a `merchant`.'), id: described(z.string(), "The store's or merchant's id.") }),
    'Who the statement is for.',
  ),
  currency: described(z.string(), 'The ISO 4217 code of the amounts.'),
  transactions: described(z.int(), 'How many ledger transactions the day had for this party.'),
  amount: ExactAmount,
  meaning: described(z.string(), "What amount is, from the party's side: to remit to the operator (a store), or to be paid to the merchant."),
  created_at: described(Timestamp, 'When the statement was drawn up.'),
};
export const Settlement = documented(z.object(statementFields), { id: 'Settlement', description: 'What a store or merchant is owed or owes for one business day.' });
export type Settlement = z.infer<typeof Settlement>;

export const SettlementList = z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(Settlement), 'Your statements.') });
export type SettlementList = z.infer<typeof SettlementList>;

/** One transaction on a statement, traced to its collection and voucher; amounts in minor units, from the party's side. */
export const StatementLine = z.object({
  transaction_id: described(z.string(), 'The ledger transaction.'),
  kind: described(z.enum(TRANSACTION_KINDS), 'What the transaction records (docs/architecture.md).'),
  collection_id: z.nullable(described(z.string(), 'The collection it comes from; null when none.')),
  /** For refund lines (issued, paid out, returned): the refund. */
  refund_id: z.nullable(described(z.string(), 'For refund lines (issued, paid out, returned): the refund; else null.')),
  voucher_id: z.nullable(described(z.string(), 'The voucher it traces to; null when none.')),
  order_ref: z.nullable(described(z.string(), "That voucher's order number; null when none.")),
  collected_at: z.nullable(described(Timestamp, "When the till collected the cash, by the till's clock; null when not a collection.")),
  posted_at: described(Timestamp, 'When the transaction was posted to the ledger.'),
  gross: described(z.int(), 'The whole amount, in minor units.'),
  fee: described(z.int(), "The operator's fee on it, in minor units."),
  commission: described(z.int(), 'The commission on it, in minor units.'),
  net: described(z.int(), "The party's net, in minor units, from its side."),
  memo: z.nullable(described(z.string(), 'A note on the transaction; null when none.')),
});
export type StatementLine = z.infer<typeof StatementLine>;

/** A statement with every line traced to its collection. */
export const SettlementWithLines = z.object({ ...statementFields, lines: described(z.array(StatementLine), 'Every transaction of the day, traced to its collection.') });
export type SettlementWithLines = z.infer<typeof SettlementWithLines>;

export const SettlementQuery = z.strictObject({ format: z.optional(described(z.enum(['json', 'csv']), 'The answer as JSON (default) or as a CSV file of its lines.')) });
