/**
 * The refund SMS: one message (never a concatenated one) that carries the refund link whole, the
 * amount and the payout code. The expiry and the merchant name give way first; the link and the
 * code are never cut.
 *
 * The refund link (`…/v/<26 chars>?refund=rfd_<13 chars>`) takes 65 characters at the very least,
 * so no Chinese text can go with it in the 70 UCS-2 units of one SMS. A shopper who reads Chinese
 * gets the Chinese e-mail, and the page the link opens speaks Chinese; the SMS itself is written in
 * the GSM alphabet, in English, with the amount and code as digits.
 */
import { formatReference } from '../../core/reference/reference.ts';
import { amountText, expiryShort, type FormatOptions } from './message-format.ts';
import type { RefundMessage } from './refund-message.ts';
import { plainSpaces } from './sms-encoding.ts';
import { fitTemplate, type FittedSms, type Shortenable } from './sms-fit.ts';
import { SmsTooLongError, type RenderedSms } from './voucher-sms.ts';
import type { MessageLocale } from './voucher-message.ts';

export const REFUND_SMS_PLACEHOLDERS = ['merchant', 'order', 'amount', 'expires', 'reference', 'code', 'url'] as const;
type Placeholder = (typeof REFUND_SMS_PLACEHOLDERS)[number];

/**
 * Built-in texts, longest first; the first that fits one SMS (after shortening the merchant name)
 * is sent. Each leads with what to do and keeps the amount, the code and the link; only with a
 * short PUBLIC_URL is there room for the expiry or the merchant.
 */
const ENGLISH = [
  'Collect {amount} at any Counterpay store by {expires}. Code if asked: {code} {url}',
  'Collect {amount} at any Counterpay store ({merchant} refund). Code if asked: {code} {url}',
  'Collect {amount} at any Counterpay store. Code if asked: {code} {url}',
  'Collect {amount} at a Counterpay store, code {code}: {url}',
] as const;

export const DEFAULT_REFUND_SMS_TEMPLATES: Record<MessageLocale, readonly string[]> = {
  en: ENGLISH,
  // See the top of this file: a Chinese text and the refund link never fit one SMS together.
  'zh-CN': ENGLISH,
};

/** The language each locale's SMS is written (and its amount and expiry formatted) in. */
const SMS_LANGUAGE: Record<MessageLocale, MessageLocale> = { en: 'en', 'zh-CN': 'en' };

const SHORTENABLE: Array<Shortenable<Placeholder>> = [
  { name: 'merchant', min: 4 },
  { name: 'order', min: 4 },
];

/**
 * The SMS text for a refund, in one message, from the built-in texts (SMS_TEMPLATE is a voucher's
 * text and is not used). Throws SmsTooLongError when even the shortest cannot fit: the PUBLIC_URL
 * is too long.
 *
 * @example renderRefundSms(m).text // "Collect €49.90 at any Counterpay store (Demo Shop refund). Code if asked: 123456 http://…/v/…?refund=rfd_…"
 */
export function renderRefundSms(m: RefundMessage, options: FormatOptions = {}): RenderedSms {
  const language = SMS_LANGUAGE[m.locale];
  const oneLine = (s: string) => plainSpaces(s).replace(/\s+/g, ' ').trim();
  const values: Record<Placeholder, string> = {
    merchant: oneLine(m.merchant_name),
    order: oneLine(m.order_ref),
    amount: oneLine(amountText({ ...m, locale: language })),
    expires: oneLine(expiryShort(m.expires_at, language, options)),
    reference: formatReference(m.reference),
    code: m.payout_code,
    url: m.refund_url,
  };
  let last: FittedSms | undefined;
  for (const t of DEFAULT_REFUND_SMS_TEMPLATES[m.locale]) {
    last = fitTemplate(t, values, SHORTENABLE);
    if (last.length <= last.limit) return { text: last.text, encoding: last.encoding, length: last.length, segments: 1 };
  }
  throw new SmsTooLongError(`refund ${m.refund_id}`, last!.encoding, last!.length, last!.limit, m.refund_url.length, false);
}
