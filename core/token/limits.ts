/**
 * Field limits that keep the largest voucher inside a QR code of version 10 at level M
 * (docs/architecture.md §4), and the functions that build the QR text and shorten free text to fit.
 */
import { digitCount } from './digits.ts';
import { maxDigitsAfter } from './qr-capacity.ts';
import { SIGNATURE_BYTES, VOUCHER_ID_BYTES } from './voucher-token.ts';

export const QR_MAX_VERSION = 10;
/** Largest amount in minor units (a four-byte varint); cash-at-store networks cap far lower. */
export const MAX_AMOUNT = 99_999_999;
/** The merchant name in the token is cut to this many UTF-8 bytes; the API keeps the full name. */
export const MERCHANT_DISPLAY_MAX_BYTES = 24;
/** Order numbers are 1–64 printable ASCII characters and always travel in full. */
export const ORDER_REF_MAX_CHARS = 64;
export const ORDER_REF_PATTERN = /^[\x20-\x7e]{1,64}$/;
/** The item summary never exceeds this, and is shorter when the URL prefix leaves less room. */
export const SUMMARY_MAX_BYTES = 32;

/** Worst-case token size without the summary text: every field at its limit, a two-byte key id. */
const WORST_CASE_WITHOUT_SUMMARY =
  2 /* version, alg */ +
  2 /* kid */ +
  VOUCHER_ID_BYTES +
  4 /* amount */ +
  2 /* currency */ +
  4 /* expiry */ +
  (1 + MERCHANT_DISPLAY_MAX_BYTES) +
  (1 + ORDER_REF_MAX_CHARS) +
  1 /* summary length */ +
  SIGNATURE_BYTES;

/**
 * The QR text's prefix for a public base URL. Scheme and host are case-insensitive
 * (RFC 3986 §3.1, §3.2.2), so they are upper-cased, which lets QR alphanumeric mode carry them;
 * the path keeps its case. `/V/` is the shopper view's voucher route.
 */
export function qrPrefix(publicUrl: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol.toUpperCase()}//${url.host.toUpperCase()}${path}/V/`;
}

/** The exact text of a voucher's QR code: a URL that opens the shopper view and carries the token. */
export function voucherQrText(publicUrl: string, token: string): string {
  return qrPrefix(publicUrl) + token;
}

/** Bytes the item summary may take so that the largest voucher still fits version 10-M. */
export function summaryBudget(publicUrl: string): number {
  const maxDigits = maxDigitsAfter(qrPrefix(publicUrl), QR_MAX_VERSION);
  let maxBytes = 0;
  while (digitCount(maxBytes + 1) <= maxDigits) maxBytes++;
  return Math.max(0, Math.min(SUMMARY_MAX_BYTES, maxBytes - WORST_CASE_WITHOUT_SUMMARY));
}

/** Cuts text to at most `maxBytes` of UTF-8 at a code point boundary, ending in "…" when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  const ellipsis = '…'; // 3 bytes
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (used + size + 3 > maxBytes) break;
    out += ch;
    used += size;
  }
  return maxBytes >= 3 ? out + ellipsis : out;
}

export interface SummaryItem {
  name: string;
  quantity: number;
}

/**
 * "2× T-shirt +3": the first item (with its quantity when above one) and how many more follow,
 * shortened to `maxBytes`. The count of further items is kept whole; the name gives way.
 */
export function itemSummary(items: readonly SummaryItem[], maxBytes: number): string {
  if (items.length === 0 || maxBytes <= 0) return '';
  const first = items[0]!;
  const head = first.quantity > 1 ? `${first.quantity}× ` : '';
  const tail = items.length > 1 ? ` +${items.length - 1}` : '';
  const room = maxBytes - new TextEncoder().encode(head + tail).length;
  if (room < 4) return truncateUtf8(`${items.length} items`, maxBytes);
  return head + truncateUtf8(first.name.trim(), room) + tail;
}
