/**
 * Ledger rules (docs/architecture.md §1.6, §2 "money balances"): which postings each money event makes.
 * Amounts are signed minor units, debit positive and credit negative; every transaction sums to
 * zero per currency. Balances are never stored: they are sums of postings.
 *
 * Accounts:
 *   store:<id>          what the store owes the operator (cash it took, less its commission)
 *   merchant:<id>       what the operator owes the merchant (negative balance = owed)
 *   operator:revenue    the operator's fees
 *   operator:commission what the operator pays stores as commission (an expense)
 *   operator:bank       money the operator actually holds
 *   shoppers:refunds    money owed back to shoppers: refunds not yet paid out (docs/refunds.md)
 *   operator:write_offs cash a till recorded that a review decided nobody is owed (docs/refunds.md)
 */

export interface Posting {
  account: string;
  amount: number;
  currency: string;
}

export const Account = {
  store: (id: string) => `store:${id}`,
  merchant: (id: string) => `merchant:${id}`,
  revenue: 'operator:revenue',
  commission: 'operator:commission',
  bank: 'operator:bank',
  refunds: 'shoppers:refunds',
  writeOffs: 'operator:write_offs',
} as const;

/**
 * `bp` basis points of `amount`, rounded half up (away from zero for these non-negative amounts):
 * floor((amount · bp + 5000) / 10000), in integers only. Amounts are ≤ 10^8 and bp ≤ 10^4, so the
 * product stays far below 2^53.
 */
export function basisPoints(amount: number, bp: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0 || !Number.isInteger(bp) || bp < 0 || bp > 10_000) throw new RangeError(`bad fee input: ${amount} × ${bp} bp`);
  return Math.floor((amount * bp + 5000) / 10_000);
}

/** The operator's fee on a collection: percentage plus fixed part, never more than the amount. */
export function feeFor(amount: number, fee: { basisPoints: number; fixed: number }): number {
  return Math.min(amount, basisPoints(amount, fee.basisPoints) + fee.fixed);
}

/** An accepted collection: the store owes the cash, the merchant is owed it less the fee, the store earns its commission. */
export function collectionPostings(q: { amount: number; currency: string; storeId: string; merchantId: string; fee: number; commission: number }): Posting[] {
  const c = q.currency;
  return [
    { account: Account.store(q.storeId), amount: q.amount, currency: c },
    { account: Account.merchant(q.merchantId), amount: -(q.amount - q.fee), currency: c },
    { account: Account.revenue, amount: -q.fee, currency: c },
    { account: Account.commission, amount: q.commission, currency: c },
    { account: Account.store(q.storeId), amount: -q.commission, currency: c },
  ].filter((p) => p.amount !== 0);
}

/** A duplicate, late or mismatched collection: the store holds cash that is owed back to the shopper. */
export function exceptionPostings(q: { amount: number; currency: string; storeId: string }): Posting[] {
  return [
    { account: Account.store(q.storeId), amount: q.amount, currency: q.currency },
    { account: Account.refunds, amount: -q.amount, currency: q.currency },
  ];
}

/**
 * A merchant refunds a paid voucher: what the operator owes the merchant becomes owed to the
 * shopper. The fee on the original collection is not returned (docs/refunds.md).
 */
export function merchantRefundPostings(q: { amount: number; currency: string; merchantId: string }): Posting[] {
  return [
    { account: Account.merchant(q.merchantId), amount: q.amount, currency: q.currency },
    { account: Account.refunds, amount: -q.amount, currency: q.currency },
  ];
}

/** A refund canceled by the merchant or expired unclaimed: the money is the merchant's again. */
export function refundReturnedPostings(q: { amount: number; currency: string; merchantId: string }): Posting[] {
  return [
    { account: Account.refunds, amount: q.amount, currency: q.currency },
    { account: Account.merchant(q.merchantId), amount: -q.amount, currency: q.currency },
  ];
}

/** A store paid a refund out to the shopper from its drawer: the store owes that much less. */
export function refundPaidPostings(q: { amount: number; currency: string; storeId: string }): Posting[] {
  return [
    { account: Account.refunds, amount: q.amount, currency: q.currency },
    { account: Account.store(q.storeId), amount: -q.amount, currency: q.currency },
  ];
}

/**
 * A review writes a collection off: the cash the till recorded stays the store's debt, and nobody
 * is owed it (`from`: the store, or shoppers:refunds when the collection's refund is withdrawn).
 */
export function writeOffPostings(q: { amount: number; currency: string; from: string }): Posting[] {
  return [
    { account: q.from, amount: q.amount, currency: q.currency },
    { account: Account.writeOffs, amount: -q.amount, currency: q.currency },
  ];
}

/** The store sent money to the operator. */
export function remittancePostings(q: { amount: number; currency: string; storeId: string }): Posting[] {
  return [
    { account: Account.bank, amount: q.amount, currency: q.currency },
    { account: Account.store(q.storeId), amount: -q.amount, currency: q.currency },
  ];
}

/** The operator paid the merchant. */
export function payoutPostings(q: { amount: number; currency: string; merchantId: string }): Posting[] {
  return [
    { account: Account.merchant(q.merchantId), amount: q.amount, currency: q.currency },
    { account: Account.bank, amount: -q.amount, currency: q.currency },
  ];
}

/** True when the postings sum to zero in every currency. */
export function isBalanced(postings: readonly Posting[]): boolean {
  const sums = new Map<string, number>();
  for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount);
  return [...sums.values()].every((v) => v === 0);
}
