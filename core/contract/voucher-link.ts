/**
 * The voucher as a shopper holding its link or token may see it (`/v1/voucher-links`,
 * `/v1/voucher-status`): no customer data, no metadata. Kept apart from vouchers.ts so that the
 * shopper's bundle carries only these shapes.
 */
import * as z from 'zod/mini';
import { MAX_AMOUNT } from '../token/limits.ts';
import { VOUCHER_STATUSES } from '../vouchers/voucher-status.ts';
import { REFUND_STATUSES } from '../refunds/refund-status.ts';
import { minorUnits, Timestamp, TokenDigits } from './common.ts';
import { described, documented } from './docs.ts';

/** Most tokens one status request may ask about. */
export const MAX_STATUS_TOKENS = 50;
/** A short link's code: 128 random bits in Crockford Base32, lower case (26 characters). */
export const LINK_CODE = /^[0-9a-hjkmnp-tv-z]{26}$/;

export const VoucherStatus = z.enum(VOUCHER_STATUSES);

export const VoucherItem = documented(
  z.strictObject({
    name: described(
      z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200, 'must be at most 200 characters')),
      'What the line is, as the shopper reads it.',
      'Mug',
    ),
    quantity: described(z.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(9999, 'must be at most 9999')), 'How many of it.', 2),
    unit_amount: described(
      minorUnits('unit_amount').check(z.minimum(0, 'must not be negative'), z.maximum(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)),
      'The price of one, in minor units of the currency.',
      2495,
    ),
  }),
  { id: 'VoucherItem', description: 'One line of the order.' },
);
export type VoucherItem = z.infer<typeof VoucherItem>;

/** What the shopper's wallet keeps of a refund of its voucher: enough to show its QR offline. */
export const RefundForShopper = documented(
  z.object({
    id: described(z.string(), "The refund's id."),
    status: described(z.enum(REFUND_STATUSES), 'pending → paid | canceled | expired.'),
    amount: described(z.int(), 'What the shopper gets back, in minor units of the currency.'),
    currency: described(z.string(), 'The ISO 4217 code of the currency.'),
    reference: described(z.string(), 'Twelve digits with a Damm check digit, typable at the till.'),
    token: described(TokenDigits, 'The signed refund, as digits.'),
    qr: described(z.string(), 'The exact QR text the shopper shows at the till.'),
    expires_at: described(Timestamp, 'When the refund can no longer be collected.'),
    paid_at: z.nullable(described(Timestamp, 'When a till paid it out; null until then.')),
    /** True when the six-digit code a till may ask for was sent to the shopper with the refund (e-mail or SMS). */
    code_sent: described(z.boolean(), 'True when the six-digit code a till may ask for was sent to the shopper with the refund (e-mail or SMS).'),
  }),
  { id: 'RefundForShopper', description: "What the shopper's wallet keeps of a refund of its voucher: enough to show its QR offline." },
);
export type RefundForShopper = z.infer<typeof RefundForShopper>;

/** `GET /v1/voucher-links/{code}`: what a shopper holding the link may see (no customer data, no metadata). */
export const VoucherLink = documented(
  z.object({
    object: described(z.literal('voucher_link'), 'Always `voucher_link`.'),
    voucher_id: described(z.string(), "The voucher's id."),
    status: described(VoucherStatus, 'open → paid | expired | canceled.'),
    merchant: described(z.object({ name: described(z.string(), "The merchant's name.") }), 'The merchant the voucher is payable to.'),
    order_ref: described(z.string(), "The merchant's order number."),
    amount: described(z.int(), 'Amount due, in minor units of the currency.'),
    currency: described(z.string(), 'The ISO 4217 code of the currency.'),
    items: described(z.array(VoucherItem), 'The order lines; empty when the merchant gave none.'),
    reference: described(z.string(), 'Twelve digits with a Damm check digit, typable at the till.'),
    token: described(TokenDigits, 'The signed voucher (docs/voucher-token.md), as digits.'),
    qr: described(z.string(), 'The exact QR text: a URL that opens the shopper view and carries the token.'),
    expires_at: described(Timestamp, 'When the voucher stops being payable.'),
    paid_at: z.nullable(described(Timestamp, 'When it was paid; null until then.')),
    canceled_at: z.nullable(described(Timestamp, 'When the merchant canceled it; null unless canceled.')),
    /** Money going back to the shopper for this voucher, newest first. */
    refunds: described(z.array(RefundForShopper), 'Money going back to the shopper for this voucher, newest first.'),
  }),
  { id: 'VoucherLink', description: 'What a shopper holding the link may see of the voucher: no customer data, no metadata.' },
);
export type VoucherLink = z.infer<typeof VoucherLink>;

export const VoucherStatusRequest = z.strictObject({
  tokens: described(
    z.array(z.string().check(z.maxLength(2000))).check(z.minLength(1, 'at least one token'), z.maxLength(MAX_STATUS_TOKENS, `at most ${MAX_STATUS_TOKENS} tokens`)),
    'Voucher tokens (digits) the wallet holds, one status answered for each in this order.',
    ['1234567890'],
  ),
});

/** One answer per token, in the order asked: the voucher's status, or that the token does not verify. */
export const TokenStatus = z.union([
  z.object({
    voucher_id: described(z.string(), "The token's voucher."),
    status: described(VoucherStatus, "The voucher's status now."),
    paid_at: z.nullable(described(Timestamp, 'When it was paid; null until then.')),
    canceled_at: z.nullable(described(Timestamp, 'When the merchant canceled it; null unless canceled.')),
    refunds: described(z.array(RefundForShopper), "The voucher's refunds, newest first."),
  }),
  z.object({ error: described(z.literal('invalid_token'), 'The token does not verify against the operator keys.') }),
]);
export type TokenStatus = z.infer<typeof TokenStatus>;

export const VoucherStatusAnswer = z.object({ data: described(z.array(TokenStatus), 'One answer per token asked about, in the same order.') });
export type VoucherStatusAnswer = z.infer<typeof VoucherStatusAnswer>;
