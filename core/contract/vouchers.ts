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
import { described, documented } from './docs.ts';
import { VoucherItem, VoucherStatus } from './voucher-link.ts';

export const MAX_ITEMS = 100;
export const MAX_METADATA_KEYS = 20;
/** Channels a voucher can be sent by. */
export const NOTIFY_CHANNELS = ['email', 'sms'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export const Customer = documented(
  z.strictObject({
    phone: z.optional(
      described(
        z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4915112345678')),
        "The shopper's mobile number in E.164 form, for SMS.",
        '+4915112345678',
      ),
    ),
    email: z.optional(described(z.email('must be an e-mail address').check(z.maxLength(254)), "The shopper's e-mail address.", 'shopper@example.com')),
    locale: z.optional(
      documented(z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or zh-CN')), {
        description: "The shopper's language for e-mail and SMS (English or Simplified Chinese; others get English).",
      }),
    ),
  }),
  { id: 'Customer', description: 'The shopper, as far as the merchant tells: where to send the voucher, and in which language. Every field is optional.' },
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
      currency: documented(z.string().check(z.refine(isCurrency, 'must be an ISO 4217 currency code in upper case, such as EUR or JPY')), {
        description: 'The ISO 4217 code of the currency, in upper case.',
        example: 'EUR',
      }),
      items: z.optional(
        documented(z.array(VoucherItem).check(z.maxLength(MAX_ITEMS, `at most ${MAX_ITEMS} items`)), { description: 'When given, quantity × unit_amount must add up to amount.' }),
      ),
      description: z.optional(described(z.string().check(z.maxLength(500, 'must be at most 500 characters')), 'Free text about the order, kept with the voucher.')),
      customer: z.optional(Customer),
      expires_at: z.optional(
        described(
          z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' }),
          'When the voucher stops being payable (RFC 3339, with a time zone). Give this or `expires_in`, not both.',
        ),
      ),
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
        described(
          z
            .record(
              z.string().check(z.minLength(1), z.maxLength(40, 'keys must be at most 40 characters')),
              z.string().check(z.maxLength(500, 'values must be at most 500 characters')),
            )
            .check(z.refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} keys`)),
          `Your own string keys and values (at most ${MAX_METADATA_KEYS} keys), kept with the voucher and returned as given.`,
        ),
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
    id: described(z.string(), "The voucher's id.", 'vch_04j2kd8w1x7m2'),
    object: described(z.literal('voucher'), 'Always `voucher`.'),
    livemode: described(z.boolean(), 'false for a test-mode voucher (created with a `cpk_test_` key): no till takes money for it, and it never reaches the ledger.'),
    status: documented(z.enum(VOUCHER_STATUSES), { description: 'open → paid | expired | canceled. An open voucher past expires_at reads as expired.' }),
    order_ref: described(z.string(), "The merchant's order number."),
    amount: described(z.int(), 'Amount due, in minor units of the currency.'),
    currency: described(z.string(), 'The ISO 4217 code of the currency.'),
    items: described(z.array(VoucherItem), 'The order lines given at creation; empty when none were.'),
    description: z.nullable(described(z.string(), 'The free text given at creation; null when none was.')),
    customer: z.nullable(Customer),
    metadata: described(z.record(z.string(), z.string()), 'The metadata given at creation; empty when none was.'),
    merchant: described(
      z.object({ id: described(z.string(), "The merchant's id."), name: described(z.string(), "The merchant's name as shoppers see it.") }),
      'The merchant the voucher is payable to.',
    ),
    reference: documented(z.string(), { description: 'Twelve digits with a Damm check digit, typable at the till.', example: '123456789018' }),
    token: documented(z.string(), { description: 'The signed voucher (docs/voucher-token.md), as digits.' }),
    qr: documented(z.string(), { description: 'The exact QR text: a URL that opens the shopper view and carries the token.' }),
    voucher_url: documented(z.string(), { description: 'A short link to the voucher for SMS and e-mail.' }),
    expires_at: described(Timestamp, 'When the voucher stops being payable.'),
    created_at: described(Timestamp, 'When the voucher was created.'),
    paid_at: z.nullable(described(Timestamp, "When a till's collection paid it; null until then.")),
    canceled_at: z.nullable(described(Timestamp, 'When the merchant canceled it; null unless canceled.')),
  }),
  { id: 'Voucher', description: 'A payment voucher: what the shopper pays at a store counter, and how far that has got.' },
);
export type Voucher = z.infer<typeof Voucher>;

export const VoucherList = documented(listOf(Voucher), { id: 'VoucherList' });
export type VoucherList = z.infer<typeof VoucherList>;

export const ListVouchersQuery = z.strictObject({
  status: z.optional(described(VoucherStatus, 'Only vouchers in this status.')),
  limit: z._default(
    described(
      z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      'How many vouchers one page holds.',
    ),
    20,
  ),
  starting_after: z.optional(documented(z.string(), { description: 'A voucher id from the previous page: the list continues after it.' })),
  q: z.optional(
    described(
      z.string().check(z.minLength(1), z.maxLength(200)),
      'Find vouchers by order number (exact, or its beginning), the 12-digit reference (spaces allowed), or the shopper’s e-mail or phone (exact).',
      'A-1001',
    ),
  ),
  created_from: z.optional(described(z.iso.date(), 'Only vouchers created on or after this day (UTC).', '2026-12-01')),
  created_to: z.optional(described(z.iso.date(), 'Only vouchers created on or before this day (UTC).', '2026-12-31')),
});
export type ListVouchersQuery = z.infer<typeof ListVouchersQuery>;

export const TIMELINE_KINDS = ['created', 'message', 'collection', 'webhook', 'refund', 'refund_paid', 'canceled', 'expired'] as const;

export const TimelineEntry = documented(
  z.object({
    at: described(z.string(), 'When it happened (for a message or webhook not delivered yet: when it was queued).'),
    kind: described(
      z.enum(TIMELINE_KINDS),
      'created; message (an e-mail, SMS or push to the shopper); collection (a till recorded it: accepted or an exception); webhook (a delivery to one of your endpoints); refund and refund_paid; canceled; expired.',
    ),
    status: described(z.nullable(z.string()), 'A message’s or delivery’s state (pending, delivered, failed), a collection’s outcome, a refund’s state.'),
    channel: described(z.nullable(z.string()), 'A message’s channel: email, sms or push.'),
    store_id: described(z.nullable(z.string()), 'Where it was collected or paid out.'),
    device_id: described(z.nullable(z.string()), 'The till.'),
    amount: described(z.nullable(z.int()), 'A collection’s or refund’s amount, in minor units.'),
    event_type: described(z.nullable(z.string()), 'A webhook delivery’s event.'),
    endpoint_url: described(z.nullable(z.string()), 'A webhook delivery’s endpoint.'),
    delivery_id: described(z.nullable(z.string()), 'A webhook delivery’s id (redeliver it with POST /v1/webhook_deliveries/{id}/redeliver).'),
    attempts: described(z.nullable(z.int()), 'How often a message or delivery was tried.'),
    last_status: described(z.nullable(z.int()), 'The HTTP status your endpoint answered last.'),
    detail: described(z.nullable(z.string()), 'The last error, or a collection’s or refund’s own words.'),
    refund_id: described(z.nullable(z.string()), 'The refund it concerns.'),
  }),
  { id: 'TimelineEntry', description: 'One thing that happened to a voucher.' },
);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const VoucherTimeline = documented(
  z.object({
    object: described(z.literal('voucher_timeline'), 'Always `voucher_timeline`.'),
    voucher_id: described(z.string(), 'The voucher.'),
    entries: described(z.array(TimelineEntry), 'Oldest first.'),
  }),
  { id: 'VoucherTimeline', description: 'Everything that happened to a voucher, oldest first.' },
);
export type VoucherTimeline = z.infer<typeof VoucherTimeline>;

export const ResendBody = documented(
  z.strictObject({
    notify: z.optional(
      described(z.array(z.enum(NOTIFY_CHANNELS)).check(z.minLength(1), z.maxLength(2)), "The channels to send by; default every channel the voucher's customer has a contact for."),
    ),
  }),
  { id: 'ResendVoucher', description: 'Which channels to send the voucher by again.' },
);

export const VoucherDelivery = z.object({
  object: described(z.literal('voucher_delivery'), 'Always `voucher_delivery`.'),
  voucher_id: described(z.string(), 'The voucher being sent.'),
  queued: described(z.array(z.enum(NOTIFY_CHANNELS)), 'The channels a message was queued for.'),
});
export type VoucherDelivery = z.infer<typeof VoucherDelivery>;
