import { describe, expect, it } from 'vitest';
import { randomBytes, toHex } from './bytes.ts';

describe('randomBytes', () => {
  it('hands out every byte of its pool once, across refills, at the length asked for', () => {
    const seen = new Set<string>();
    // 2,000 ids of 10 bytes span five refills of the 4 KiB pool, one of them mid-id.
    for (let i = 0; i < 2000; i++) {
      const id = randomBytes(10);
      expect(id.length).toBe(10);
      seen.add(toHex(id));
    }
    expect(seen.size).toBe(2000);
  });

  it('reads more than a pool at once straight from the platform', () => {
    const big = randomBytes(10_000);
    expect(big.length).toBe(10_000);
    expect(new Set(big).size).toBeGreaterThan(200);
  });
});
