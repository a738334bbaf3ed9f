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
import { described, documented } from './docs.ts';
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
    currency: described(CurrencyCode, "The store's currency: the only one its tills take."),
    max_voucher_amount: described(count, 'Largest single voucher accepted offline, in minor units.'),
    max_unsynced_total: described(count, 'Largest sum of collections not yet synced, in minor units.'),
    max_unsynced_count: described(count, 'Most collections not yet synced.'),
    max_offline_seconds: described(count, 'Longest time since the last successful sync, in seconds.'),
  }),
  { id: 'Lease', description: "The offline lease: what a till may accept without asking the server. Amounts are minor units of the store's currency." },
);
export type Lease = z.infer<typeof Lease>;

/** A new store's lease (published offline caps: Moneris 250 per payment and 500 stored; Clover 7 days offline). */
export const DEFAULT_LIMITS = {
  max_voucher_amount: 25_000,
  max_unsynced_total: 100_000,
  max_unsynced_count: 100,
  max_offline_seconds: 24 * 3600,
} as const satisfies Omit<Lease, 'currency'>;

export const Store = documented(
  z.object({
    id: described(z.string(), "The store's id."),
    name: described(z.string(), "The store's name."),
    currency: described(CurrencyCode, 'The ISO 4217 code of the currency its tills take.'),
  }),
  { id: 'Store', description: 'The store a till belongs to.' },
);
export type Store = z.infer<typeof Store>;

/** The server's signature that a till saw server_time; records name it (docs/till-protocol.md). */
const ServerTimeProof = documented(z.string(), { description: "The operator's signature that this till saw server_time; records name it (docs/till-protocol.md)." });

export const EnrolRequest = z.strictObject({
  enrollment_code: described(z.string().check(z.minLength(1), z.maxLength(40)), 'The one-time code the operator gave for this till (valid 24 h, once).', 'ABCD-EFGH'),
  public_key: described(DevicePublicJwk, "The till's own P-256 public key (a JWK; other members are ignored): it signs the till's records."),
  name: z.optional(described(z.string().check(z.maxLength(100)), 'A name for the till, shown to the operator.', 'Till 1')),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/** `POST /v1/devices` answers the enrolled till: its credential (shown once), store and lease. */
export const EnrolledDevice = z.object({
  object: described(z.literal('device'), 'Always `device`.'),
  id: described(z.string(), "The till's id (its records' device_id)."),
  name: described(z.string(), "The till's name."),
  store: Store,
  credential: described(z.string().check(z.minLength(1)), 'The till credential for `Authorization: Bearer`; shown only in this answer.'),
  lease: Lease,
  enrolled_at: described(Timestamp, 'When the till enrolled.'),
  server_time: described(Timestamp, "The server's time now."),
  server_time_proof: ServerTimeProof,
});
export type EnrolledDevice = z.infer<typeof EnrolledDevice>;

/** A voucher that became paid or canceled: the till adds it to its paid list. */
export const FeedChange = z.object({
  voucher_id: described(z.string(), 'The voucher.'),
  status: described(z.enum(['paid', 'canceled']), 'What it became.'),
  changed_at: described(Timestamp, 'When.'),
});
export type FeedChange = z.infer<typeof FeedChange>;

export const FeedQuery = z.strictObject({
  since: z.optional(described(z.string().check(z.maxLength(200)), 'The cursor of the previous page; without it the feed starts from the beginning.')),
});

/** An operator's review decision on one of this till's collections held for review (docs/refunds.md). */
export const ReviewedCollection = z.object({
  collection_id: described(z.string(), 'The collection held for review.'),
  decision: described(z.enum(['accept', 'refund', 'write_off']), "The operator's decision."),
  result: described(z.string(), 'What the decision did, in a sentence.'),
  decided_at: described(Timestamp, 'When it was decided.'),
});
export type ReviewedCollection = z.infer<typeof ReviewedCollection>;

/** `GET /v1/till/feed`: a page of changes since the cursor, with the keys, lease and store as of now. */
export const FeedPage = z.object({
  object: described(z.literal('till_feed'), 'Always `till_feed`.'),
  changes: described(z.array(FeedChange), 'Vouchers that became paid or canceled since the cursor: the till adds them to its paid list.'),
  reviewed: described(z.array(ReviewedCollection), "Review decisions on this till's collections of the last 14 days (the same on every page; applying one twice changes nothing)."),
  cursor: described(z.string(), 'Pass as `since` to get the next page.'),
  has_more: described(z.boolean(), 'True while another page follows.'),
  keys: OperatorJwkSet,
  lease: Lease,
  store: Store,
  server_time: described(Timestamp, "The server's time now."),
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
    token: described(z.string().check(z.regex(/^[0-9]{1,1000}$/, 'must be the token digits')), 'The refund token as scanned (or as fetched for a typed reference).', '1234567890'),
    code: z.optional(described(z.string().check(z.regex(/^[0-9]{6}$/, 'must be six digits')), 'The six digits sent to the shopper with the refund, when the till asked for them.')),
  }),
  { id: 'PayoutRequest', description: 'Ask to pay out a refund at this till.' },
);
export type PayoutRequest = z.infer<typeof PayoutRequest>;

/**
 * The server's grant: this till, and no other, may hand the refund's cash over now. Asking again
 * from the same till answers the same grant; the till records a payout under it or voids it.
 */
export const PayoutAuthorization = documented(
  z.object({
    object: described(z.literal('payout_authorization'), 'Always `payout_authorization`.'),
    id: described(z.string(), "The grant's id: the payout record's authorization_id."),
    refund_id: described(z.string(), 'The refund to pay out.'),
    amount: described(z.int(), 'What to hand over, in minor units of the currency.'),
    currency: described(CurrencyCode, 'The ISO 4217 code of the currency.'),
    merchant: described(z.object({ name: described(z.string(), "The merchant's name.") }), 'The merchant who refunds.'),
    order_ref: described(z.string(), "The voucher's order number."),
    reference: described(z.string(), "The refund's twelve-digit reference."),
    authorized_at: described(z.string(), 'When the grant was made.'),
    server_time: described(z.string(), "The server's time now."),
    server_time_proof: ServerTimeProof,
  }),
  { id: 'PayoutAuthorization', description: "The server's grant: this till, and no other, may hand the refund's cash over now." },
);
export type PayoutAuthorization = z.infer<typeof PayoutAuthorization>;

/** `POST /v1/till/payouts/{id}/void`: the cash was not handed over; the refund is payable again. */
export const PayoutVoid = z.object({
  object: described(z.literal('payout_void'), 'Always `payout_void`.'),
  authorization_id: described(z.string(), 'The grant voided.'),
  refund_id: described(z.string(), 'The refund, payable again.'),
  voided_at: described(z.string(), 'When it was voided.'),
});
export type PayoutVoid = z.infer<typeof PayoutVoid>;

/** Each element is checked on its own (one bad record never sinks the batch), so the batch takes anything. */
export const CollectionsBatch = z.strictObject({
  collections: described(
    z.array(z.unknown()).check(z.minLength(1, 'at least one collection'), z.maxLength(MAX_BATCH, `at most ${MAX_BATCH} collections`)),
    'Signed journal records: collections (v 1 or 2), payouts and shift closes (docs/till-protocol.md). Each is checked on its own and answered by its index.',
    [
      {
        v: 2,
        id: '0b7f6f0e-6a0e-4c39-9a57-2f1e8c1f4b11',
        device_id: 'dev_8xq2m4r6t0w3y5z7',
        seq: 1,
        prev_hash: '0'.repeat(64),
        token: '1234567890',
        amount: 4990,
        currency: 'EUR',
        tender: 'cash',
        tender_reference: null,
        collected_at: '2030-01-01T12:00:00Z',
        signature: 'base64url-signature',
        server_time: '2030-01-01T11:00:00Z',
        server_time_proof: 'base64url-proof',
      },
    ],
  ),
});

/** The server's final word on one record of a batch, in the batch's order. */
export const CollectionAnswer = documented(
  z.object({
    index: described(z.int(), "The record's place in the batch, from 0."),
    id: z.nullable(described(z.string(), "The record's id; null when the record had none that could be read.")),
    outcome: described(z.enum(COLLECTION_OUTCOMES), 'What the server made of the record.'),
    reason: z.optional(described(z.enum(REJECT_REASONS), 'Why it was rejected (for a rejected record only).')),
    voucher_id: z.nullable(described(z.string(), "The record's voucher; null when none was found.")),
    refund_id: z.optional(described(z.string(), 'For a payout record: the refund it paid.')),
    detail: described(z.string(), 'The outcome in a sentence.'),
    flags: described(z.array(z.enum(CHAIN_FLAGS)), "What the server noticed about the till's chain of records at this one."),
  }),
  { id: 'CollectionOutcome', description: "The server's final word on one record of a batch, in the batch's order." },
);
export type CollectionAnswer = z.infer<typeof CollectionAnswer>;

export const CollectionsAnswer = z.object({ data: described(z.array(CollectionAnswer), 'One outcome per record, in the order sent.') });
export type CollectionsAnswer = z.infer<typeof CollectionsAnswer>;

/** `GET /v1/till/vouchers/by-reference/{reference}`: a typed reference's token (online only). */
export const ByReference = z.union([
  z.object({
    voucher_id: described(z.string(), 'The voucher with this reference.'),
    token: described(TokenDigits, "The voucher's token, as digits: the till checks it as if scanned."),
    status: described(z.enum(VOUCHER_STATUSES), "The voucher's status."),
  }),
  z.object({
    refund_id: described(z.string(), 'The refund with this reference.'),
    token: described(TokenDigits, "The refund's token, as digits: the till checks it as if scanned."),
    status: described(z.enum(REFUND_STATUSES), "The refund's status."),
  }),
]);
export type ByReference = z.infer<typeof ByReference>;
