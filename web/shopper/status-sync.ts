/**
 * Asks the server for the current status of saved vouchers, and for their refunds.
 *
 * Paid, expired and canceled are final (core/vouchers/voucher-status.ts), but money may still come
 * back for a settled voucher (docs/refunds.md): the merchant refunds it, or a till took cash it may
 * not keep. So a settled voucher is still asked about for a while after it settled, and for as long
 * as one of its refunds is pending here (to learn that it was paid out, or expired).
 */
import type { HttpResult } from '../app/http.ts';
import type { VoucherRecord } from '../offline/records.ts';
import type { VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { acceptedRefunds } from './refunds.ts';

/** The API takes at most this many tokens a call. */
export const STATUS_BATCH = 50;
/** How long after a voucher settled (was paid, canceled or expired) the wallet still asks about its refunds. */
export const REFUND_WATCH_MS = 60 * 86_400_000;

export interface StatusDeps {
  fetchStatuses(tokens: string[]): Promise<HttpResult<VoucherStatusAnswer>>;
  putRecord(record: VoucherRecord): Promise<void>;
  now(): number;
}

export interface StatusSyncOutcome {
  /** Records whose stored status, refunds or check time changed. */
  updated: VoucherRecord[];
  /** False when no batch reached the server (offline): the wallet keeps its "last checked" age. */
  reachedServer: boolean;
}

/** Whether the server may know something about this voucher that the phone does not. */
export function needsStatusCheck(record: VoucherRecord, now: number): boolean {
  if (record.status === 'open' || record.refunds.some((r) => r.status === 'pending')) return true;
  const decoded = decodeVoucherToken(record.token);
  // Paid or canceled when the server said so; expired at the token's expiry. Unknown: not asked.
  const settledAt = Date.parse(record.paidAt ?? record.canceledAt ?? '') || (decoded.ok ? decoded.claims.expiresAt * 1000 : Number.NaN);
  return now - settledAt < REFUND_WATCH_MS;
}

/** Checks the records `ask` picks (by default those {@link needsStatusCheck} picks), in batches. */
export async function syncStatuses(
  records: readonly VoucherRecord[],
  deps: StatusDeps,
  ask: (record: VoucherRecord) => boolean = (r) => needsStatusCheck(r, deps.now()),
): Promise<StatusSyncOutcome> {
  const pending = records.filter(ask);
  const updated: VoucherRecord[] = [];
  let reachedServer = false;
  for (let start = 0; start < pending.length; start += STATUS_BATCH) {
    const batch = pending.slice(start, start + STATUS_BATCH);
    const answer = await deps.fetchStatuses(batch.map((r) => r.token));
    if (!answer.ok) {
      if (answer.reason === 'network') break;
      continue;
    }
    reachedServer = true;
    const checkedAt = deps.now();
    for (const [i, record] of batch.entries()) {
      const entry = answer.data.data[i];
      // An entry for another voucher would be a server bug; never let it overwrite this record.
      if (!entry || 'error' in entry || entry.voucher_id !== record.id) continue;
      // The server's list is the truth about refunds (it never forgets one): it replaces the stored one.
      const next: VoucherRecord = {
        ...record,
        status: entry.status,
        paidAt: entry.paid_at,
        canceledAt: entry.canceled_at,
        refunds: acceptedRefunds(entry.refunds),
        statusCheckedAt: checkedAt,
      };
      await deps.putRecord(next);
      updated.push(next);
    }
  }
  return { updated, reachedServer };
}
