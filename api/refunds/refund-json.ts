/** How a refund row reads: to its merchant (the contract's Refund) and to the shopper holding the voucher. */
import type { Refund } from '../../core/contract/refunds.ts';
import type { RefundForShopper } from '../../core/contract/voucher-link.ts';
import { refundStatusOf } from '../../core/refunds/refund-status.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import type { RefundRow } from './refunds.repository.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function refundJson(row: RefundRow, publicUrl: string, now: Date): Refund {
  return {
    id: row.id,
    object: 'refund',
    livemode: row.livemode,
    status: refundStatusOf(row.state, row.expiresAt, now),
    amount: row.amount,
    currency: row.currency,
    voucher_id: row.voucherId,
    order_ref: row.orderRef,
    reason: row.reason,
    collection_id: row.collectionId,
    reference: row.reference,
    token: row.token,
    qr: voucherQrText(publicUrl, row.token),
    refund_url: `${publicUrl}/v/${row.voucherLinkCode}?refund=${row.id}`,
    payout_code: row.payoutCode,
    payout_code_sent_to: row.payoutCodeSentTo,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    paid_at: iso(row.paidAt),
    canceled_at: iso(row.canceledAt),
    expired_at: iso(row.expiredAt),
    store_id: row.paidStoreId,
    till_id: row.paidDeviceId,
    authorized_at: iso(row.authorizedAt),
  };
}

/** What the wallet keeps: never the payout code (that goes to the shopper by another channel). */
export function refundForShopper(row: RefundRow, publicUrl: string, now: Date): RefundForShopper {
  return {
    id: row.id,
    status: refundStatusOf(row.state, row.expiresAt, now),
    amount: row.amount,
    currency: row.currency,
    reference: row.reference,
    token: row.token,
    qr: voucherQrText(publicUrl, row.token),
    expires_at: row.expiresAt.toISOString(),
    paid_at: iso(row.paidAt),
    code_sent: row.payoutCodeSentTo.length > 0,
  };
}
