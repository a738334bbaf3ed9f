import { describe, expect, it } from 'vitest';
import { voucherQrText } from '../../core/token/limits.ts';
import { acceptedRefunds, pendingRefundTotal, refundStatusAt } from './refunds.ts';
import { claimsFor, makeKey, refundFor, sign, TEST_NOW } from './testing.ts';

describe('refunds from a server answer', () => {
  it('keeps a refund whose token is a refund’s and says what the answer says', async () => {
    const key = await makeKey(1);
    const refund = await refundFor(key);
    expect(acceptedRefunds([refund])).toEqual([refund]);
  });

  it('leaves out a refund whose token is a voucher’s, or whose id, reference, amount, currency or QR does not match it', async () => {
    const key = await makeKey(1);
    const good = await refundFor(key);
    const voucherToken = await sign(key, claimsFor(1, { amount: good.amount }));
    const bad = [
      { ...good, token: voucherToken, qr: voucherQrText('http://127.0.0.1:8080', voucherToken) },
      { ...good, id: 'rfd_0000000000000' },
      { ...good, reference: '000000000000' },
      { ...good, amount: good.amount + 1 },
      { ...good, currency: 'USD' },
      { ...good, qr: voucherQrText('http://127.0.0.1:8080', '1234') },
      { ...good, token: '1234' },
    ];
    for (const refund of bad) expect(acceptedRefunds([refund, good]), JSON.stringify(refund)).toEqual([good]);
  });
});

describe('what a refund shows', () => {
  it('reads a pending refund as expired once its expiry has passed, offline', async () => {
    const refund = await refundFor(await makeKey(1), { expires_at: '2026-12-01T00:00:00.000Z' });
    expect(refundStatusAt(refund, new Date('2026-11-30T23:59:59Z'))).toBe('pending');
    expect(refundStatusAt(refund, new Date('2026-12-01T00:00:00Z'))).toBe('expired');
    expect(refundStatusAt({ ...refund, status: 'paid' }, new Date('2027-01-01T00:00:00Z'))).toBe('paid');
  });

  it('adds up only what can be collected now, for the wallet’s “refund ready” line', async () => {
    const key = await makeKey(1);
    const later = new Date(TEST_NOW.getTime() + 86_400_000).toISOString();
    const refunds = [
      await refundFor(key, { amount: 1_000, expires_at: later }, { amount: 1_000 }),
      await refundFor(key, { amount: 2_000, expires_at: later }, { amount: 2_000 }),
      await refundFor(key, { status: 'paid', paid_at: TEST_NOW.toISOString() }),
      await refundFor(key, { expires_at: TEST_NOW.toISOString() }),
    ];
    expect(pendingRefundTotal(refunds, TEST_NOW)).toBe(3_000);
    expect(pendingRefundTotal([], TEST_NOW)).toBe(0);
  });
});
