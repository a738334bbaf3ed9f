/**
 * Asks the server for the current status of the saved vouchers that are still open here.
 * Paid, expired and canceled are final (core/vouchers/voucher-status.ts), so they are not asked again.
 */
import type { HttpResult } from '../app/http.ts';
import type { VoucherRecord } from '../offline/records.ts';
import type { VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';

/** The API takes at most this many tokens a call. */
export const STATUS_BATCH = 50;

export interface StatusDeps {
  fetchStatuses(tokens: string[]): Promise<HttpResult<VoucherStatusAnswer>>;
  putRecord(record: VoucherRecord): Promise<void>;
  now(): number;
}

export interface StatusSyncOutcome {
  /** Records whose stored status or check time changed. */
  updated: VoucherRecord[];
  /** False when no batch reached the server (offline): the wallet keeps its "last checked" age. */
  reachedServer: boolean;
}

export async function syncStatuses(records: readonly VoucherRecord[], deps: StatusDeps): Promise<StatusSyncOutcome> {
  const pending = records.filter((r) => r.status === 'open');
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
      const next: VoucherRecord = { ...record, status: entry.status, paidAt: entry.paid_at, canceledAt: entry.canceled_at, statusCheckedAt: checkedAt };
      await deps.putRecord(next);
      updated.push(next);
    }
  }
  return { updated, reachedServer };
}
