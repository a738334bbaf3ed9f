/**
 * The voucher reference: twelve digits a cashier can type when the camera fails, the last one a
 * Damm check digit. Damm's quasigroup catches every single wrong digit and every swap of two
 * neighbouring digits (H. M. Damm, 2004), which are the typing errors people make most.
 */

/** Damm's totally anti-symmetric quasigroup of order 10. */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

export const REFERENCE_DIGITS = 12;

/** The Damm check digit of a digit string. */
export function dammCheckDigit(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![ch.charCodeAt(0) - 48]!;
  return interim;
}

/** True when the digits (check digit last) pass the Damm check. */
export function dammValid(digits: string): boolean {
  return /^[0-9]+$/.test(digits) && dammCheckDigit(digits) === 0;
}

/**
 * Reads what a person typed: spaces and dashes are ignored. Returns the twelve digits, or why not.
 */
export function parseReference(typed: string): { ok: true; reference: string } | { ok: false; reason: 'length' | 'not_digits' | 'check_digit' } {
  const digits = typed.replace(/[\s-]/g, '');
  if (!/^[0-9]*$/.test(digits)) return { ok: false, reason: 'not_digits' };
  if (digits.length !== REFERENCE_DIGITS) return { ok: false, reason: 'length' };
  if (!dammValid(digits)) return { ok: false, reason: 'check_digit' };
  return { ok: true, reference: digits };
}

/** "1234 5678 9012": groups of four for reading aloud and typing. */
export function formatReference(reference: string): string {
  return reference.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * The reference of a voucher, derived from its 8-byte id: the first five bytes read as an integer,
 * taken modulo 10^11, then the check digit. Deriving it (rather than storing a second random
 * number) lets the shopper view and the till show it from the token alone, offline. Two ids can
 * map to one reference; the API keeps references unique and draws a new id when that happens.
 */
export function referenceForVoucherId(voucherId: Uint8Array): string {
  let value = 0;
  for (let i = 0; i < 5; i++) value = value * 256 + voucherId[i]!;
  const body = String(value % 10 ** (REFERENCE_DIGITS - 1)).padStart(REFERENCE_DIGITS - 1, '0');
  return body + dammCheckDigit(body);
}
