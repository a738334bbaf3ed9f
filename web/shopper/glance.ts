/**
 * What the shopper should see at a glance: whether a voucher is about to expire, which vouchers
 * still ask something of them (the wallet lists those first), and which one the shop canceled
 * before this phone ever opened it (shown, but not kept).
 */
import type { VoucherRecord } from '../offline/records.ts';
import { refundStatusAt } from './refunds.ts';
import { statusAt, type SavedVoucher } from './voucher.ts';

/**
 * The last three hours of an open voucher are "expires soon": long enough to get to a store
 * after reading it, short enough that it is not on most of a voucher's life (three days by default).
 */
export const EXPIRES_SOON_MS = 3 * 3_600_000;

/** Open, not yet expired, and at most {@link EXPIRES_SOON_MS} left. */
export function expiresSoon(voucher: Pick<SavedVoucher, 'status' | 'expiresAt'>, now: Date): boolean {
  const left = voucher.expiresAt.getTime() - now.getTime();
  return statusAt(voucher, now) === 'open' && left <= EXPIRES_SOON_MS;
}

type Listed = Pick<SavedVoucher, 'id' | 'status' | 'expiresAt' | 'paidAt' | 'canceledAt' | 'refunds' | 'savedAt'>;

/**
 * The wallet's two groups. `current`: open vouchers, and paid ones with a refund still to collect
 * (both have a code to show at a store), the soonest deadline first. `history`: paid, expired and
 * canceled ones, the most recently settled first. Ties (expiries are whole seconds) go newest saved
 * first, then by id, so the list never shuffles between renders.
 */
export function walletGroups<T extends Listed>(vouchers: readonly T[], now: Date): { current: T[]; history: T[] } {
  const current: { voucher: T; due: number }[] = [];
  const history: { voucher: T; settled: number }[] = [];
  for (const voucher of vouchers) {
    const due = deadline(voucher, now);
    if (due !== null) current.push({ voucher, due });
    else history.push({ voucher, settled: Date.parse(voucher.paidAt ?? voucher.canceledAt ?? '') || voucher.expiresAt.getTime() });
  }
  const tie = (a: T, b: T) => b.savedAt.getTime() - a.savedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    current: current.sort((a, b) => a.due - b.due || tie(a.voucher, b.voucher)).map((e) => e.voucher),
    history: history.sort((a, b) => b.settled - a.settled || tie(a.voucher, b.voucher)).map((e) => e.voucher),
  };
}

/** When the voucher's code stops being of use: its expiry while open, else its earliest pending refund's; null when none. */
function deadline(voucher: Listed, now: Date): number | null {
  if (statusAt(voucher, now) === 'open') return voucher.expiresAt.getTime();
  const pending = voucher.refunds.filter((r) => refundStatusAt(r, now) === 'pending').map((r) => Date.parse(r.expires_at));
  return pending.length > 0 ? Math.min(...pending) : null;
}

/**
 * Canceled by the shop before this phone first saved it (the server's cancel time is not after the
 * phone's first save): it was never the shopper's to pay, so it is shown once and not kept in the
 * wallet. A phone clock running ahead of the server's could take a voucher canceled just after it
 * was opened for one canceled before; the wallet only applies this to the first answer the phone
 * ever had about a voucher, which narrows that to a cancel within the skew of the first opening.
 */
export function canceledBeforeOpened(record: Pick<VoucherRecord, 'status' | 'canceledAt' | 'savedAt'>): boolean {
  if (record.status !== 'canceled' || record.canceledAt === null) return false;
  return Date.parse(record.canceledAt) <= record.savedAt;
}
