/**
 * What the till reads: the camera's QR text, or what the cashier types (or a handheld scanner
 * types, as keyboard scanners do) into the Reference field.
 *
 * A voucher QR is a URL ending in `/V/<token digits>` (core/token/limits.ts). A token carries its
 * own signature, so it is checked offline; a twelve-digit reference carries none and needs the server.
 */
import { parseReference } from '../../core/reference/reference.ts';

export type TillInput =
  | { kind: 'token'; token: string }
  | { kind: 'reference'; reference: string }
  /**
   * not_voucher: a QR or text that is neither a Counterpay voucher nor a reference (another shop's code);
   * reference_length / reference_not_digits / reference_check_digit: a mistyped reference (the check
   * digit catches one wrong digit or two swapped neighbours).
   */
  | { kind: 'invalid'; reason: 'not_voucher' | 'reference_length' | 'reference_not_digits' | 'reference_check_digit' };

/** The shortest token is well over this many digits; a reference has twelve. */
const MIN_TOKEN_DIGITS = 60;

function tokenFromText(text: string): string | null {
  const trimmed = text.trim();
  // The QR URL: scheme and host are upper-case in the QR (alphanumeric mode, and case-insensitive
  // by RFC 3986), while the path is not: the route is /V/, the short link's /v/ is not a token.
  if (/^https?:\/\//i.test(trimmed)) {
    let path: string;
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return null;
    }
    return /\/V\/([0-9]+)$/.exec(path)?.[1] ?? null;
  }
  if (/^[0-9]+$/.test(trimmed) && trimmed.length >= MIN_TOKEN_DIGITS) return trimmed;
  return null;
}

/** The camera's text: only a voucher QR is of use. */
export function readScannedText(text: string): TillInput {
  const token = tokenFromText(text);
  return token ? { kind: 'token', token } : { kind: 'invalid', reason: 'not_voucher' };
}

/** The Reference field: twelve digits (spaces and dashes allowed), or a whole voucher code from a handheld scanner. */
export function readTypedText(text: string): TillInput {
  const token = tokenFromText(text);
  if (token) return { kind: 'token', token };
  if (/^[a-z]+:\/\//i.test(text.trim())) return { kind: 'invalid', reason: 'not_voucher' };
  const parsed = parseReference(text);
  if (parsed.ok) return { kind: 'reference', reference: parsed.reference };
  return { kind: 'invalid', reason: `reference_${parsed.reason}` };
}
