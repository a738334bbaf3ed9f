/** The life of a refund (docs/refunds.md); plain constants, so the shopper's bundle can afford them. */
export const RefundStatus = {
  /** Waiting to be paid out at a till; it may be authorised to one till right now. */
  pending: 'pending',
  /** A till paid it out (its signed payout record reached the server); final. */
  paid: 'paid',
  /** The merchant withdrew it before it was paid; the money is the merchant's again. Final. */
  canceled: 'canceled',
  /** Nobody collected it before its expiry; the money is the merchant's again. Final. */
  expired: 'expired',
} as const;
export type RefundStatus = (typeof RefundStatus)[keyof typeof RefundStatus];
export const REFUND_STATUSES = Object.values(RefundStatus);

/**
 * Stored states: `authorized` is `pending` to everyone outside (a till holds the payout grant and
 * either sends its payout record or voids the grant).
 */
export const REFUND_STATES = ['pending', 'authorized', 'paid', 'canceled', 'expired'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

/** What a reader sees: `authorized` reads as pending; a pending refund past its expiry reads as expired at once. */
export function refundStatusOf(state: RefundState, expiresAt: Date, now: Date): RefundStatus {
  if (state === 'authorized') return 'pending';
  return state === 'pending' && expiresAt.getTime() <= now.getTime() ? 'expired' : state;
}
