/**
 * How long an SMS is, as a phone network counts it (3GPP TS 23.038). A text that uses only the
 * GSM 7-bit default alphabet travels in 7-bit septets, 160 to a single message; the characters of
 * the extension table take an escape septet plus their own, so 2 each. Any other character forces
 * the whole message into UCS-2 (UTF-16 code units; a character outside the BMP takes two), 70 to a
 * single message. Longer texts are split into concatenated parts that phones may show out of
 * order or not at all, so voucher messages are kept to one part.
 */

/** The GSM 7-bit default alphabet, without the escape (0x1B) itself. */
const GSM7_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
/** The extension table: each costs two septets (escape + character). Form feed left out on purpose. */
const GSM7_EXTENSION = new Set('^{}\\[~]|€');

export const GSM7_SINGLE_LIMIT = 160;
export const UCS2_SINGLE_LIMIT = 70;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsLength {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  /** What one message holds in this encoding. */
  limit: number;
}

/** True when every character is in the GSM 7-bit alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7_BASIC.has(ch) && !GSM7_EXTENSION.has(ch)) return false;
  return true;
}

/** Septets a GSM-7 text takes; extension-table characters count 2. */
export function gsm7Septets(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM7_EXTENSION.has(ch) ? 2 : 1;
  return n;
}

/** The encoding a network would use for `text`, and its length in that encoding's units. */
export function smsLength(text: string): SmsLength {
  return isGsm7(text) ? { encoding: 'GSM-7', units: gsm7Septets(text), limit: GSM7_SINGLE_LIMIT } : { encoding: 'UCS-2', units: text.length, limit: UCS2_SINGLE_LIMIT };
}

/**
 * Intl output puts no-break and narrow no-break spaces in amounts ("CHF 49.90") and times
 * ("12:00 PM"); none is in the GSM alphabet, and one would silently halve what the SMS can hold.
 */
export function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u2007\u202f\u2009]/g, ' ');
}
