/**
 * Sends a queued voucher or refund message: builds it from the voucher or refund as it is now (one
 * paid or canceled meanwhile is not sent: the shopper no longer needs it) and hands it to the
 * delivery layer (api/messages).
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { deliverRefund, deliverVoucher, DeliveryError, type DeliveryDeps } from '../messages/delivery.ts';
import type { RefundMessage } from '../messages/refund-message.ts';
import { messageLocaleFor, type VoucherMessage } from '../messages/voucher-message.ts';
import type { VouchersService } from '../merchant-api/vouchers/vouchers.service.ts';
import { refundsRepository } from '../refunds/refunds.repository.ts';
import type { RefundsService } from '../refunds/refunds.service.ts';
import type { Refund } from '../../core/contract/refunds.ts';
import type { Voucher } from '../../core/contract/vouchers.ts';
import { eq } from 'drizzle-orm';
import { merchants, vouchers } from '../db/schema.ts';
import type { MessageSender } from './worker.ts';

/** The message for a voucher as the merchant API shows it, to one address. */
export function voucherMessage(v: Voucher, to: VoucherMessage['to'], locale: VoucherMessage['locale']): VoucherMessage {
  return {
    voucher_id: v.id,
    merchant_name: v.merchant.name,
    order_ref: v.order_ref,
    amount: v.amount,
    currency: v.currency,
    expires_at: v.expires_at,
    voucher_url: v.voucher_url,
    qr: v.qr,
    reference: v.reference,
    items: v.items,
    locale,
    to,
  };
}

/** The message for a refund as the merchant API shows it, from the merchant named, to one address. */
export function refundMessage(r: Refund, merchantName: string, to: RefundMessage['to'], locale: RefundMessage['locale']): RefundMessage {
  return {
    refund_id: r.id,
    merchant_name: merchantName,
    order_ref: r.order_ref,
    amount: r.amount,
    currency: r.currency,
    expires_at: r.expires_at,
    refund_url: r.refund_url,
    qr: r.qr,
    reference: r.reference,
    payout_code: r.payout_code,
    locale,
    to,
  };
}

export function voucherMessageSender(db: Db, vouchers: VouchersService, refunds: RefundsService, clock: Clock, deps: DeliveryDeps): MessageSender {
  return {
    async sendRefund(channel, refundId) {
      const row = await refundsRepository.byId(db, refundId);
      if (!row) throw new DeliveryError(`refund ${refundId} no longer exists`, true);
      const r = refunds.toJson(row, clock.now());
      if (r.status !== 'pending') throw new DeliveryError(`refund ${refundId} is ${r.status}; the shopper no longer needs it`, true);
      // The shopper's address and language are the voucher's: a refund goes where the voucher went.
      const found = await voucherForMessage(db, row.voucherId);
      if (!found) throw new DeliveryError(`voucher ${row.voucherId} of refund ${refundId} no longer exists`, true);
      const to = channel === 'email' ? { email: found.row.customer?.email } : { phone: found.row.customer?.phone };
      await deliverRefund(channel, refundMessage(r, found.merchantName, to, messageLocaleFor(found.row.customer?.locale)), deps);
    },
    async sendVoucher(channel, voucherId) {
      const found = await voucherForMessage(db, voucherId);
      if (!found) throw new DeliveryError(`voucher ${voucherId} no longer exists`, true);
      const v = vouchers.toJson(found.row, { name: found.merchantName }, clock.now());
      if (v.status !== 'open') throw new DeliveryError(`voucher ${voucherId} is ${v.status}; the shopper no longer needs it`, true);
      const to = channel === 'email' ? { email: found.row.customer?.email } : { phone: found.row.customer?.phone };
      await deliverVoucher(channel, voucherMessage(v, to, messageLocaleFor(found.row.customer?.locale)), deps);
    },
  };
}

/** Builds what the message layer needs from a voucher row (used by the server's MessageSender). */
async function voucherForMessage(db: Db, voucherId: string) {
  const [row] = await db.select().from(vouchers).where(eq(vouchers.id, voucherId)).limit(1);
  if (!row) return undefined;
  const [merchant] = await db.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, row.merchantId)).limit(1);
  return { row, merchantName: merchant?.name ?? '' };
}
