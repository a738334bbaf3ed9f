import { describe, expect, it } from 'vitest';
import { code128CSymbols, drawCode128, PATTERNS, QUIET_MODULES } from './code128.ts';

describe('Code 128 set C', () => {
  it('has 107 distinct symbol patterns of 11 modules (stop 13), bars and spaces 1–4 wide', () => {
    expect(PATTERNS).toHaveLength(107);
    expect(new Set(PATTERNS).size).toBe(107);
    for (const [value, pattern] of PATTERNS.entries()) {
      const widths = [...pattern].map(Number);
      expect(
        widths.every((w) => w >= 1 && w <= 4),
        `symbol ${value}`,
      ).toBe(true);
      expect(
        widths.reduce((a, b) => a + b),
        `symbol ${value}`,
      ).toBe(value === 106 ? 13 : 11);
    }
  });

  it('encodes digit pairs after start C and weights the check symbol by position (mod 103)', () => {
    // 105 + 12·1 + 34·2 + 56·3 = 353 ≡ 44 (mod 103)
    expect(code128CSymbols('123456')).toEqual([105, 12, 34, 56, 44, 106]);
    expect(code128CSymbols('00')).toEqual([105, 0, 2, 106]);
  });

  it('draws a twelve-digit reference in 6 data symbols plus start, check, stop and quiet zones', () => {
    const drawing = drawCode128('123456789012');
    expect(drawing.width).toBe(2 * QUIET_MODULES + 8 * 11 + 13);
    // Start C begins with a 2-module bar right after the quiet zone.
    expect(drawing.path.startsWith(`M${QUIET_MODULES} 0h2v1h-2z`)).toBe(true);
  });

  it('refuses an odd number of digits or anything but digits', () => {
    expect(() => code128CSymbols('123')).toThrow(RangeError);
    expect(() => code128CSymbols('12a4')).toThrow(RangeError);
  });
});
