/**
 * The till's collection journal in IndexedDB (docs/architecture.md §5). It is the source of truth until the
 * server has answered: rows are never deleted, and a final outcome only moves a row from
 * `queued` to `settled` (or to `attention` when the server could not read it).
 */
import { GENESIS_HASH } from '../../core/collections/collection-record.ts';
import { db } from './db.ts';
import { withLock } from './locks.ts';
import { journalEntrySchema, type JournalEntry, type ServerOutcome } from './till-records.ts';
import type { ReviewedCollection } from '../../core/contract/till.ts';

export const APPEND_LOCK = 'counterpay-journal-append';

/** The end of a device's chain: the next record takes seq + 1 and names `hash` as prev_hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

function parse(value: unknown): JournalEntry | null {
  const parsed = journalEntrySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Never drop it: the row stays in the database for a later version or a person to read.
  console.warn('Counterpay: a journal row could not be read', parsed.error);
  return null;
}

function deviceRange(deviceId: string): IDBKeyRange {
  return IDBKeyRange.bound([deviceId, 0], [deviceId, Number.MAX_SAFE_INTEGER]);
}

async function readHead(deviceId: string): Promise<ChainHead> {
  const cursor = await (await db()).transaction('journal').store.index('byDeviceSeq').openCursor(deviceRange(deviceId), 'prev');
  if (!cursor) return GENESIS;
  const value = cursor.value as { seq?: unknown; hash?: unknown };
  if (typeof value.seq !== 'number' || typeof value.hash !== 'string') throw new Error('the last journal row cannot be read; the chain cannot continue');
  return { seq: value.seq, hash: value.hash };
}

class ChainMoved extends Error {}

/**
 * Appends one record. `build` receives the chain head and returns the signed row for seq + 1.
 *
 * Signing is asynchronous WebCrypto work, and an IndexedDB transaction commits as soon as it has
 * no request pending, so the head cannot be read, signed and written in one transaction. Instead:
 * the whole append runs under a Web Lock (one tab at a time), and the write transaction reads the
 * head again and writes only if it is still the one the record was signed against; the unique
 * [deviceId, seq] index refuses a second row with the same seq in any case. If the head moved
 * (a browser without Web Locks, two tabs at once) the record is signed again on the new head.
 */
export async function appendToJournal(deviceId: string, build: (head: ChainHead) => Promise<JournalEntry>): Promise<JournalEntry> {
  return withLock(APPEND_LOCK, async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = await readHead(deviceId);
      const entry = journalEntrySchema.parse(await build(head));
      if (entry.seq !== head.seq + 1 || entry.record.prev_hash !== head.hash || entry.deviceId !== deviceId) throw new Error('journal row does not continue the chain');
      const tx = (await db()).transaction('journal', 'readwrite');
      try {
        const cursor = await tx.store.index('byDeviceSeq').openCursor(deviceRange(deviceId), 'prev');
        const now = cursor ? { seq: (cursor.value as JournalEntry).seq, hash: (cursor.value as JournalEntry).hash } : GENESIS;
        if (now.seq !== head.seq || now.hash !== head.hash) throw new ChainMoved();
        await tx.store.add(entry);
        await tx.done;
        return entry;
      } catch (err) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        await tx.done.catch(() => undefined);
        if (err instanceof ChainMoved || (err instanceof DOMException && err.name === 'ConstraintError')) continue;
        throw err;
      }
    }
    throw new Error('the journal kept changing while a collection was being recorded');
  });
}

/** Every readable row, oldest first (by device, then seq). */
export async function listJournal(): Promise<JournalEntry[]> {
  const values = await (await db()).getAllFromIndex('journal', 'byDeviceSeq');
  return values.map(parse).filter((e): e is JournalEntry => e !== null);
}

/** Rows still waiting for a final outcome, in chain order. */
export async function listQueued(): Promise<JournalEntry[]> {
  const values = await (await db()).getAllFromIndex('journal', 'byState', 'queued');
  return values
    .map(parse)
    .filter((e): e is JournalEntry => e !== null)
    .sort((a, b) => (a.deviceId === b.deviceId ? a.seq - b.seq : a.deviceId < b.deviceId ? -1 : 1));
}

export async function listByState(state: JournalEntry['state']): Promise<JournalEntry[]> {
  const values = await (await db()).getAllFromIndex('journal', 'byState', state);
  return values.map(parse).filter((e): e is JournalEntry => e !== null);
}

export async function hasCollectionFor(voucherId: string): Promise<boolean> {
  return (await (await db()).countFromIndex('journal', 'byVoucher', voucherId)) > 0;
}

async function change(id: string, update: (entry: JournalEntry) => JournalEntry | null): Promise<void> {
  const tx = (await db()).transaction('journal', 'readwrite');
  const current = parse(await tx.store.get(id));
  const next = current && update(current);
  if (next) await tx.store.put(journalEntrySchema.parse(next));
  await tx.done;
}

/**
 * What the server said about a row: a final outcome (`settle`), or "cannot read it" (`quarantine`:
 * kept, visibly, for a person).
 */
export type EntryResult = { id: string; kind: 'settle'; outcome: ServerOutcome } | { id: string; kind: 'quarantine'; detail: string };

/** Applies a batch of answers in one transaction. A row already settled keeps its first outcome. */
export async function applyResults(results: readonly EntryResult[], at: number): Promise<void> {
  const tx = (await db()).transaction('journal', 'readwrite');
  for (const r of results) {
    const current = parse(await tx.store.get(r.id));
    if (!current || current.state === 'settled') continue;
    const next: JournalEntry =
      r.kind === 'settle'
        ? { ...current, state: 'settled', result: { ...r.outcome, settledAt: at }, attentionDetail: null }
        : { ...current, state: 'attention', attentionDetail: r.detail };
    await tx.store.put(journalEntrySchema.parse(next));
  }
  await tx.done;
}

/**
 * Operators' review decisions on rows held for review, as the feed reports them: each settled row
 * keeps its outcome and gains the decision (applying one twice changes nothing).
 */
export async function applyReviews(reviewed: readonly ReviewedCollection[]): Promise<void> {
  const tx = (await db()).transaction('journal', 'readwrite');
  for (const r of reviewed) {
    const current = parse(await tx.store.get(r.collection_id));
    if (!current?.result || current.result.review?.decided_at === r.decided_at) continue;
    const review = { decision: r.decision, result: r.result, decided_at: r.decided_at };
    await tx.store.put(journalEntrySchema.parse({ ...current, result: { ...current.result, review } }));
  }
  await tx.done;
}

/** A person asks to send a quarantined row again (after an app update, say). */
export function requeueEntry(id: string): Promise<void> {
  return change(id, (e) => (e.state === 'attention' ? { ...e, state: 'queued' } : null));
}

export async function noteAttempts(ids: readonly string[]): Promise<void> {
  const tx = (await db()).transaction('journal', 'readwrite');
  for (const id of ids) {
    const current = parse(await tx.store.get(id));
    if (current && current.state === 'queued') await tx.store.put({ ...current, attempts: current.attempts + 1 });
  }
  await tx.done;
}
