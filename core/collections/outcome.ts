/**
 * The server's final word on a collection (docs/architecture.md §3). Every collection a till recorded gets
 * exactly one of these, however often it is sent.
 */
export const CollectionOutcome = {
  /** The voucher is now paid by this collection. */
  accepted: 'accepted',
  /** The voucher was already paid by another collection: the cash is owed back to the shopper. */
  duplicate: 'duplicate',
  /** Collected after the voucher expired or was canceled: the cash is owed back to the shopper. */
  late: 'late',
  /** The amount or currency differs from the voucher's: held for review, the cash owed back. */
  mismatch: 'mismatch',
  /** The device signature or the token failed, or the device is revoked: flagged for review. */
  rejected: 'rejected',
} as const;
export type CollectionOutcome = (typeof CollectionOutcome)[keyof typeof CollectionOutcome];
export const COLLECTION_OUTCOMES = Object.values(CollectionOutcome);

/** Why a collection was rejected. `malformed` ones cannot even be stored: the till keeps them for a person. */
export const REJECT_REASONS = [
  'malformed',
  'bad_device_signature',
  'bad_token',
  'device_revoked',
  'wrong_device',
  'id_reused',
  /** An amount no till may send: above the largest voucher the API issues. */
  'amount_out_of_range',
  /** A currency other than the store's: the till cannot have taken it. */
  'currency_not_store',
  /** The claimed time alone would turn an expired voucher into paid, and it is outside the till's clock bound. */
  'clock_out_of_bounds',
  /** A payout record without this till's live authorisation for that refund and amount (docs/till-protocol.md, "Payouts"). */
  'payout_not_authorized',
  /** A shift close whose own figures do not add up (expected cash, difference). */
  'shift_totals_inconsistent',
  /** A test-mode token (docs/voucher-token.md): no till may take or pay out money for it. */
  'test_token',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Journal trouble the server noticed on the device's chain; recorded, never a reason to drop money. */
export const CHAIN_FLAGS = [
  'sequence_gap',
  'chain_mismatch',
  'sequence_reused',
  /** The claimed time is after the server received the record. */
  'clock_ahead',
  /** The claimed time is before the till's enrolment, its previous record or a server time it had seen, or past its lease. */
  'clock_out_of_bounds',
  /** The record names a server time whose proof does not check out. */
  'bad_server_time',
] as const;
export type ChainFlag = (typeof CHAIN_FLAGS)[number];
