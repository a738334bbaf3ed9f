/**
 * Money is an integer count of minor units plus an ISO 4217 code (docs/architecture.md §2). No floating point
 * touches an amount; formatting for people happens at the edge, here, with Intl.NumberFormat.
 */
import { CURRENCY_EXPONENTS } from './currencies.ts';

export interface Money {
  /** Minor units (cents, yen, fils): a safe integer. */
  amount: number;
  currency: string;
}

export function isCurrency(code: string): boolean {
  return CURRENCY_EXPONENTS.has(code);
}

/** Digits after the decimal point in `currency` (JPY 0, EUR 2, KWD 3). Throws for an unknown code. */
export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENTS.get(currency);
  if (exponent === undefined) throw new RangeError(`unknown ISO 4217 currency: ${currency}`);
  return exponent;
}

/** "1234.50" for 123450 EUR, "1200" for 1200 JPY: exact decimal text, built from integers. */
export function toDecimalString(amount: number | bigint | string, currency: string): string {
  const exponent = currencyExponent(currency);
  // Exact for any whole number of minor units: a bigint or a decimal string works digit by digit.
  const value = BigInt(amount);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/**
 * Formats for people in `locale`, with exactly the currency's ISO exponent of fraction digits.
 * The decimal string is handed to Intl as a string so no binary fraction is ever involved.
 */
export function formatMoney(amount: number, currency: string, locale?: string | string[]): string {
  const exponent = currencyExponent(currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl.NumberFormat.format accepts a decimal string exactly (ECMA-402 "intl.numberformat v3").
  return format.format(toDecimalString(amount, currency) as unknown as number);
}
