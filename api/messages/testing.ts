/** Sample voucher and refund messages for the delivery layer's unit tests. */
import type { RefundMessage } from './refund-message.ts';
import type { VoucherMessage } from './voucher-message.ts';

export const sampleMessage = (over: Partial<VoucherMessage> = {}): VoucherMessage => ({
  voucher_id: 'vch_04j2kd8w1x7m2',
  merchant_name: 'Demo Shop',
  order_ref: 'ORD-1001',
  amount: 4990,
  currency: 'EUR',
  expires_at: '2026-11-29T12:00:00Z',
  voucher_url: 'http://localhost:8080/v/0123456789abcdefghijklmnop',
  qr: `HTTP://LOCALHOST:8080/V/${'1234567890'.repeat(30)}`,
  reference: '123456789012',
  items: [{ name: 'Mug', quantity: 2, unit_amount: 2495 }],
  locale: 'en',
  to: { email: 'shopper@example.com', phone: '+4915112345678' },
  ...over,
});

/** A sample refund message: the refund link is the voucher's short link opened at the refund. */
export const sampleRefundMessage = (over: Partial<RefundMessage> = {}): RefundMessage => ({
  refund_id: 'rfd_04j2kd8w1x7m2',
  merchant_name: 'Demo Shop',
  order_ref: 'ORD-1001',
  amount: 4990,
  currency: 'EUR',
  expires_at: '2026-12-26T12:00:00Z',
  refund_url: 'http://localhost:8080/v/0123456789abcdefghijklmnop?refund=rfd_04j2kd8w1x7m2',
  qr: `HTTP://LOCALHOST:8080/V/${'9876543210'.repeat(30)}`,
  reference: '210987654321',
  payout_code: '123456',
  locale: 'en',
  to: { email: 'shopper@example.com', phone: '+4915112345678' },
  ...over,
});
