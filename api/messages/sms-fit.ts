/**
 * Fitting a text into one SMS, shared by the voucher SMS and the refund SMS: placeholders are
 * filled, and the parts that may give way (the merchant name, the order number) are cut short,
 * the longer first, down to a minimum. Nothing else is ever cut: a cut link opens nothing and a
 * cut code pays nothing out.
 */
import { isGsm7, smsLength, type SmsEncoding } from './sms-encoding.ts';

/** A part that may be cut short to fit, and how many characters it keeps at least. */
export interface Shortenable<P extends string> {
  name: P;
  min: number;
}

export interface FittedSms {
  text: string;
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  length: number;
  /** What one SMS holds in `encoding`. */
  limit: number;
}

/** `template` with each `{name}` replaced by its value; unknown placeholders are left as they are. */
export function fillTemplate<P extends string>(template: string, values: Record<P, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => (name in values ? values[name as P] : whole));
}

/** `text` cut to `keep` code points (less a space at the cut) plus an ellipsis that does not change the SMS encoding. */
function cut(text: string, keep: number, gsm: boolean): string {
  const chars = [...text];
  if (chars.length <= keep) return text;
  return chars.slice(0, keep).join('').trimEnd() + (gsm ? '...' : '…');
}

/**
 * Fits one template, shortening the `shortenable` parts (the longer first) as far as their
 * minimums. Returns the last try: its `length` is above `limit` when even that does not fit.
 */
export function fitTemplate<P extends string>(template: string, values: Record<P, string>, shortenable: ReadonlyArray<Shortenable<P>>): FittedSms {
  const keep = new Map<P, number>(shortenable.map((p) => [p.name, [...values[p.name]].length]));
  const uses = (name: string) => template.includes(`{${name}}`);
  for (;;) {
    const trial = (gsm: boolean) => {
      const shortened = { ...values };
      for (const p of shortenable) shortened[p.name] = cut(values[p.name], keep.get(p.name)!, gsm);
      return fillTemplate(template, shortened);
    };
    // A GSM-7 ellipsis ("...") keeps a GSM-7 text in GSM-7; in a UCS-2 text "…" costs a third.
    const gsmText = trial(true);
    const text = isGsm7(gsmText) ? gsmText : trial(false);
    const size = smsLength(text);
    if (size.units <= size.limit) return { text, encoding: size.encoding, length: size.units, limit: size.limit };
    const candidates = shortenable.filter((p) => uses(p.name) && keep.get(p.name)! > p.min).sort((a, b) => keep.get(b.name)! - keep.get(a.name)!);
    if (candidates.length === 0) return { text, encoding: size.encoding, length: size.units, limit: size.limit };
    keep.set(candidates[0]!.name, keep.get(candidates[0]!.name)! - 1);
  }
}
