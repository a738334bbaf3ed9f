/**
 * A till's collection record: what the cashier took for which voucher, signed by the device's own
 * key and chained to the record before it (docs/architecture.md §5). The server uses the chain to detect a lost,
 * wiped or altered till journal; the signature proves which device recorded it.
 *
 * The signing input is a JSON array in a fixed order (no key-order ambiguity), UTF-8 encoded:
 *   v1: ["counterpay-collection-v1", id, device_id, seq, prev_hash, token, amount, currency,
 *        tender, tender_reference, collected_at]
 *   v2: ["counterpay-collection-v2", …the same…, server_time, server_time_proof]
 * Version 2 names the newest server time the till had seen when it made the record, with the
 * server's proof of it (core/collections/server-time.ts), which bounds the till's clock.
 * A payout record (the till handed a refund's cash over) shares the journal and its chain:
 *   payout v1: ["counterpay-payout-v1", id, device_id, seq, prev_hash, token, authorization_id,
 *               amount, currency, paid_at, server_time, server_time_proof]
 * So does a shift close (the Z report):
 *   shift close v1: ["counterpay-shift-close-v1", id, device_id, seq, prev_hash, currency,
 *               opened_at, closed_at, first_seq, last_seq, [[tender, count, total], …],
 *               payouts.count, payouts.total, opening_float, expected_cash, counted_cash,
 *               difference, float_left, server_time, server_time_proof]
 * The record's hash, which the next record names as prev_hash, is
 *   hex(SHA-256(signing input ‖ "." ‖ signature)).
 */
import type * as z from 'zod/mini';
import type { JournalRecord, SignedCollection, SignedCollectionV1, SignedCollectionV2, SignedPayout, SignedShiftClose } from '../contract/till.ts';
import { base64UrlDecode, base64UrlEncode, sha256, toHex } from '../encoding/bytes.ts';

/** prev_hash of a device's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** How the shopper paid at the counter. Card payments run on the store's own terminal. */
export const Tender = {
  /** Banknotes and coins into the till. */
  cash: 'cash',
  /** A prepaid card run on the store's terminal; its reference is recorded. */
  prepaid_card: 'prepaid_card',
  /** A bank card run on the store's terminal; its reference is recorded. */
  bank_card: 'bank_card',
} as const;
export type Tender = (typeof Tender)[keyof typeof Tender];
export const TENDERS = Object.values(Tender);

/** The record's fields, each described where it is defined: the till contract (core/contract/till.ts). */
export type { SignedCollection } from '../contract/till.ts';
type Unsigned<T> = T extends unknown ? Omit<T, 'signature'> : never;
export type CollectionRecordV1 = Unsigned<z.infer<typeof SignedCollectionV1>>;
export type CollectionRecordV2 = Unsigned<z.infer<typeof SignedCollectionV2>>;
/** A record before its device signature. */
export type CollectionRecord = CollectionRecordV1 | CollectionRecordV2;
export type PayoutRecord = Unsigned<SignedPayout>;
export type ShiftCloseRecord = Unsigned<SignedShiftClose>;
/** Any journal record before its device signature. */
export type UnsignedJournalRecord = CollectionRecord | PayoutRecord | ShiftCloseRecord;

/** Whether a journal record is a payout. */
export const isPayout = (r: JournalRecord | UnsignedJournalRecord): r is SignedPayout | PayoutRecord => 'type' in r && r.type === 'payout';
/** Whether a journal record is a shift close. */
export const isShiftClose = (r: JournalRecord | UnsignedJournalRecord): r is SignedShiftClose | ShiftCloseRecord => 'type' in r && r.type === 'shift_close';
/** Whether a journal record is a collection (neither a payout nor a shift close). */
export const isCollection = (r: JournalRecord | UnsignedJournalRecord): r is SignedCollection | CollectionRecord => !('type' in r);

/** The till's claimed time of a record: when the cash came in or went out, or the shift closed. */
export const claimedTime = (r: JournalRecord | UnsignedJournalRecord): string => (isPayout(r) ? r.paid_at : isShiftClose(r) ? r.closed_at : r.collected_at);

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;

export function signingInput(r: UnsignedJournalRecord): Uint8Array {
  if (isShiftClose(r)) {
    return new TextEncoder().encode(
      JSON.stringify([
        'counterpay-shift-close-v1',
        r.id,
        r.device_id,
        r.seq,
        r.prev_hash,
        r.currency,
        r.opened_at,
        r.closed_at,
        r.first_seq,
        r.last_seq,
        r.collections.map((l) => [l.tender, l.count, l.total]),
        r.payouts.count,
        r.payouts.total,
        r.opening_float,
        r.expected_cash,
        r.counted_cash,
        r.difference,
        r.float_left,
        r.server_time,
        r.server_time_proof,
      ]),
    );
  }
  if (isPayout(r)) {
    return new TextEncoder().encode(
      JSON.stringify([
        'counterpay-payout-v1',
        r.id,
        r.device_id,
        r.seq,
        r.prev_hash,
        r.token,
        r.authorization_id,
        r.amount,
        r.currency,
        r.paid_at,
        r.server_time,
        r.server_time_proof,
      ]),
    );
  }
  const common = [r.id, r.device_id, r.seq, r.prev_hash, r.token, r.amount, r.currency, r.tender, r.tender_reference, r.collected_at];
  return new TextEncoder().encode(
    JSON.stringify(r.v === 2 ? ['counterpay-collection-v2', ...common, r.server_time, r.server_time_proof] : ['counterpay-collection-v1', ...common]),
  );
}

export async function signCollection(record: CollectionRecord, privateKey: CryptoKey): Promise<SignedCollection> {
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA, privateKey, signingInput(record) as BufferSource));
  return { ...record, signature: base64UrlEncode(signature) };
}

export async function signPayout(record: PayoutRecord, privateKey: CryptoKey): Promise<SignedPayout> {
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA, privateKey, signingInput(record) as BufferSource));
  return { ...record, signature: base64UrlEncode(signature) };
}

export async function signShiftClose(record: ShiftCloseRecord, privateKey: CryptoKey): Promise<SignedShiftClose> {
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA, privateKey, signingInput(record) as BufferSource));
  return { ...record, signature: base64UrlEncode(signature) };
}

export async function verifyCollectionSignature(record: JournalRecord, publicKey: CryptoKey): Promise<boolean> {
  let signature: Uint8Array;
  try {
    signature = base64UrlDecode(record.signature);
  } catch {
    return false;
  }
  if (signature.length !== 64) return false;
  return crypto.subtle.verify(ECDSA, publicKey, signature as BufferSource, signingInput(record) as BufferSource);
}

/** The hash the device's next record must carry as prev_hash. */
export async function recordHash(record: JournalRecord): Promise<string> {
  const input = signingInput(record);
  const tail = new TextEncoder().encode(`.${record.signature}`);
  const bytes = new Uint8Array(input.length + tail.length);
  bytes.set(input);
  bytes.set(tail, input.length);
  return toHex(await sha256(bytes));
}

/** A new device key pair; the private half never leaves the browser (non-extractable). */
export async function generateDeviceKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

export async function importDevicePublicKey(jwk: { kty: string; crv: string; x: string; y: string }): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
}
