/**
 * A saved voucher as the screens see it: the stored record plus the claims decoded from its
 * signed token (the token was verified when it was stored).
 */
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import { effectiveStatus, type VoucherStatus } from '../../core/vouchers/voucher-status.ts';
import type { StoresRecord, VoucherRecord } from '../offline/records.ts';
import type { RefundForShopper, VoucherItem } from '../../core/contract/voucher-link.ts';

export interface SavedVoucher {
  id: string;
  token: string;
  qr: string;
  merchant: string;
  orderRef: string;
  amount: number;
  currency: string;
  expiresAt: Date;
  /** The token's short item summary ("2× Mug +1"); shown when the full items are unknown. */
  summary: string;
  items: VoucherItem[] | null;
  /** Twelve digits, check digit last. */
  reference: string;
  /** A test-mode voucher (the signed token says so): no store takes money for it; the screens mark it TEST. */
  test: boolean;
  /** Last status the server reported; see {@link statusAt} for what to show. */
  status: VoucherStatus;
  paidAt: string | null;
  canceledAt: string | null;
  /** Money going back to the shopper, newest first (web/shopper/refunds.ts). */
  refunds: RefundForShopper[];
  statusCheckedAt: Date | null;
  savedAt: Date;
  /** The stores last listed under it, as stored (parsed where shown: web/shopper/where-to-pay.ts). */
  stores: StoresRecord | null;
}

/** Null when the stored token no longer decodes (a record written by a broken or foreign version). */
export function voucherFromRecord(record: VoucherRecord): SavedVoucher | null {
  const decoded = decodeVoucherToken(record.token);
  if (!decoded.ok) return null;
  const { claims } = decoded;
  return {
    id: record.id,
    token: record.token,
    qr: record.qr,
    merchant: record.merchantName ?? claims.merchant,
    orderRef: claims.orderRef,
    amount: claims.amount,
    currency: claims.currency,
    expiresAt: new Date(claims.expiresAt * 1000),
    summary: claims.summary,
    items: record.items,
    reference: referenceForVoucherId(claims.voucherId),
    test: claims.test,
    status: record.status,
    paidAt: record.paidAt,
    canceledAt: record.canceledAt,
    refunds: record.refunds,
    statusCheckedAt: record.statusCheckedAt === null ? null : new Date(record.statusCheckedAt),
    savedAt: new Date(record.savedAt),
    stores: record.stores,
  };
}

/** What to show now: an open voucher past its expiry reads expired even before the server says so. */
export function statusAt(voucher: Pick<SavedVoucher, 'status' | 'expiresAt'>, now: Date): VoucherStatus {
  return effectiveStatus(voucher.status, voucher.expiresAt, now);
}
