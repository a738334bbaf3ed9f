/**
 * The refunds of a saved voucher (docs/refunds.md): money going back to the shopper, paid out in
 * cash at any store's till against the refund's own QR. The wallet keeps what the server listed
 * with the voucher record, so the QR shows with no network.
 */
import type { RefundForShopper } from '../../core/contract/voucher-link.ts';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import { refundStatusOf, type RefundStatus } from '../../core/refunds/refund-status.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { refundIdToString } from '../../core/vouchers/voucher-id.ts';

/**
 * The refunds of a server answer this phone may keep and show: each token must be a refund's (a
 * till refuses anything else) and say what the answer says, and the QR must carry that token.
 * One that does not would be a server bug; it is left out, and said so on the console.
 */
export function acceptedRefunds(refunds: readonly RefundForShopper[]): RefundForShopper[] {
  return refunds.filter((r) => {
    const decoded = decodeVoucherToken(r.token);
    const ok =
      decoded.ok &&
      decoded.claims.kind === 'refund' &&
      refundIdToString(decoded.claims.voucherId) === r.id &&
      referenceForVoucherId(decoded.claims.voucherId) === r.reference &&
      decoded.claims.amount === r.amount &&
      decoded.claims.currency === r.currency &&
      r.qr.endsWith(`/V/${r.token}`);
    if (!ok) console.warn('Counterpay: a refund in the server’s answer does not match its token and is not kept', r.id);
    return ok;
  });
}

/** What to show now: a pending refund past its expiry reads expired even before the server says so. */
export function refundStatusAt(refund: Pick<RefundForShopper, 'status' | 'expires_at'>, now: Date): RefundStatus {
  return refundStatusOf(refund.status, new Date(refund.expires_at), now);
}

/** What the shopper can collect now, over all of a voucher's refunds (0 when none is pending). */
export function pendingRefundTotal(refunds: readonly RefundForShopper[], now: Date): number {
  return refunds.reduce((sum, r) => (refundStatusAt(r, now) === 'pending' ? sum + r.amount : sum), 0);
}
