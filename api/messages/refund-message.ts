/**
 * What the delivery layer needs for one refund e-mail or SMS: money going back to a shopper, paid
 * out in cash at any store's till. Its own shape rather than a part of the voucher message: a
 * refund has its own link, QR, reference, expiry and payout code, and shows none of the voucher's
 * (its items, its amount due). Like the voucher message it carries everything the message shows,
 * and only the one address it goes to.
 */
import { z } from 'zod';
import { MESSAGE_LOCALES, VoucherMessageSchema, type MessageLocale } from './voucher-message.ts';

export interface RefundMessage {
  refund_id: string;
  /** The merchant's full name. */
  merchant_name: string;
  order_ref: string;
  /** Minor units of `currency`: what the shopper collects. */
  amount: number;
  currency: string;
  /** RFC 3339: the refund can be collected until then. */
  expires_at: string;
  /** The shopper's page for the voucher, opened at this refund: the one link in SMS and e-mail. */
  refund_url: string;
  /** The exact QR text of the refund; the e-mail's inline PNG decodes to exactly this. */
  qr: string;
  /** 12 digits, shown grouped with formatReference. */
  reference: string;
  /** Six digits a till asks for above its store's limit. */
  payout_code: string;
  locale: MessageLocale;
  /** The one address the message goes to; nothing else about the customer is shown. Phone in E.164. */
  to: { email?: string; phone?: string };
}

/** The stored or handed-over form, checked where it is read (docs/architecture.md §9.1: parse at the edges). */
export const RefundMessageSchema = z.object({
  refund_id: z.string().min(1),
  merchant_name: z.string().min(1),
  order_ref: z.string().min(1),
  amount: z.number().int().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  expires_at: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' }),
  refund_url: z.url({ protocol: /^https?$/ }),
  qr: z.string().min(1),
  reference: z.string().regex(/^[0-9]{12}$/, 'must be 12 digits'),
  payout_code: z.string().regex(/^[0-9]{6}$/, 'must be 6 digits'),
  locale: z.enum(MESSAGE_LOCALES),
  to: VoucherMessageSchema.shape.to,
});

// The schema and the interface must describe the same thing; this line stops compiling if they drift.
const _same: [RefundMessage, z.infer<typeof RefundMessageSchema>] = [{} as z.infer<typeof RefundMessageSchema>, {} as RefundMessage];
void _same;

/** Reads a refund message, or throws an Error that names every bad field. */
export function parseRefundMessage(json: unknown): RefundMessage {
  const parsed = RefundMessageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  throw new Error(`not a valid refund message: ${fields.join('; ')}`);
}
