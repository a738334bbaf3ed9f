import { describe, expect, it } from 'vitest';
import { cashSuggestions, changeDue, parseAmountInput } from './money-input.ts';

describe('cash amounts typed at the till', () => {
  it('reads whole and decimal amounts into minor units, with a point or a comma', () => {
    expect(parseAmountInput('50', 'EUR')).toBe(5000);
    expect(parseAmountInput('50.5', 'EUR')).toBe(5050);
    expect(parseAmountInput('50,05', 'EUR')).toBe(5005);
    expect(parseAmountInput(' 1 000.00 ', 'EUR')).toBe(100000);
    expect(parseAmountInput('0.10', 'EUR')).toBe(10);
  });

  it('never passes through floating point: 0.29 EUR is exactly 29 cents', () => {
    expect(parseAmountInput('0.29', 'EUR')).toBe(29);
    expect(parseAmountInput('1.15', 'EUR')).toBe(115);
  });

  it('follows the currency’s minor unit', () => {
    expect(parseAmountInput('1200', 'JPY')).toBe(1200);
    expect(parseAmountInput('1200.5', 'JPY')).toBeNull();
    expect(parseAmountInput('1.234', 'KWD')).toBe(1234);
  });

  it('refuses text that is not an amount', () => {
    for (const text of ['', 'abc', '-5', '5.123', '5..0', '1e3']) expect(parseAmountInput(text, 'EUR'), text).toBeNull();
  });

  it('gives change only when enough cash was handed over', () => {
    expect(changeDue(4250, 5000)).toBe(750);
    expect(changeDue(4250, 4250)).toBe(0);
    expect(changeDue(4250, 4000)).toBeNull();
  });

  it('suggests the next round amounts in the store’s notes, each more than due', () => {
    expect(cashSuggestions(4_250, 'EUR')).toEqual([4_500, 5_000, 6_000]);
    expect(cashSuggestions(730, 'EUR')).toEqual([1_000, 2_000, 5_000]);
    // An amount that is already round: the next step of each note, never the amount itself.
    expect(cashSuggestions(25_000, 'EUR')).toEqual([25_500, 26_000, 30_000]);
    expect(cashSuggestions(199, 'USD')).toEqual([200, 500, 1_000]);
    // No minor unit: yen notes start at ¥1,000.
    expect(cashSuggestions(3_480, 'JPY')).toEqual([4_000, 5_000, 10_000]);
    // A currency without a table: the 1-2-5 series.
    expect(cashSuggestions(1_234, 'MXN')).toEqual([1_300, 1_400, 1_500]);
  });
});
