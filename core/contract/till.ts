/**
 * What a till and the server say to each other (docs/till-protocol.md): enrolment, the feed with
 * its lease, the signed collection record, the batch and its per-record outcomes, and the typed
 * reference look-up. The till keeps the same shapes in IndexedDB (web/offline/till-records.ts).
 */
import * as z from 'zod/mini';
import { TENDERS } from '../collections/collection-record.ts';
import { CHAIN_FLAGS, COLLECTION_OUTCOMES, REJECT_REASONS } from '../collections/outcome.ts';
import { VOUCHER_STATUSES } from '../vouchers/voucher-status.ts';
import { REFUND_STATUSES } from '../refunds/refund-status.ts';
import { CurrencyCode, Hex64, Timestamp, TokenDigits } from './common.ts';
import { documented } from './docs.ts';
import { DevicePublicJwk, OperatorJwkSet } from './keys.ts';

/** Most records in one `POST /v1/collections`. */
export const MAX_BATCH = 500;
/** A batch's body limit on the server; a till keeps its batches under MAX_BATCH_BYTES to stay clear of it. */
export const COLLECTIONS_BODY_LIMIT_BYTES = 1024 * 1024;
export const MAX_BATCH_BYTES = 900_000;

const count = z.int().check(z.nonnegative());

/**
 * The offline lease (docs/architecture.md §2, "bounded offline risk"): what a till may accept
 * without asking the server. Issued at enrolment and with every feed page. Amounts are minor units
 * of the store's currency.
 */
export const Lease = documented(
  z.object({
    /** The store's currency: the only one its tills take. */
    currency: CurrencyCode,
    /** Largest single voucher accepted offline. */
    max_voucher_amount: count,
    /** Largest sum of collections not yet synced. */
    max_unsynced_total: count,
    /** Most collections not yet synced. */
    max_unsynced_count: count,
    /** Longest time since the last successful sync, in seconds. */
    max_offline_seconds: count,
  }),
  { id: 'Lease' },
);
export type Lease = z.infer<typeof Lease>;

/** A new store's lease (published offline caps: Moneris 250 per payment and 500 stored; Clover 7 days offline). */
export const DEFAULT_LIMITS = {
  max_voucher_amount: 25_000,
  max_unsynced_total: 100_000,
  max_unsynced_count: 100,
  max_offline_seconds: 24 * 3600,
} as const satisfies Omit<Lease, 'currency'>;

export const Store = documented(z.object({ id: z.string(), name: z.string(), currency: CurrencyCode }), { id: 'Store' });
export type Store = z.infer<typeof Store>;

/** The server's signature that a till saw server_time; records name it (docs/till-protocol.md). */
const ServerTimeProof = documented(z.string(), { description: "The operator's signature that this till saw server_time; records name it (docs/till-protocol.md)." });

export const EnrolRequest = z.strictObject({
  enrollment_code: z.string().check(z.minLength(1), z.maxLength(40)),
  public_key: DevicePublicJwk,
  name: z.optional(z.string().check(z.maxLength(100))),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/** `POST /v1/devices` answers the enrolled till: its credential (shown once), store and lease. */
export const EnrolledDevice = z.object({
  object: z.literal('device'),
  id: z.string(),
  name: z.string(),
  store: Store,
  credential: z.string().check(z.minLength(1)),
  lease: Lease,
  enrolled_at: Timestamp,
  server_time: Timestamp,
  server_time_proof: ServerTimeProof,
});
export type EnrolledDevice = z.infer<typeof EnrolledDevice>;

/** A voucher that became paid or canceled: the till adds it to its paid list. */
export const FeedChange = z.object({ voucher_id: z.string(), status: z.enum(['paid', 'canceled']), changed_at: Timestamp });
export type FeedChange = z.infer<typeof FeedChange>;

export const FeedQuery = z.strictObject({ since: z.optional(z.string().check(z.maxLength(200))) });

/** An operator's review decision on one of this till's collections held for review (docs/refunds.md). */
export const ReviewedCollection = z.object({
  collection_id: z.string(),
  decision: z.enum(['accept', 'refund', 'write_off']),
  /** What the decision did, in a sentence. */
  result: z.string(),
  decided_at: Timestamp,
});
export type ReviewedCollection = z.infer<typeof ReviewedCollection>;

/** `GET /v1/till/feed`: a page of changes since the cursor, with the keys, lease and store as of now. */
export const FeedPage = z.object({
  object: z.literal('till_feed'),
  changes: z.array(FeedChange),
  /** Review decisions on this till's collections of the last 14 days (the same on every page; applying one twice changes nothing). */
  reviewed: z.array(ReviewedCollection),
  cursor: z.string(),
  has_more: z.boolean(),
  keys: OperatorJwkSet,
  lease: Lease,
  store: Store,
  server_time: Timestamp,
  server_time_proof: ServerTimeProof,
});
export type FeedPage = z.infer<typeof FeedPage>;

const recordFields = {
  /** Device-generated UUID; the server's idempotency key for this collection. */
  id: z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case UUID')),
  device_id: z.string().check(z.minLength(1), z.maxLength(40)),
  /** 1, 2, 3… per device, with no gaps. */
  seq: z.number().check(z.int(), z.minimum(1)),
  /** Hash of the device's previous record, or GENESIS_HASH for seq 1. */
  prev_hash: Hex64,
  /** The voucher token as scanned (or as fetched for a typed reference). */
  token: z.string().check(z.regex(/^[0-9]{1,1000}$/, 'must be the token digits')),
  /** What was collected, in minor units; equals the voucher's amount unless something is wrong. */
  amount: z.number().check(z.int(), z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
  currency: CurrencyCode,
  tender: z.enum(TENDERS),
  /** The card terminal's reference for card tenders; null for cash. */
  tender_reference: z.nullable(z.string().check(z.maxLength(100))),
  /** When the cashier pressed Collect, by the till's clock (RFC 3339). */
  collected_at: z.iso.datetime({ offset: true }),
  /** ECDSA P-256 / SHA-256 over the signing input, raw r‖s, base64url (core/collections/collection-record.ts). */
  signature: z.string().check(z.maxLength(200)),
};

export const SignedCollectionV1 = z.strictObject({ v: z.literal(1), ...recordFields });
export const SignedCollectionV2 = z.strictObject({
  v: z.literal(2),
  ...recordFields,
  /** The newest server time the till had seen when it made the record (from its last feed or enrolment). */
  server_time: z.iso.datetime({ offset: true }),
  /** The server's signature over (device_id, server_time), as it came with that time. */
  server_time_proof: z.string().check(z.maxLength(200)),
});
/** A signed collection record, version 1 or 2: the one shape of a collection on the wire and in the till's journal. */
export const SignedCollection = z.discriminatedUnion('v', [SignedCollectionV1, SignedCollectionV2]);
export type SignedCollection = z.infer<typeof SignedCollection>;

/**
 * A payout record: the till handed a refund's cash to the shopper under the server's authorisation
 * (docs/till-protocol.md, "Payouts"). Signed and chained in the same journal as collections.
 */
export const SignedPayout = z.strictObject({
  type: z.literal('payout'),
  v: z.literal(1),
  id: recordFields.id,
  device_id: recordFields.device_id,
  seq: recordFields.seq,
  prev_hash: recordFields.prev_hash,
  /** The refund token as scanned (or as fetched for a typed reference). */
  token: recordFields.token,
  /** The server's grant this payout was made under (`POST /v1/till/payouts`). */
  authorization_id: z.string().check(z.minLength(1), z.maxLength(40)),
  /** What was handed over, in minor units: the refund's amount. */
  amount: recordFields.amount,
  currency: CurrencyCode,
  /** When the cashier confirmed the hand-over, by the till's clock (RFC 3339). */
  paid_at: z.iso.datetime({ offset: true }),
  server_time: z.iso.datetime({ offset: true }),
  server_time_proof: z.string().check(z.maxLength(200)),
  signature: recordFields.signature,
});
export type SignedPayout = z.infer<typeof SignedPayout>;

/** One tender's collections in a shift: how many, and how much (minor units). */
export const ShiftTenderLine = z.strictObject({ tender: z.enum(TENDERS), count, total: count });
export type ShiftTenderLine = z.infer<typeof ShiftTenderLine>;

/**
 * A shift close (the Z report): what the till took per tender and paid out since the shift
 * opened, the cash the drawer should hold, the cash the cashier counted and the difference.
 * Signed and chained in the same journal (docs/till-protocol.md §4b).
 */
export const SignedShiftClose = z.strictObject({
  type: z.literal('shift_close'),
  v: z.literal(1),
  id: recordFields.id,
  device_id: recordFields.device_id,
  seq: recordFields.seq,
  prev_hash: recordFields.prev_hash,
  currency: CurrencyCode,
  opened_at: z.iso.datetime({ offset: true }),
  closed_at: z.iso.datetime({ offset: true }),
  /** The journal rows the shift covers (collections and payouts), by seq; null when it had none. */
  first_seq: z.nullable(recordFields.seq),
  last_seq: z.nullable(recordFields.seq),
  /** Collections per tender, every tender listed. */
  collections: z.array(ShiftTenderLine).check(z.maxLength(10)),
  /** Refunds paid out in cash from the drawer. */
  payouts: z.strictObject({ count, total: count }),
  /** Cash in the drawer when the shift opened. */
  opening_float: count,
  /** opening_float + cash collected − cash paid out. */
  expected_cash: z.int(),
  counted_cash: count,
  /** counted_cash − expected_cash: negative is cash missing. */
  difference: z.int(),
  /** Cash left in the drawer for the next shift (its opening float). */
  float_left: count,
  server_time: z.iso.datetime({ offset: true }),
  server_time_proof: z.string().check(z.maxLength(200)),
  signature: recordFields.signature,
});
export type SignedShiftClose = z.infer<typeof SignedShiftClose>;

/** Any record of a till's journal: a collection (v1, v2), a payout or a shift close. */
export const JournalRecord = z.union([SignedCollection, SignedPayout, SignedShiftClose]);
export type JournalRecord = z.infer<typeof JournalRecord>;

/** `POST /v1/till/payouts`: ask to pay out a refund at this till. */
export const PayoutRequest = documented(
  z.strictObject({
    token: z.string().check(z.regex(/^[0-9]{1,1000}$/, 'must be the token digits')),
    /** The six digits sent to the shopper with the refund, when the till asked for them. */
    code: z.optional(z.string().check(z.regex(/^[0-9]{6}$/, 'must be six digits'))),
  }),
  { id: 'PayoutRequest' },
);
export type PayoutRequest = z.infer<typeof PayoutRequest>;

/**
 * The server's grant: this till, and no other, may hand the refund's cash over now. Asking again
 * from the same till answers the same grant; the till records a payout under it or voids it.
 */
export const PayoutAuthorization = documented(
  z.object({
    object: z.literal('payout_authorization'),
    id: z.string(),
    refund_id: z.string(),
    amount: z.int(),
    currency: CurrencyCode,
    merchant: z.object({ name: z.string() }),
    order_ref: z.string(),
    reference: z.string(),
    authorized_at: z.string(),
    server_time: z.string(),
    server_time_proof: ServerTimeProof,
  }),
  { id: 'PayoutAuthorization' },
);
export type PayoutAuthorization = z.infer<typeof PayoutAuthorization>;

/** `POST /v1/till/payouts/{id}/void`: the cash was not handed over; the refund is payable again. */
export const PayoutVoid = z.object({ object: z.literal('payout_void'), authorization_id: z.string(), refund_id: z.string(), voided_at: z.string() });
export type PayoutVoid = z.infer<typeof PayoutVoid>;

/** Each element is checked on its own (one bad record never sinks the batch), so the batch takes anything. */
export const CollectionsBatch = z.strictObject({
  collections: z.array(z.unknown()).check(z.minLength(1, 'at least one collection'), z.maxLength(MAX_BATCH, `at most ${MAX_BATCH} collections`)),
});

/** The server's final word on one record of a batch, in the batch's order. */
export const CollectionAnswer = documented(
  z.object({
    index: z.int(),
    id: z.nullable(z.string()),
    outcome: z.enum(COLLECTION_OUTCOMES),
    reason: z.optional(z.enum(REJECT_REASONS)),
    voucher_id: z.nullable(z.string()),
    /** For a payout record: the refund it paid. */
    refund_id: z.optional(z.string()),
    detail: z.string(),
    flags: z.array(z.enum(CHAIN_FLAGS)),
  }),
  { id: 'CollectionOutcome' },
);
export type CollectionAnswer = z.infer<typeof CollectionAnswer>;

export const CollectionsAnswer = z.object({ data: z.array(CollectionAnswer) });
export type CollectionsAnswer = z.infer<typeof CollectionsAnswer>;

/** `GET /v1/till/vouchers/by-reference/{reference}`: a typed reference's token (online only). */
export const ByReference = z.union([
  z.object({ voucher_id: z.string(), token: TokenDigits, status: z.enum(VOUCHER_STATUSES) }),
  z.object({ refund_id: z.string(), token: TokenDigits, status: z.enum(REFUND_STATUSES) }),
]);
export type ByReference = z.infer<typeof ByReference>;
