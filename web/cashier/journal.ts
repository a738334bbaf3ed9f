/**
 * Building a journal row: the collection (or payout) record for the next link of this device's
 * chain, signed with the device's own non-extractable key (core/collections/collection-record.ts).
 */
import { recordHash, signCollection, signPayout, signShiftClose, type CollectionRecord, type ShiftCloseRecord, type Tender } from '../../core/collections/collection-record.ts';
import type { PayoutAuthorization } from '../../core/contract/till.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import type { ChainHead } from '../offline/journal.store.ts';
import type { JournalEntry } from '../offline/till-records.ts';

export interface CollectInput {
  /** The verified token as scanned or fetched for a typed reference. */
  token: string;
  tender: Tender;
  /** The card terminal's reference; null for cash. */
  tenderReference: string | null;
  /** Cash handed over (minor units), for the receipt; null for cards. */
  cashGiven: number | null;
  collectedAt: Date;
  /** The newest server time the till has seen, with its proof: the record is then version 2. */
  serverTime?: { at: string; proof: string } | null;
}

/** The journal row for seq = head.seq + 1. Amount and currency are the voucher's own, from its token. */
export async function buildJournalEntry(head: ChainHead, deviceId: string, privateKey: CryptoKey, input: CollectInput, id = crypto.randomUUID()): Promise<JournalEntry> {
  const decoded = decodeVoucherToken(input.token);
  if (!decoded.ok) throw new Error(`cannot record a collection for an unreadable token: ${decoded.detail}`);
  const common = {
    id,
    device_id: deviceId,
    seq: head.seq + 1,
    prev_hash: head.hash,
    token: input.token,
    amount: decoded.claims.amount,
    currency: decoded.claims.currency,
    tender: input.tender,
    tender_reference: input.tender === 'cash' ? null : input.tenderReference,
    collected_at: input.collectedAt.toISOString(),
  };
  const record: CollectionRecord = input.serverTime ? { v: 2, ...common, server_time: input.serverTime.at, server_time_proof: input.serverTime.proof } : { v: 1, ...common };
  const signed = await signCollection(record, privateKey);
  return {
    id,
    deviceId,
    seq: record.seq,
    voucherId: voucherIdToString(decoded.claims.voucherId),
    record: signed,
    hash: await recordHash(signed),
    state: 'queued',
    cashGiven: input.tender === 'cash' ? input.cashGiven : null,
    result: null,
    attentionDetail: null,
    attempts: 0,
  };
}

/**
 * The journal row of a payout made under `grant` (docs/till-protocol.md §4a), for seq = head.seq + 1:
 * the grant's amount and currency, its server time, and the moment the cashier confirmed.
 */
export async function buildPayoutEntry(
  head: ChainHead,
  deviceId: string,
  privateKey: CryptoKey,
  input: { token: string; grant: PayoutAuthorization; paidAt: Date },
  id = crypto.randomUUID(),
): Promise<JournalEntry> {
  const signed = await signPayout(
    {
      type: 'payout',
      v: 1,
      id,
      device_id: deviceId,
      seq: head.seq + 1,
      prev_hash: head.hash,
      token: input.token,
      authorization_id: input.grant.id,
      amount: input.grant.amount,
      currency: input.grant.currency,
      paid_at: input.paidAt.toISOString(),
      server_time: input.grant.server_time,
      server_time_proof: input.grant.server_time_proof,
    },
    privateKey,
  );
  return {
    id,
    deviceId,
    seq: signed.seq,
    voucherId: input.grant.refund_id,
    record: signed,
    hash: await recordHash(signed),
    state: 'queued',
    cashGiven: null,
    result: null,
    attentionDetail: null,
    attempts: 0,
  };
}

/** The journal row of a shift close (the Z report, docs/till-protocol.md §4b), for seq = head.seq + 1. */
export async function buildShiftCloseEntry(
  head: ChainHead,
  deviceId: string,
  privateKey: CryptoKey,
  input: Omit<ShiftCloseRecord, 'type' | 'v' | 'id' | 'device_id' | 'seq' | 'prev_hash' | 'closed_at' | 'server_time' | 'server_time_proof'> & {
    closedAt: Date;
    serverTime: { at: string; proof: string } | null;
  },
  id = crypto.randomUUID(),
): Promise<JournalEntry> {
  const { closedAt, serverTime, ...figures } = input;
  if (!serverTime) throw new Error('this till has never seen the server time; connect it once before closing the shift');
  const signed = await signShiftClose(
    {
      ...figures,
      type: 'shift_close',
      v: 1,
      id,
      device_id: deviceId,
      seq: head.seq + 1,
      prev_hash: head.hash,
      closed_at: closedAt.toISOString(),
      server_time: serverTime.at,
      server_time_proof: serverTime.proof,
    },
    privateKey,
  );
  return {
    id,
    deviceId,
    seq: signed.seq,
    voucherId: id,
    record: signed,
    hash: await recordHash(signed),
    state: 'queued',
    cashGiven: null,
    result: null,
    attentionDetail: null,
    attempts: 0,
  };
}
