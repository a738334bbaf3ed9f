/**
 * Amounts the cashier types (the cash handed over), read into integer minor units without any
 * floating point (docs/architecture.md §2). "50", "50.5", "50,50" and "1 000.00" all read; more decimals than
 * the currency has do not.
 */
import { currencyExponent } from '../../core/money/money.ts';

export function parseAmountInput(text: string, currency: string): number | null {
  const exponent = currencyExponent(currency);
  const cleaned = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  const m = /^([0-9]+)(?:[.,]([0-9]*))?$/.exec(cleaned);
  if (!m) return null;
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) return null;
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}

/** Change due for cash: what was handed over minus the amount due; null when it is not enough. */
export function changeDue(amountDue: number, handedOver: number): number | null {
  return handedOver >= amountDue ? handedOver - amountDue : null;
}

/**
 * Banknotes in circulation, in major units, for the currencies stores take most; any other
 * currency gets the 1-2-5 series most note families follow. Only used to suggest amounts.
 */
const NOTES: Record<string, number[]> = {
  EUR: [5, 10, 20, 50, 100, 200, 500],
  USD: [1, 5, 10, 20, 50, 100],
  GBP: [5, 10, 20, 50],
  CHF: [10, 20, 50, 100, 200, 1000],
  CNY: [1, 5, 10, 20, 50, 100],
  HKD: [10, 20, 50, 100, 500, 1000],
  JPY: [1000, 2000, 5000, 10000],
  CAD: [5, 10, 20, 50, 100],
  AUD: [5, 10, 20, 50, 100],
  SEK: [20, 50, 100, 200, 500, 1000],
  NOK: [50, 100, 200, 500, 1000],
  DKK: [50, 100, 200, 500, 1000],
  PLN: [10, 20, 50, 100, 200, 500],
  CZK: [100, 200, 500, 1000, 2000, 5000],
};
const SERIES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/**
 * What a shopper is likely to hand over for `amountDue` (minor units), besides the exact amount:
 * the amount rounded up to a multiple of each note, the three smallest that are more than due.
 * €42.50 → €45, €50, €60; €7.30 → €10, €20, €50.
 */
export function cashSuggestions(amountDue: number, currency: string): number[] {
  const unit = 10 ** currencyExponent(currency);
  const notes = NOTES[currency] ?? SERIES;
  const amounts = new Set<number>();
  for (const note of notes) {
    const step = note * unit;
    const next = Math.ceil(amountDue / step) * step;
    amounts.add(next > amountDue ? next : next + step);
  }
  return [...amounts].sort((a, b) => a - b).slice(0, 3);
}
