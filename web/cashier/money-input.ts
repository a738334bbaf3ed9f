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
