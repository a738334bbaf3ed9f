import { describe, expect, it } from 'vitest';
import type { RefundForShopper } from '../../core/contract/voucher-link.ts';
import type { VoucherStatus } from '../../core/vouchers/voucher-status.ts';
import { canceledBeforeOpened, EXPIRES_SOON_MS, expiresSoon, walletGroups } from './glance.ts';
import { TEST_NOW } from './testing.ts';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(TEST_NOW.getTime() + ms);

function voucher(id: string, status: VoucherStatus, expiresIn: number, more: { paidAt?: string; canceledAt?: string; refunds?: RefundForShopper[]; savedAt?: Date } = {}) {
  return {
    id,
    status,
    expiresAt: at(expiresIn),
    paidAt: more.paidAt ?? null,
    canceledAt: more.canceledAt ?? null,
    refunds: more.refunds ?? [],
    savedAt: more.savedAt ?? at(-HOUR),
  };
}

function pendingRefund(expiresIn: number): RefundForShopper {
  return {
    id: 'rfd_0000000000001',
    status: 'pending',
    amount: 500,
    currency: 'EUR',
    reference: '000000000000',
    token: '1',
    qr: 'HTTP://X/V/1',
    expires_at: at(expiresIn).toISOString(),
    paid_at: null,
    code_sent: false,
  };
}

describe('expires soon', () => {
  it('is the last three hours of an open voucher, up to its expiry', () => {
    expect(EXPIRES_SOON_MS).toBe(3 * HOUR);
    expect(expiresSoon(voucher('a', 'open', 3 * HOUR + 1_000), TEST_NOW)).toBe(false);
    expect(expiresSoon(voucher('a', 'open', 3 * HOUR), TEST_NOW)).toBe(true);
    expect(expiresSoon(voucher('a', 'open', 1_000), TEST_NOW)).toBe(true);
  });

  it('is not an expired voucher, nor one that is paid or canceled, however close its expiry', () => {
    expect(expiresSoon(voucher('a', 'open', 0), TEST_NOW)).toBe(false);
    expect(expiresSoon(voucher('a', 'open', -HOUR), TEST_NOW)).toBe(false);
    expect(expiresSoon(voucher('a', 'paid', HOUR), TEST_NOW)).toBe(false);
    expect(expiresSoon(voucher('a', 'canceled', HOUR), TEST_NOW)).toBe(false);
  });
});

describe('wallet order', () => {
  it('lists open vouchers first, the soonest expiry first, whatever order they were saved in', () => {
    const groups = walletGroups([voucher('late', 'open', 48 * HOUR), voucher('soon', 'open', HOUR), voucher('mid', 'open', 5 * HOUR)], TEST_NOW);
    expect(groups.current.map((v) => v.id)).toEqual(['soon', 'mid', 'late']);
    expect(groups.history).toEqual([]);
  });

  it('puts paid, canceled and expired vouchers in the history, the most recently settled first', () => {
    const groups = walletGroups(
      [
        voucher('paid-long-ago', 'paid', 10 * HOUR, { paidAt: at(-30 * HOUR).toISOString() }),
        voucher('open', 'open', 2 * HOUR),
        voucher('canceled', 'canceled', 10 * HOUR, { canceledAt: at(-HOUR).toISOString() }),
        voucher('expired-here', 'open', -2 * HOUR),
        voucher('expired', 'expired', -5 * HOUR),
      ],
      TEST_NOW,
    );
    expect(groups.current.map((v) => v.id)).toEqual(['open']);
    expect(groups.history.map((v) => v.id)).toEqual(['canceled', 'expired-here', 'expired', 'paid-long-ago']);
  });

  it('keeps a paid voucher with a refund still to collect among the current ones, by the refund’s expiry', () => {
    const groups = walletGroups(
      [voucher('open', 'open', 10 * HOUR), voucher('refund', 'paid', -HOUR, { paidAt: at(-2 * HOUR).toISOString(), refunds: [pendingRefund(4 * HOUR)] })],
      TEST_NOW,
    );
    expect(groups.current.map((v) => v.id)).toEqual(['refund', 'open']);
    // Once the refund's own expiry passed, nothing is left to collect.
    expect(walletGroups(groups.current, at(5 * HOUR)).history.map((v) => v.id)).toEqual(['refund']);
  });

  it('orders vouchers with the same deadline newest saved first, then by id, so the list does not shuffle between renders', () => {
    const older = voucher('new-id', 'open', HOUR, { savedAt: at(-2 * HOUR) });
    const newer = voucher('old-id', 'open', HOUR, { savedAt: at(-HOUR) });
    expect(walletGroups([older, newer], TEST_NOW).current.map((v) => v.id)).toEqual(['old-id', 'new-id']);
    const ids = walletGroups([voucher('b', 'open', HOUR), voucher('a', 'open', HOUR)], TEST_NOW).current.map((v) => v.id);
    expect(ids).toEqual(['a', 'b']);
  });
});

describe('canceled before it was opened', () => {
  const savedAt = TEST_NOW.getTime();
  it('is a voucher the server says was canceled before (or as) this phone first saved it', () => {
    expect(canceledBeforeOpened({ status: 'canceled', canceledAt: at(-HOUR).toISOString(), savedAt })).toBe(true);
    expect(canceledBeforeOpened({ status: 'canceled', canceledAt: TEST_NOW.toISOString(), savedAt })).toBe(true);
  });

  it('is not one canceled after it was saved, nor one of any other status', () => {
    expect(canceledBeforeOpened({ status: 'canceled', canceledAt: at(1_000).toISOString(), savedAt })).toBe(false);
    expect(canceledBeforeOpened({ status: 'canceled', canceledAt: null, savedAt })).toBe(false);
    expect(canceledBeforeOpened({ status: 'paid', canceledAt: null, savedAt })).toBe(false);
    expect(canceledBeforeOpened({ status: 'open', canceledAt: null, savedAt })).toBe(false);
  });
});
