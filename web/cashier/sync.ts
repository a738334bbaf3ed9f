/**
 * Sync between the till's journal and the API (docs/architecture.md §5), as plain functions over small ports so
 * the rules can be tested without a browser:
 *
 *   push: send queued rows (at most 500 a call); each answer is final and moves its row out of the
 *         queue; a row the server could not read goes to "needs attention". Anything that is not a
 *         2xx (no network, 5xx, 401) ends nothing: the rows stay queued for the next try. A 400/413
 *         for a whole batch means the batch is wrong (too big, one unreadable row): it is split and
 *         sent again, down to single rows, and never dropped.
 *   pull: the feed of vouchers paid or canceled elsewhere, page by page from the stored cursor, with
 *         the current operator keys, lease and store.
 */
import type { JournalRecord } from '../../core/contract/till.ts';
import type { EntryResult } from '../offline/journal.store.ts';
import type { JournalEntry } from '../offline/till-records.ts';
import type { ApiResult } from './till.api.ts';
import type { ProblemCode } from '../../core/contract/problem.ts';
import { MAX_BATCH, MAX_BATCH_BYTES, type CollectionsAnswer, type FeedPage } from '../../core/contract/till.ts';

/**
 * The API takes at most MAX_BATCH collections a call, in a body of at most 1 MiB (the contract,
 * core/contract/till.ts). A collection is about 700 bytes of JSON, so 500 fit; batches are still cut
 * by size, and the 413 split below stays as the safety net if the limit shrinks.
 */

/** Consecutive batches of at most `maxCount` rows and about `maxBytes` of JSON, never empty. */
export function batches(rows: readonly JournalEntry[], maxCount = MAX_BATCH, maxBytes = MAX_BATCH_BYTES): JournalEntry[][] {
  const out: JournalEntry[][] = [];
  let current: JournalEntry[] = [];
  let bytes = 20; // {"collections":[]}
  for (const row of rows) {
    const size = JSON.stringify(row.record).length + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 20;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface PushPorts {
  queued(): Promise<JournalEntry[]>;
  post(records: JournalRecord[]): Promise<ApiResult<CollectionsAnswer>>;
  apply(results: EntryResult[], at: number): Promise<void>;
  noteAttempts(ids: string[]): Promise<void>;
  now(): number;
}

export type PushOutcome = {
  sent: number;
  settled: number;
  quarantined: number;
  /**
   * done: every queued row has a final outcome (or none was queued);
   * retry: the server could not be reached or did not answer with a 2xx; rows stay queued;
   * unauthorized: the server does not accept this till's credential (withdrawn or unknown).
   */
  status: 'done' | 'retry' | 'unauthorized';
  detail?: string;
};

/** A rejected row with reason `malformed` could not even be stored: a person must look at it. */
function resultFor(entry: JournalEntry, answer: CollectionsAnswer['data'][number]): EntryResult {
  if (answer.outcome === 'rejected' && answer.reason === 'malformed') return { id: entry.id, kind: 'quarantine', detail: answer.detail };
  return {
    id: entry.id,
    kind: 'settle',
    outcome: { outcome: answer.outcome, reason: answer.reason, voucher_id: answer.voucher_id, refund_id: answer.refund_id, detail: answer.detail, flags: answer.flags },
  };
}

export async function pushJournal(ports: PushPorts, limits: { count?: number; bytes?: number } = {}): Promise<PushOutcome> {
  const queued = await ports.queued();
  const outcome: PushOutcome = { sent: 0, settled: 0, quarantined: 0, status: 'done' };

  async function send(batch: JournalEntry[]): Promise<boolean> {
    const answer = await ports.post(batch.map((e) => e.record));
    outcome.sent += batch.length;
    if (answer.ok) {
      const results: EntryResult[] = [];
      const missing: string[] = [];
      for (const [index, entry] of batch.entries()) {
        const item = answer.data.data.find((d) => d.index === index);
        // An answer for another record (a server bug) must never settle this one. The server
        // names no id only for a record it could not read at all (rejected, malformed).
        const malformed = item?.outcome === 'rejected' && item.reason === 'malformed';
        if (!item || (item.id === null ? !malformed : item.id !== entry.id)) missing.push(entry.id);
        else results.push(resultFor(entry, item));
      }
      await ports.apply(results, ports.now());
      outcome.settled += results.filter((r) => r.kind === 'settle').length;
      outcome.quarantined += results.filter((r) => r.kind === 'quarantine').length;
      if (missing.length > 0) {
        await ports.noteAttempts(missing);
        outcome.status = 'retry';
        outcome.detail = 'the server did not answer for every collection';
      }
      return true;
    }
    if (answer.reason === 'status' && (answer.status === 400 || answer.status === 413 || answer.status === 422)) {
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        return (await send(batch.slice(0, half))) && (await send(batch.slice(half)));
      }
      // One row the server refuses outright: keep it, visibly, for a person.
      await ports.apply([{ id: batch[0]!.id, kind: 'quarantine', detail: answer.detail }], ports.now());
      outcome.quarantined++;
      return true;
    }
    await ports.noteAttempts(batch.map((e) => e.id));
    outcome.status = answer.reason === 'status' && (answer.status === 401 || answer.status === 403) ? 'unauthorized' : 'retry';
    outcome.detail = answer.reason === 'network' ? 'no network' : answer.detail;
    return false;
  }

  for (const batch of batches(queued, limits.count, limits.bytes)) {
    if (!(await send(batch))) break;
  }
  return outcome;
}

export interface PullPorts {
  cursor(): Promise<string | null>;
  fetch(since: string | null): Promise<ApiResult<FeedPage>>;
  /** Stores the page's entries and its cursor together; `last` marks the paid list current. */
  store(page: FeedPage, last: boolean, at: number): Promise<void>;
  now(): number;
}

export type PullOutcome =
  | { status: 'done'; pages: number; changes: number; last: FeedPage | null }
  /** revoked: the server withdrew this device (403 device-revoked). */
  | { status: 'retry' | 'unauthorized' | 'revoked'; pages: number; changes: number; detail: string };

/** Guard against a server that always says has_more. */
const MAX_PAGES = 1000;

export async function pullFeed(ports: PullPorts): Promise<PullOutcome> {
  let since = await ports.cursor();
  let pages = 0;
  let changes = 0;
  for (;;) {
    const answer = await ports.fetch(since);
    if (!answer.ok) {
      const detail = answer.reason === 'network' ? 'no network' : answer.detail;
      if (answer.reason === 'status' && answer.problem === ('device-revoked' satisfies ProblemCode)) return { status: 'revoked', pages, changes, detail };
      if (answer.reason === 'status' && (answer.status === 401 || answer.status === 403)) return { status: 'unauthorized', pages, changes, detail };
      return { status: 'retry', pages, changes, detail };
    }
    pages++;
    changes += answer.data.changes.length;
    const last = !answer.data.has_more || pages >= MAX_PAGES;
    await ports.store(answer.data, last, ports.now());
    if (last) return { status: 'done', pages, changes, last: answer.data };
    since = answer.data.cursor;
  }
}

/** Next try after `failures` failed syncs in a row: 2 s, 4 s, 8 s … up to 5 minutes, with jitter. */
export function backoffMs(failures: number, random = Math.random): number {
  if (failures <= 0) return 0;
  const base = Math.min(300_000, 1000 * 2 ** Math.min(failures, 12));
  return Math.round(base * (0.75 + random() * 0.5));
}
