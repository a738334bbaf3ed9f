import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dammCheckDigit, dammValid, formatReference, referenceForVoucherId, parseReference, REFERENCE_DIGITS } from './reference.ts';

const reference = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 11 }).map((d) => {
  const body = d.join('');
  return body + dammCheckDigit(body);
});

describe('reference check digit', () => {
  it('catches every single wrong digit', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        for (let i = 0; i < ref.length; i++) {
          for (let d = 0; d <= 9; d++) {
            if (String(d) === ref[i]) continue;
            expect(dammValid(ref.slice(0, i) + d + ref.slice(i + 1))).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('catches every swap of two different neighbouring digits', () => {
    fc.assert(
      fc.property(reference, (ref) => {
        for (let i = 0; i + 1 < ref.length; i++) {
          if (ref[i] === ref[i + 1]) continue;
          const swapped = ref.slice(0, i) + ref[i + 1] + ref[i] + ref.slice(i + 2);
          expect(dammValid(swapped)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches the published Damm example (572 → check digit 4)', () => {
    expect(dammCheckDigit('572')).toBe(4);
    expect(dammValid('5724')).toBe(true);
  });

  it('derives twelve-digit references from voucher ids that pass their own check', () => {
    expect(referenceForVoucherId(new Uint8Array(8))).toBe('000000000000');
    expect(referenceForVoucherId(new Uint8Array(8).fill(255))).toBe(`99511627775${dammCheckDigit('99511627775')}`);
    for (let i = 0; i < 100; i++) {
      const ref = referenceForVoucherId(crypto.getRandomValues(new Uint8Array(8)));
      expect(ref).toMatch(new RegExp(`^\\d{${REFERENCE_DIGITS}}$`));
      expect(parseReference(formatReference(ref))).toEqual({ ok: true, reference: ref });
    }
  });

  it('says why a typed reference is refused', () => {
    expect(parseReference('1234')).toEqual({ ok: false, reason: 'length' });
    expect(parseReference('1234 5678 901x')).toEqual({ ok: false, reason: 'not_digits' });
    const ref = referenceForVoucherId(crypto.getRandomValues(new Uint8Array(8)));
    const wrong = ref.slice(0, 11) + ((Number(ref[11]) + 1) % 10);
    expect(parseReference(wrong)).toEqual({ ok: false, reason: 'check_digit' });
  });
});
