import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, isCurrency, toDecimalString } from './money.ts';

describe('money', () => {
  it("uses each currency's ISO 4217 exponent", () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('ISK')).toBe(0);
    expect(() => currencyExponent('XXX')).toThrow(/unknown ISO 4217 currency: XXX/);
  });

  it('writes exact decimal text from integers', () => {
    expect(toDecimalString(123450, 'EUR')).toBe('1234.50');
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(1200, 'JPY')).toBe('1200');
    expect(toDecimalString(1, 'BHD')).toBe('0.001');
    expect(toDecimalString(-250, 'USD')).toBe('-2.50');
    expect(toDecimalString(99_999_999_999_999, 'EUR')).toBe('999999999999.99');
  });

  it('formats for people with no binary fractions', () => {
    expect(formatMoney(1999, 'EUR', 'en')).toBe('€19.99');
    expect(formatMoney(1200, 'JPY', 'en')).toBe('¥1,200');
    expect(formatMoney(1999, 'CNY', 'zh-CN')).toBe('¥19.99');
    expect(formatMoney(1001, 'KWD', 'en')).toMatch(/1\.001/);
  });

  it('knows real codes and refuses others', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('ABC')).toBe(false);
  });
});
