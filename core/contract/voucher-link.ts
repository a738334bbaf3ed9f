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
import { documented } from './docs.ts';

/** Most tokens one status request may ask about. */
export const MAX_STATUS_TOKENS = 50;
/** A short link's code: 128 random bits in Crockford Base32, lower case (26 characters). */
export const LINK_CODE = /^[0-9a-hjkmnp-tv-z]{26}$/;

export const VoucherStatus = z.enum(VOUCHER_STATUSES);

export const VoucherItem = documented(
  z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200, 'must be at most 200 characters')),
    quantity: z.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(9999, 'must be at most 9999')),
    unit_amount: minorUnits('unit_amount').check(z.minimum(0, 'must not be negative'), z.maximum(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)),
  }),
  { id: 'VoucherItem' },
);
export type VoucherItem = z.infer<typeof VoucherItem>;

/** What the shopper's wallet keeps of a refund of its voucher: enough to show its QR offline. */
export const RefundForShopper = documented(
  z.object({
    id: z.string(),
    status: z.enum(REFUND_STATUSES),
    amount: z.int(),
    currency: z.string(),
    reference: z.string(),
    token: TokenDigits,
    qr: z.string(),
    expires_at: Timestamp,
    paid_at: z.nullable(Timestamp),
    /** True when the six-digit code a till may ask for was sent to the shopper with the refund (e-mail or SMS). */
    code_sent: z.boolean(),
  }),
  { id: 'RefundForShopper' },
);
export type RefundForShopper = z.infer<typeof RefundForShopper>;

/** `GET /v1/voucher-links/{code}`: what a shopper holding the link may see (no customer data, no metadata). */
export const VoucherLink = documented(
  z.object({
    object: z.literal('voucher_link'),
    voucher_id: z.string(),
    status: VoucherStatus,
    merchant: z.object({ name: z.string() }),
    order_ref: z.string(),
    amount: z.int(),
    currency: z.string(),
    items: z.array(VoucherItem),
    reference: z.string(),
    token: TokenDigits,
    qr: z.string(),
    expires_at: Timestamp,
    paid_at: z.nullable(Timestamp),
    canceled_at: z.nullable(Timestamp),
    /** Money going back to the shopper for this voucher, newest first. */
    refunds: z.array(RefundForShopper),
  }),
  { id: 'VoucherLink' },
);
export type VoucherLink = z.infer<typeof VoucherLink>;

export const VoucherStatusRequest = z.strictObject({
  tokens: z.array(z.string().check(z.maxLength(2000))).check(z.minLength(1, 'at least one token'), z.maxLength(MAX_STATUS_TOKENS, `at most ${MAX_STATUS_TOKENS} tokens`)),
});

/** One answer per token, in the order asked: the voucher's status, or that the token does not verify. */
export const TokenStatus = z.union([
  z.object({
    voucher_id: z.string(),
    status: VoucherStatus,
    paid_at: z.nullable(Timestamp),
    canceled_at: z.nullable(Timestamp),
    refunds: z.array(RefundForShopper),
  }),
  z.object({ error: z.literal('invalid_token') }),
]);
export type TokenStatus = z.infer<typeof TokenStatus>;

export const VoucherStatusAnswer = z.object({ data: z.array(TokenStatus) });
export type VoucherStatusAnswer = z.infer<typeof VoucherStatusAnswer>;
