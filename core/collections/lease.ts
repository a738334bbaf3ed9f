/**
 * The offline lease (docs/architecture.md §2, "bounded offline risk"): what a till may accept without asking the
 * server. The server issues it at every sync; above it, the till needs an online confirmation.
 * Amounts are minor units of the store's currency; the shape and a new store's defaults are the
 * contract's (core/contract/till.ts).
 */
import type { Lease } from '../contract/till.ts';

export type LeaseCheck =
  | { ok: true }
  /**
   * voucher_too_large: this one voucher is above the per-voucher cap;
   * total_exceeded: with it, unsynced money would pass the cap;
   * count_exceeded: too many collections wait for sync;
   * offline_too_long: the last sync is too old to trust the paid list and the lease.
   */
  | { ok: false; reason: 'voucher_too_large' | 'total_exceeded' | 'count_exceeded' | 'offline_too_long' };

export function checkLease(lease: Lease, q: { amount: number; unsyncedTotal: number; unsyncedCount: number; lastSyncAt: Date | null; now: Date }): LeaseCheck {
  if (q.amount > lease.max_voucher_amount) return { ok: false, reason: 'voucher_too_large' };
  if (q.unsyncedCount + 1 > lease.max_unsynced_count) return { ok: false, reason: 'count_exceeded' };
  if (q.unsyncedTotal + q.amount > lease.max_unsynced_total) return { ok: false, reason: 'total_exceeded' };
  if (!q.lastSyncAt || (q.now.getTime() - q.lastSyncAt.getTime()) / 1000 > lease.max_offline_seconds) return { ok: false, reason: 'offline_too_long' };
  return { ok: true };
}
