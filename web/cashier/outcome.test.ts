import { describe, expect, it } from 'vitest';
import { receiptNumber } from './outcome.ts';

describe('the receipt number', () => {
  it('is the till’s last four id characters and the row’s sequence number', () => {
    expect(receiptNumber('dev_ab3dq7kq2x5m7kq2', 42)).toBe('7KQ2-42');
    expect(receiptNumber('dev_ab3dq7kq2x5m0001', 1)).toBe('0001-1');
  });
});
