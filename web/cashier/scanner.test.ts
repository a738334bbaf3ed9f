import { describe, expect, it } from 'vitest';
import { onceWhileInView } from './scanner.ts';

describe('camera reads', () => {
  it('lets a code held in view through once, and again only after it left the view for a while', () => {
    let t = 0;
    const pass = onceWhileInView(3000, () => t);
    expect(pass('A')).toBe(true);
    for (t = 100; t < 10_000; t += 100) expect(pass('A')).toBe(false);
    t += 3001;
    expect(pass('A')).toBe(true);
  });

  it('lets a different code through at once', () => {
    let t = 0;
    const pass = onceWhileInView(3000, () => t);
    expect(pass('A')).toBe(true);
    t = 10;
    expect(pass('B')).toBe(true);
    t = 20;
    expect(pass('A')).toBe(true);
  });

  it('does not read again the code that stopped the camera when the camera starts again with it in view', () => {
    let t = 50_000;
    const pass = onceWhileInView(3000, () => t, 'A');
    for (; t < 60_000; t += 100) expect(pass('A')).toBe(false);
    expect(pass('B')).toBe(true);
  });
});
