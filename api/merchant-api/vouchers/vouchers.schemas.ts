/**
 * The voucher API's wire format, as zod schemas. The same schemas validate requests and generate
 * the OpenAPI document, so the two cannot disagree.
 */
import { z } from '@hono/zod-openapi';
import { isCurrency } from '../../../core/money/money.ts';
import { MAX_AMOUNT, ORDER_REF_MAX_CHARS, ORDER_REF_PATTERN } from '../../../core/token/limits.ts';
import { MAX_EXPIRES_IN_SECONDS, MIN_EXPIRES_IN_SECONDS } from '../../../core/vouchers/expiry.ts';
import { VOUCHER_STATUSES } from '../../../core/vouchers/voucher-status.ts';

export const MAX_ITEMS = 100;
export const MAX_METADATA_KEYS = 20;

const minorUnits = (what: string) => z.number().int(`${what} must be an integer count of minor units`);

export const VoucherItem = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(9999, 'must be at most 9999'),
    unit_amount: minorUnits('unit_amount').min(0, 'must not be negative').max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`),
  })
  .strict()
  .openapi('VoucherItem');

export const Customer = z
  .object({
    phone: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4915112345678').optional(),
    email: z.email('must be an e-mail address').max(254).optional(),
    locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or zh-CN').optional().openapi({ description: "The shopper's language for e-mail and SMS (English or Simplified Chinese; others get English)." }),
  })
  .strict()
  .openapi('Customer');

export const CreateVoucherBody = z
  .object({
    order_ref: z
      .string()
      .regex(ORDER_REF_PATTERN, `must be 1-${ORDER_REF_MAX_CHARS} printable ASCII characters`)
      .openapi({ description: "The merchant's order number, shown at the till and on receipts.", example: 'ORD-1001' }),
    amount: minorUnits('amount')
      .min(1, 'must be at least 1')
      .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)
      .openapi({ description: 'Amount due in minor units of the currency (cents; yen have none).', example: 4990 }),
    currency: z
      .string()
      .refine(isCurrency, 'must be an ISO 4217 currency code in upper case, such as EUR or JPY')
      .openapi({ example: 'EUR' }),
    items: z.array(VoucherItem).max(MAX_ITEMS, `at most ${MAX_ITEMS} items`).optional().openapi({ description: 'When given, quantity × unit_amount must add up to amount.' }),
    description: z.string().max(500, 'must be at most 500 characters').optional(),
    customer: Customer.optional(),
    expires_at: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' }).optional(),
    expires_in: z
      .number()
      .int('must be a whole number of seconds')
      .min(MIN_EXPIRES_IN_SECONDS, `must be at least ${MIN_EXPIRES_IN_SECONDS} seconds (15 minutes)`)
      .max(MAX_EXPIRES_IN_SECONDS, `must be at most ${MAX_EXPIRES_IN_SECONDS} seconds (60 days)`)
      .optional()
      .openapi({ description: 'Seconds from now; default 3 days. Give this or expires_at, not both.' }),
    notify: z
      .array(z.enum(['email', 'sms']))
      .max(2)
      .optional()
      .openapi({ description: "Send the voucher to the shopper by these channels (default: the merchant's setting). Each needs its contact in customer." }),
    metadata: z
      .record(z.string().min(1).max(40, 'keys must be at most 40 characters'), z.string().max(500, 'values must be at most 500 characters'))
      .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} keys`)
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.expires_at !== undefined && body.expires_in !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expires_in'], message: 'give expires_at or expires_in, not both' });
    }
    for (const channel of new Set(body.notify ?? [])) {
      const contact = channel === 'email' ? 'email' : 'phone';
      if (!body.customer?.[contact]) ctx.addIssue({ code: 'custom', path: ['notify'], message: `notify includes ${channel} but customer.${contact} is missing` });
    }
    if (body.items && body.items.length > 0) {
      const total = body.items.reduce((sum, i) => sum + i.quantity * i.unit_amount, 0);
      if (total !== body.amount) {
        ctx.addIssue({ code: 'custom', path: ['items'], message: `items add up to ${total} but amount is ${body.amount}` });
      }
    }
  })
  .openapi('CreateVoucher');
export type CreateVoucherBody = z.infer<typeof CreateVoucherBody>;

export const Voucher = z
  .object({
    id: z.string().openapi({ example: 'vch_04j2kd8w1x7m2' }),
    object: z.literal('voucher'),
    status: z.enum(VOUCHER_STATUSES).openapi({ description: 'open → paid | expired | canceled. An open voucher past expires_at reads as expired.' }),
    order_ref: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    items: z.array(VoucherItem),
    description: z.string().nullable(),
    customer: Customer.nullable(),
    metadata: z.record(z.string(), z.string()),
    merchant: z.object({ id: z.string(), name: z.string() }),
    reference: z.string().openapi({ description: 'Twelve digits with a Damm check digit, typable at the till.', example: '123456789012' }),
    token: z.string().openapi({ description: 'The signed voucher (docs/voucher-token.md), as digits.' }),
    qr: z.string().openapi({ description: 'The exact QR text: a URL that opens the shopper view and carries the token.' }),
    voucher_url: z.string().openapi({ description: 'A short link to the voucher for SMS and e-mail.' }),
    expires_at: z.string(),
    created_at: z.string(),
    paid_at: z.string().nullable(),
    canceled_at: z.string().nullable(),
  })
  .openapi('Voucher');
export type Voucher = z.infer<typeof Voucher>;

export const VoucherList = z
  .object({ object: z.literal('list'), data: z.array(Voucher), has_more: z.boolean() })
  .openapi('VoucherList');

export const ListVouchersQuery = z
  .object({
    status: z.enum(VOUCHER_STATUSES).optional(),
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
    starting_after: z.string().optional().openapi({ description: 'A voucher id from the previous page: the list continues after it.' }),
  })
  .strict();

export const VoucherIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'vch_04j2kd8w1x7m2' }) });

export const ResendBody = z
  .object({ notify: z.array(z.enum(['email', 'sms'])).min(1).max(2).optional() })
  .strict()
  .openapi('ResendVoucher');
