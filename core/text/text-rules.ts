/**
 * What a string may hold. Two rules, shared by the API's edge and its services:
 *
 *   - every string: no control characters (C0 and C1, DEL) other than tab, line feed and carriage
 *     return. A NUL cannot even be stored in PostgreSQL text, and the rest have no business in a
 *     payment request (a clear-screen sequence in a till name reached the operator's terminal).
 *   - display strings (names, item names, order numbers, descriptions: what a cashier or shopper
 *     reads): no control characters at all, no bidirectional controls and no invisible format
 *     characters. A right-to-left override in an item name made a till show "EUR 10.00" next to a
 *     1,000.00 voucher. ZERO WIDTH JOINER stays allowed: emoji sequences need it and it reorders
 *     nothing.
 */

// C0 except \t \n \r, DEL, C1.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
// Bidi embeddings, overrides and isolates, marks; other invisible format characters (soft hyphen,
// zero-width space and non-joiner, word joiner, invisible operators, BOM, Mongolian vowel
// separator, tag characters), interlinear annotation, line and paragraph separators.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u2060-\u2064\uFEFF\uFFF9-\uFFFB\u2028\u2029\u{E0000}-\u{E007F}]/u;

const describe = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` is refused as any string, or null when it is fine. */
export function controlCharacterProblem(value: string): string | null {
  const m = CONTROL.exec(value);
  return m ? `contains the control character ${describe(m[0])}` : null;
}

/** Why `value` is refused as a display string, or null when it is fine. */
export function displayTextProblem(value: string): string | null {
  const control = ANY_CONTROL.exec(value);
  if (control) return `contains the control character ${describe(control[0])}`;
  const bidi = BIDI.exec(value);
  if (bidi) return `contains the bidirectional control ${describe(bidi[0])}, which can reorder what is shown`;
  const invisible = INVISIBLE.exec(value);
  if (invisible) return `contains the invisible character ${describe(invisible[0])}`;
  return null;
}
