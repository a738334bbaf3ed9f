/**
 * Refunds (`/v1/refunds`): money that goes back to the shopper, paid out in cash at any store's till
 * (docs/refunds.md). A refund is signed like a voucher but is its own token kind
 * (docs/voucher-token.md), so no till can take a payout for a payment or the other way round.
 * What a shopper holding the voucher sees of its refunds is RefundForShopper (voucher-link.ts).
 */
import * as z from 'zod/mini';
import { REFUND_STATUSES } from '../refunds/refund-status.ts';
import { listOf, minorUnits, Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

/** Why a merchant refunds (their choice on `POST /v1/refunds`). */
export const MERCHANT_REFUND_REASONS = ['customer_request', 'order_canceled', 'goods_returned', 'other'] as const;
/**
 * Why Counterpay itself refunds: a collection that took cash it may not keep (duplicate: the
 * voucher was already paid; late: it was expired or canceled; mismatch: the amount was not the
 * voucher's), or an operator's review decision (review).
 */
export const SYSTEM_REFUND_REASONS = ['duplicate', 'late', 'mismatch', 'review'] as const;
export const REFUND_REASONS = [...MERCHANT_REFUND_REASONS, ...SYSTEM_REFUND_REASONS] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/** A refund's life when not asked otherwise, and its bounds (seconds). */
export const DEFAULT_REFUND_EXPIRES_IN_SECONDS = 30 * 24 * 3600;
export const MIN_REFUND_EXPIRES_IN_SECONDS = 24 * 3600;
export const MAX_REFUND_EXPIRES_IN_SECONDS = 60 * 24 * 3600;

export const CreateRefundBody = documented(
  z.strictObject({
    voucher_id: documented(z.string().check(z.minLength(1), z.maxLength(40)), { description: 'The paid voucher to refund.', example: 'vch_04j2kd8w1x7m2' }),
    amount: z.optional(
      documented(minorUnits('amount').check(z.minimum(1, 'must be at least 1')), {
        description: 'Minor units; default what is left to refund. All refunds of a voucher together are at most what was paid.',
        example: 4990,
      }),
    ),
    reason: z._default(described(z.enum(MERCHANT_REFUND_REASONS), 'Why you refund.'), 'customer_request'),
    expires_in: z.optional(
      documented(
        z
          .number()
          .check(
            z.int('must be a whole number of seconds'),
            z.minimum(MIN_REFUND_EXPIRES_IN_SECONDS, `must be at least ${MIN_REFUND_EXPIRES_IN_SECONDS} seconds (1 day)`),
            z.maximum(MAX_REFUND_EXPIRES_IN_SECONDS, `must be at most ${MAX_REFUND_EXPIRES_IN_SECONDS} seconds (60 days)`),
          ),
        { description: 'Seconds the shopper has to collect it; default 30 days. Unclaimed, the money returns to the merchant.' },
      ),
    ),
  }),
  { id: 'CreateRefund', description: 'A refund of a paid voucher, wholly or in part.' },
);
export type CreateRefundBody = z.infer<typeof CreateRefundBody>;

export const Refund = documented(
  z.object({
    id: described(z.string(), "The refund's id.", 'rfd_04j2kd8w1x7m2'),
    object: described(z.literal('refund'), 'Always `refund`.'),
    livemode: described(z.boolean(), 'false for a test-mode refund (of a test-mode voucher): no till pays it out; the test helpers do.'),
    status: documented(z.enum(REFUND_STATUSES), {
      description:
        'pending → paid | canceled | expired. pending: waiting to be paid out at a till; paid: a till paid it out; canceled: the merchant withdrew it; expired: not collected in time, the money is the merchant’s again.',
    }),
    amount: described(z.int(), 'What goes back to the shopper, in minor units of the currency.'),
    currency: described(z.string(), "The ISO 4217 code of the voucher's currency."),
    voucher_id: described(z.string(), 'The voucher refunded.'),
    order_ref: described(z.string(), "The voucher's order number."),
    reason: described(
      z.enum(REFUND_REASONS),
      "Why: the merchant's reason, or Counterpay's own for cash it may not keep (`duplicate`, `late`, `mismatch`) and for an operator's review decision (`review`).",
    ),
    /** The collection that caused it, for duplicate, late, mismatch and review refunds. */
    collection_id: z.nullable(described(z.string(), 'The collection that caused it, for duplicate, late, mismatch and review refunds; else null.')),
    reference: documented(z.string(), { description: 'Twelve digits with a Damm check digit, typable at the till.' }),
    token: documented(z.string(), { description: 'The signed refund (docs/voucher-token.md, kind refund), as digits.' }),
    qr: documented(z.string(), { description: 'The exact QR text the shopper shows at the till.' }),
    refund_url: documented(z.string(), { description: "The shopper's page for the voucher, where the refund and its QR show (also offline, once opened)." }),
    payout_code: documented(z.string(), {
      description:
        "Six digits a till asks for when the refund is above its store's limit. Sent to the shopper with the refund; give it to them yourself when payout_code_sent_to is empty.",
    }),
    payout_code_sent_to: described(z.array(z.enum(['email', 'sms'])), 'The channels payout_code was sent to the shopper by; empty when it was not sent.'),
    expires_at: described(Timestamp, 'When the refund can no longer be collected.'),
    created_at: described(Timestamp, 'When the refund was created.'),
    paid_at: z.nullable(described(Timestamp, 'When a till paid it out; null until then.')),
    canceled_at: z.nullable(described(Timestamp, 'When the merchant canceled it; null unless canceled.')),
    expired_at: z.nullable(described(Timestamp, 'When it expired uncollected; null unless expired.')),
    /** Where it was paid out (null until paid). */
    store_id: z.nullable(described(z.string(), 'The store where it was paid out; null until paid.')),
    till_id: z.nullable(described(z.string(), 'The till that paid it out; null until paid.')),
    /** While a till holds the payout authorisation: since when (the refund stays pending until the till's payout record arrives or it voids). */
    authorized_at: z.nullable(
      described(
        Timestamp,
        "While a till holds the payout authorisation: since when (the refund stays pending until the till's payout record arrives or the till voids it); else null.",
      ),
    ),
  }),
  { id: 'Refund', description: "Money that goes back to the shopper, paid out in cash at any store's till." },
);
export type Refund = z.infer<typeof Refund>;

export const RefundList = documented(listOf(Refund), { id: 'RefundList' });
export type RefundList = z.infer<typeof RefundList>;

export const ListRefundsQuery = z.strictObject({
  status: z.optional(described(z.enum(REFUND_STATUSES), 'Only refunds in this status.')),
  voucher_id: z.optional(described(z.string().check(z.maxLength(40)), "Only this voucher's refunds.")),
  limit: z._default(
    described(
      z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      'How many refunds one page holds.',
    ),
    20,
  ),
  starting_after: z.optional(documented(z.string().check(z.maxLength(40)), { description: 'A refund id from the previous page: the list continues after it.' })),
});
export type ListRefundsQuery = z.infer<typeof ListRefundsQuery>;
