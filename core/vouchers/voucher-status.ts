/** The life of a voucher (docs/architecture.md §3). Exceptions such as a late or duplicate collection are a separate axis. */
export const VoucherStatus = {
  /** Created and payable at any store until it expires. */
  open: 'open',
  /** A till's collection was accepted; final. */
  paid: 'paid',
  /**
   * Its expiry passed with no accepted collection. Final, with one exception that offline tills
   * force: a collection taken *before* the expiry that reaches the server after it still pays it.
   */
  expired: 'expired',
  /** The merchant canceled it while open; final. */
  canceled: 'canceled',
} as const;
export type VoucherStatus = (typeof VoucherStatus)[keyof typeof VoucherStatus];

export const VOUCHER_STATUSES = Object.values(VoucherStatus);

/**
 * The status a reader sees. An open voucher whose time has passed reads as expired at once,
 * whether or not a background job has written that down yet.
 */
export function effectiveStatus(stored: VoucherStatus, expiresAt: Date, now: Date): VoucherStatus {
  return stored === VoucherStatus.open && expiresAt.getTime() <= now.getTime() ? VoucherStatus.expired : stored;
}
