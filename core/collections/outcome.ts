/**
 * The server's final word on a collection (DESIGN §3). Every collection a till recorded gets
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
export type RejectReason = 'malformed' | 'bad_device_signature' | 'bad_token' | 'device_revoked' | 'wrong_device' | 'id_reused';

/** Journal trouble the server noticed on the device's chain; recorded, never a reason to drop money. */
export type ChainFlag = 'sequence_gap' | 'chain_mismatch' | 'sequence_reused' | 'clock_ahead';
