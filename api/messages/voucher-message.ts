/**
 * What the outbox hands to the delivery layer for one voucher e-mail or SMS. It is written as JSON
 * in the same transaction as the voucher, so it carries everything the message shows: delivery
 * never reads the database, and a message sent days later still says what the shopper was told.
 */
import { z } from 'zod';
import { LOCALE_TAGS, LOCALES, localeFor, type LocaleTag } from '../../core/text/locales.ts';

/** The languages of core/text/locales.ts, by the full tag a message records and formats with: `en`, `zh-CN`. */
export const MESSAGE_LOCALES = LOCALES.map((locale) => LOCALE_TAGS[locale]) as [LocaleTag, ...LocaleTag[]];
export type MessageLocale = LocaleTag;

export interface VoucherMessage {
  voucher_id: string;
  /** The merchant's full name (the token carries a shortened one). */
  merchant_name: string;
  order_ref: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** RFC 3339. */
  expires_at: string;
  /** The short link (`…/v/<26 chars>`): the one link that goes into SMS and e-mail. */
  voucher_url: string;
  /** The exact QR text (the long URL with the token); the e-mail's inline PNG decodes to exactly this. */
  qr: string;
  /** 12 digits, shown grouped with formatReference. */
  reference: string;
  items: Array<{ name: string; quantity: number; unit_amount: number }>;
  locale: MessageLocale;
  /** The one address the message goes to; nothing else about the customer is shown. Phone in E.164. */
  to: { email?: string; phone?: string };
}

/**
 * The stored form, checked when an outbox row is read back (docs/architecture.md §9.1: parse at the edges): a row
 * written by an older release, or edited by hand, fails here with the offending field named.
 */
export const VoucherMessageSchema = z.object({
  voucher_id: z.string().min(1),
  merchant_name: z.string().min(1),
  order_ref: z.string().min(1),
  amount: z.number().int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  expires_at: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time with a time zone' }),
  voucher_url: z.url({ protocol: /^https?$/ }),
  qr: z.string().min(1),
  reference: z.string().regex(/^[0-9]{12}$/, 'must be 12 digits'),
  items: z.array(z.object({ name: z.string(), quantity: z.number().int().min(1), unit_amount: z.number().int().min(0) })),
  locale: z.enum(MESSAGE_LOCALES),
  to: z.object({
    email: z.string().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4915112345678')
      .optional(),
  }),
});

// The schema and the interface must describe the same thing; this line stops compiling if they drift.
const _same: [VoucherMessage, z.infer<typeof VoucherMessageSchema>] = [{} as z.infer<typeof VoucherMessageSchema>, {} as VoucherMessage];
void _same;

/** Reads a stored message, or throws an Error that names every bad field. */
export function parseVoucherMessage(json: unknown): VoucherMessage {
  const parsed = VoucherMessageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  throw new Error(`not a valid voucher message: ${fields.join('; ')}`);
}

/** The message locale for a browser or Accept-Language tag (core/text/locales.ts localeFor): Chinese tags get zh-CN, all else English. */
export function messageLocaleFor(tag: string | null | undefined): MessageLocale {
  return LOCALE_TAGS[localeFor(tag)];
}
