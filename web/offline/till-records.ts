/**
 * What the till keeps in IndexedDB, as schemas (the wire shapes it keeps as they came are the
 * contract's, core/contract/till.ts) (docs/architecture.md §9.1): every record read back is parsed before
 * the till trusts it, because an older or newer app version may have written it.
 */
import * as z from 'zod/mini';
import { CollectionAnswer, JournalRecord, Lease, PayoutAuthorization, ReviewedCollection, Store } from '../../core/contract/till.ts';

/** The enrolled device: who it is, its credential and its own key pair. */
export const deviceRecordSchema = z.object({
  id: z.literal('device'),
  deviceId: z.string().check(z.minLength(1)),
  name: z.string(),
  store: Store,
  /** Bearer credential for every till call; shown once by the server, kept only here. */
  credential: z.string().check(z.minLength(1)),
  /** The device key pair. The private key is non-extractable: IndexedDB keeps a handle, never its bytes. */
  privateKey: z.instanceof(CryptoKey),
  publicKey: z.instanceof(CryptoKey),
  lease: Lease,
  enrolledAt: z.string(),
  /** Set when the server says the device was withdrawn; the till then takes nothing more. */
  revokedAt: z.nullable(z.number()),
  /**
   * The newest server time this till has seen, with the server's proof (from enrolment and each
   * feed page). Every record names it (collection record v2), which bounds the till's clock.
   * Absent in devices enrolled by an app version before it.
   */
  serverTime: z.optional(z.nullable(z.object({ at: z.string(), proof: z.string() }))),
});
export type DeviceRecord = z.infer<typeof deviceRecordSchema>;

export const syncStateSchema = z.object({
  id: z.literal('sync'),
  /** The feed cursor; null before the first feed page. */
  cursor: z.nullable(z.string()),
  /** When the paid list was last brought fully up to date (ms since epoch). */
  feedAt: z.nullable(z.number()),
  /** When the last full sync (journal sent, feed pulled) ended (ms since epoch): the lease's clock. */
  lastSyncAt: z.nullable(z.number()),
});
export type SyncState = z.infer<typeof syncStateSchema>;

export const shiftRecordSchema = z.object({
  id: z.literal('shift'),
  /** When the current shift began (ms since epoch). */
  startedAt: z.number(),
});
export type ShiftRecord = z.infer<typeof shiftRecordSchema>;

/**
 * A payout grant the till holds (docs/refunds.md): kept from the moment the server grants it until
 * the cashier records the payout or the grant is voided, so a reload or a crash in between shows
 * the cashier the same decision again instead of losing it.
 */
export const payoutGrantSchema = z.object({
  id: z.literal('payout'),
  token: z.string(),
  grant: PayoutAuthorization,
});
export type PayoutGrantRecord = z.infer<typeof payoutGrantSchema>;

/** The server's final word on one record, as the journal keeps it (the answer without its batch position). */
export const outcomeSchema = z.pick(CollectionAnswer, { outcome: true, reason: true, voucher_id: true, refund_id: true, detail: true, flags: true });
export type ServerOutcome = z.infer<typeof outcomeSchema>;

/**
 * The life of a journal row.
 */
export const JournalState = {
  /** Recorded here, no final outcome from the server yet: it counts against the lease and is sent at every sync. */
  queued: 'queued',
  /** The server gave a final outcome (accepted, duplicate, late, mismatch or rejected). */
  settled: 'settled',
  /** The server could not read it (malformed): kept and shown for a person, never dropped. */
  attention: 'attention',
} as const;
export type JournalState = (typeof JournalState)[keyof typeof JournalState];

export const journalEntrySchema = z.object({
  /** The record's own id (a UUID), which is the server's idempotency key. */
  id: z.string(),
  deviceId: z.string(),
  seq: z.int().check(z.positive()),
  /** The voucher a collection is for; for a payout, the refund it pays (`rfd_…`). */
  voucherId: z.string(),
  /** A collection, or a payout of a refund (its `type` is "payout"). */
  record: JournalRecord,
  /** recordHash(record): what the next record names as prev_hash. */
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  state: z.enum(Object.values(JournalState)),
  /** Cash handed over by the shopper (minor units), for the receipt's change; null for cards and payouts. */
  cashGiven: z.nullable(z.int()),
  result: z.nullable(
    z.extend(outcomeSchema, {
      settledAt: z.number(),
      /** An operator's decision on a row held for review, from the feed (absent until one is made). */
      review: z.optional(z.pick(ReviewedCollection, { decision: true, result: true, decided_at: true })),
    }),
  ),
  /** Why a person must look at it (the server's words), while in `attention`. */
  attentionDetail: z.nullable(z.string()),
  /** Sends that reached the server without a final outcome, for the display only. */
  attempts: z.int(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
