/**
 * Why a collection that did not pay its voucher gets the outcome it gets: the pure rule beside the
 * till's own check (till-check.ts). The ingest asks the database first (a guarded UPDATE pays an
 * open, unexpired voucher with the same amount exactly once); only when that did not pay it does
 * this rule say which exception it is, from the voucher as it now stands.
 */
import type { CollectionOutcome, RejectReason } from './outcome.ts';

export interface VoucherState {
  id: string;
  status: 'open' | 'paid' | 'expired' | 'canceled';
  amount: number;
  currency: string;
  expiresAt: Date;
  canceledAt: Date | null;
  paidCollectionId: string | null;
}

export interface ClaimedCollection {
  amount: number;
  currency: string;
  /** The time the till claims (RFC 3339, as recorded). */
  collectedAt: string;
  /** The time the voucher is judged at: the claimed time, or the receipt for a backdated record. */
  judgedAt: Date;
  /** Why the claimed time is outside the till's clock bound below, when it is (core/collections/clock-bound.ts). */
  backdated: string | null;
}

export type Classification = { outcome: Exclude<CollectionOutcome, 'accepted'>; reason?: RejectReason; detail: string };

/** The exception a collection is, given that it did not pay the voucher. */
export function classifyUnpaid(v: VoucherState, c: ClaimedCollection): Classification {
  const claimed = new Date(c.collectedAt).getTime();
  if (v.status === 'paid')
    return { outcome: 'duplicate', detail: `voucher ${v.id} was already paid (collection ${v.paidCollectionId}); refund ${c.amount} ${c.currency} to the shopper` };
  if (v.status === 'canceled') return { outcome: 'late', detail: `voucher ${v.id} was canceled at ${v.canceledAt?.toISOString()}; refund the shopper` };
  // Only the (unbelieved) claimed time would have made it paid: a person decides.
  if (c.backdated !== null && v.expiresAt.getTime() > claimed && v.expiresAt.getTime() <= c.judgedAt.getTime()) {
    return {
      outcome: 'rejected',
      reason: 'clock_out_of_bounds',
      detail: `the till's clock ${c.backdated}; only that time would make voucher ${v.id} (expired at ${v.expiresAt.toISOString()}) paid, so the collection is held for review`,
    };
  }
  if (v.expiresAt.getTime() <= c.judgedAt.getTime())
    return { outcome: 'late', detail: `voucher ${v.id} expired at ${v.expiresAt.toISOString()}, before the collection at ${c.collectedAt}; refund the shopper` };
  if (v.amount !== c.amount || v.currency !== c.currency)
    return { outcome: 'mismatch', detail: `collected ${c.amount} ${c.currency} but voucher ${v.id} is for ${v.amount} ${v.currency}; held for review` };
  throw new Error(`voucher ${v.id} is open and matches, yet did not settle`);
}
