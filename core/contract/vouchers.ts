/**
 * The voucher as a merchant creates, reads, lists, cancels and resends it (`/v1/vouchers`). What a
 * shopper holding its link or token may see is in voucher-link.ts, which the shopper's bundle loads.
 */
import * as z from 'zod/mini';
import { isCurrency } from '../money/money.ts';
import { MAX_AMOUNT, ORDER_REF_MAX_CHARS, ORDER_REF_PATTERN } from '../token/limits.ts';
import { MAX_EXPIRES_IN_SECONDS, MIN_EXPIRES_IN_SECONDS } from '../vouchers/expiry.ts';
import { VOUCHER_STATUSES } from '../vouchers/voucher-status.ts';
import { listOf, minorUnits, Timestamp } from './common.ts';
import { documented } from './docs.ts';
import { VoucherItem, VoucherStatus } from './voucher-link.ts';

export const MAX_ITEMS = 100;
export const MAX_METADATA_KEYS = 20;
/** Channels a voucher can be sent by. */
export const NOTIFY_CHANNELS = ['email', 'sms'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export const Customer = documented(
  z.strictObject({
    phone: z.optional(z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4915112345678'))),
    email: z.optional(z.email('must be an e-mail address').check(z.maxLength(254))),
    locale: z.optional(
      documented(z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or zh-CN')), {
        description: "The shopper's language for e-mail and SMS (English or Simplified Chinese; others get English).",
      }),
    ),
  }),
  { id: 'Customer' },
);
export type Customer = z.infer<typeof Customer>;

export const CreateVoucherBody = documented(
  z
    .strictObject({
      order_ref: documented(z.string().check(z.regex(ORDER_REF_PATTERN, `must be 1-${ORDER_REF_MAX_CHARS} printable ASCII characters`)), {
        description: "The merchant's order number, shown at the till and on receipts.",
        example: 'ORD-1001',
      }),
      amount: documented(minorUnits('amount').check(z.minimum(1, 'must be at least 1'), z.maximum(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)), {
        description: 'Amount due in minor units of the currency (cents; yen have none).',
        example: 4990,
      }),
      currency: documented(z.string().check(z.refine(isCurrency, 'must be an ISO 4217 currency code in upper case, such as EUR or JPY')), { example: 'EUR' }),
      items: z.optional(
        documented(z.array(VoucherItem).check(z.maxLength(MAX_ITEMS, `at most ${MAX_ITEMS} items`)), { description: 'When given, quantity × unit_amount must add up to amount.' }),
      ),
      description: z.optional(z.string().check(z.maxLength(500, 'must be at most 500 characters'))),
      customer: z.optional(Customer),
      expires_at: z.optional(z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' })),
      expires_in: z.optional(
        documented(
          z
            .number()
            .check(
              z.int('must be a whole number of seconds'),
              z.minimum(MIN_EXPIRES_IN_SECONDS, `must be at least ${MIN_EXPIRES_IN_SECONDS} seconds (15 minutes)`),
              z.maximum(MAX_EXPIRES_IN_SECONDS, `must be at most ${MAX_EXPIRES_IN_SECONDS} seconds (60 days)`),
            ),
          { description: 'Seconds from now; default 3 days. Give this or expires_at, not both.' },
        ),
      ),
      notify: z.optional(
        documented(z.array(z.enum(NOTIFY_CHANNELS)).check(z.maxLength(2)), {
          description: "Send the voucher to the shopper by these channels (default: the merchant's setting). Each needs its contact in customer.",
        }),
      ),
      metadata: z.optional(
        z
          .record(
            z.string().check(z.minLength(1), z.maxLength(40, 'keys must be at most 40 characters')),
            z.string().check(z.maxLength(500, 'values must be at most 500 characters')),
          )
          .check(z.refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} keys`)),
      ),
    })
    .check(
      z.superRefine((body, ctx) => {
        if (body.expires_at !== undefined && body.expires_in !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['expires_in'], message: 'give expires_at or expires_in, not both' });
        }
        for (const channel of new Set(body.notify ?? [])) {
          const contact = channel === 'email' ? 'email' : 'phone';
          if (!body.customer?.[contact]) ctx.addIssue({ code: 'custom', path: ['notify'], message: `notify includes ${channel} but customer.${contact} is missing` });
        }
        if (body.items && body.items.length > 0) {
          const total = body.items.reduce((sum, i) => sum + i.quantity * i.unit_amount, 0);
          if (total !== body.amount) ctx.addIssue({ code: 'custom', path: ['items'], message: `items add up to ${total} but amount is ${body.amount}` });
        }
      }),
    ),
  { id: 'CreateVoucher' },
);
export type CreateVoucherBody = z.infer<typeof CreateVoucherBody>;

export const Voucher = documented(
  z.object({
    id: documented(z.string(), { example: 'vch_04j2kd8w1x7m2' }),
    object: z.literal('voucher'),
    status: documented(z.enum(VOUCHER_STATUSES), { description: 'open → paid | expired | canceled. An open voucher past expires_at reads as expired.' }),
    order_ref: z.string(),
    amount: z.int(),
    currency: z.string(),
    items: z.array(VoucherItem),
    description: z.nullable(z.string()),
    customer: z.nullable(Customer),
    metadata: z.record(z.string(), z.string()),
    merchant: z.object({ id: z.string(), name: z.string() }),
    reference: documented(z.string(), { description: 'Twelve digits with a Damm check digit, typable at the till.', example: '123456789012' }),
    token: documented(z.string(), { description: 'The signed voucher (docs/voucher-token.md), as digits.' }),
    qr: documented(z.string(), { description: 'The exact QR text: a URL that opens the shopper view and carries the token.' }),
    voucher_url: documented(z.string(), { description: 'A short link to the voucher for SMS and e-mail.' }),
    expires_at: Timestamp,
    created_at: Timestamp,
    paid_at: z.nullable(Timestamp),
    canceled_at: z.nullable(Timestamp),
  }),
  { id: 'Voucher' },
);
export type Voucher = z.infer<typeof Voucher>;

export const VoucherList = documented(listOf(Voucher), { id: 'VoucherList' });
export type VoucherList = z.infer<typeof VoucherList>;

export const ListVouchersQuery = z.strictObject({
  status: z.optional(VoucherStatus),
  limit: z._default(z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')), 20),
  starting_after: z.optional(documented(z.string(), { description: 'A voucher id from the previous page: the list continues after it.' })),
});
export type ListVouchersQuery = z.infer<typeof ListVouchersQuery>;

export const ResendBody = documented(z.strictObject({ notify: z.optional(z.array(z.enum(NOTIFY_CHANNELS)).check(z.minLength(1), z.maxLength(2))) }), { id: 'ResendVoucher' });

export const VoucherDelivery = z.object({ object: z.literal('voucher_delivery'), voucher_id: z.string(), queued: z.array(z.enum(NOTIFY_CHANNELS)) });
export type VoucherDelivery = z.infer<typeof VoucherDelivery>;
