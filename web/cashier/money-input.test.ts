import { describe, expect, it } from 'vitest';
import { changeDue, parseAmountInput } from './money-input.ts';

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
});
