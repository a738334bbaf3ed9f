/**
 * The voucher SMS: one message (never a concatenated one, whose parts phones may lose or reorder)
 * that carries the voucher link whole. The merchant name and the order number give way first; the
 * link is never cut, since a cut link opens nothing.
 */
import { formatReference } from '../../core/reference/reference.ts';
import { CounterpayError } from '../errors.ts';
import { amountText, expiryShort, type FormatOptions } from './message-format.ts';
import { plainSpaces, type SmsEncoding } from './sms-encoding.ts';
import { fitTemplate, type FittedSms, type Shortenable } from './sms-fit.ts';
import type { MessageLocale, VoucherMessage } from './voucher-message.ts';

/** What a template may say. `{url}` is required: an SMS without the link is useless. */
export const SMS_PLACEHOLDERS = ['merchant', 'order', 'amount', 'expires', 'reference', 'url'] as const;
type Placeholder = (typeof SMS_PLACEHOLDERS)[number];

/**
 * Built-in texts, longest first; the first that fits one SMS (after shortening) is sent. The later
 * ones exist because a long PUBLIC_URL or a merchant name outside the GSM alphabet (which turns the
 * whole SMS into UCS-2, 70 units) leaves no room for the full sentence.
 */
export const DEFAULT_SMS_TEMPLATES: Record<MessageLocale, readonly string[]> = {
  en: [
    '{merchant}: pay order {order} ({amount}) in cash at a store by {expires}: {url}',
    '{merchant}: pay {amount} in cash at a store by {expires}: {url}',
    'Pay {amount} in cash at a store by {expires}: {url}',
    'Pay {amount} in cash at a store: {url}',
  ],
  'zh-CN': [
    // 70 UCS-2 units less a ~50-character link leave room for little more than the amount.
    '{merchant}：到店付现金{amount} {url}',
    '到店付现金{amount} {url}',
  ],
};

/** Per-locale templates; a plain string is used for every locale. */
export type SmsTemplates = string | Partial<Record<MessageLocale, string>>;

/**
 * The text cannot fit one SMS: the template or the link is too long. Names the numbers. The
 * operator's configuration is at fault, not the message (delivery keeps it waiting). Thrown for
 * voucher and refund SMS alike.
 */
export class SmsTooLongError extends CounterpayError {
  constructor(
    /** What the SMS is for, as the detail names it: `voucher vch_…` or `refund rfd_…`. */
    readonly messageFor: string,
    readonly encoding: SmsEncoding,
    readonly units: number,
    readonly limit: number,
    readonly urlLength: number,
    custom: boolean,
  ) {
    super(
      'invalid',
      'sms-too-long',
      'The SMS cannot fit one message',
      `the SMS for ${messageFor} takes ${units} ${encoding === 'GSM-7' ? 'GSM-7 septets' : 'UCS-2 units'} even with the merchant name and order number cut short, ` +
        `but one SMS holds ${limit}; the link alone takes ${urlLength}. ` +
        (custom ? 'Shorten SMS_TEMPLATE (or PUBLIC_URL).' : 'Use a shorter PUBLIC_URL.'),
    );
    this.name = 'SmsTooLongError';
  }
}

/** The template names an unknown placeholder or lacks {url}. */
export class SmsTemplateError extends CounterpayError {
  constructor(template: string, problem: string) {
    super('invalid', 'sms-template-invalid', 'The SMS template is not valid', `SMS template ${JSON.stringify(template)} ${problem}`);
    this.name = 'SmsTemplateError';
  }
}

/** Throws SmsTemplateError unless `template` uses known placeholders only and includes {url}. */
export function checkSmsTemplate(template: string): void {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((x) => x[1]!);
  const unknown = names.filter((n) => !(SMS_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new SmsTemplateError(
      template,
      `uses unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{${n}}`).join(', ')}; known: ${SMS_PLACEHOLDERS.map((n) => `{${n}}`).join(' ')}`,
    );
  }
  if (!names.includes('url')) throw new SmsTemplateError(template, 'must include {url}: the link is what the shopper needs');
}

export interface RenderedSms {
  text: string;
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2): at most 160 or 70. */
  length: number;
  segments: 1;
}

/** Parts that may be shortened, and how many characters each keeps at least. */
const SHORTENABLE: Array<Shortenable<'merchant' | 'order'>> = [
  { name: 'merchant', min: 4 },
  { name: 'order', min: 4 },
];

/**
 * The SMS text for a voucher, in one message. With `template` (SMS_TEMPLATE) only that text is
 * tried; without it, the built-in texts of the shopper's language, longest first.
 * Throws SmsTemplateError for a bad template and SmsTooLongError when nothing fits one SMS.
 *
 * @example renderVoucherSms(m).text // "Demo Shop: pay order ORD-1001 (€49.90) in cash at a store by Nov 29, 12:00 PM UTC: https://…/v/…"
 */
export function renderVoucherSms(m: VoucherMessage, template?: SmsTemplates, options: FormatOptions = {}): RenderedSms {
  const custom = typeof template === 'string' ? template : template?.[m.locale];
  const templates = custom !== undefined ? [custom] : DEFAULT_SMS_TEMPLATES[m.locale];
  for (const t of templates) checkSmsTemplate(t);
  // Line breaks and no-break spaces in names would cost room or the GSM alphabet; the link is kept exactly.
  const oneLine = (s: string) => plainSpaces(s).replace(/\s+/g, ' ').trim();
  const values: Record<Placeholder, string> = {
    merchant: oneLine(m.merchant_name),
    order: oneLine(m.order_ref),
    amount: oneLine(amountText(m)),
    expires: oneLine(expiryShort(m.expires_at, m.locale, options)),
    reference: formatReference(m.reference),
    url: m.voucher_url,
  };
  let last: FittedSms | undefined;
  for (const t of templates) {
    last = fitTemplate(t, values, SHORTENABLE);
    if (last.length <= last.limit) return { text: last.text, encoding: last.encoding, length: last.length, segments: 1 };
  }
  throw new SmsTooLongError(`voucher ${m.voucher_id}`, last!.encoding, last!.length, last!.limit, m.voucher_url.length, custom !== undefined);
}
