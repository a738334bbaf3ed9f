/**
 * Journal ingest: each record a till sends (a collection, or a payout of a refund) gets exactly
 * one final outcome (docs/architecture.md §2, §3; docs/till-protocol.md).
 *
 * A batch's collections are decided together, in one transaction of a few statements (the embedded
 * database runs one transaction at a time, so statements, not records, are what a drain costs); a
 * bad record is an outcome, not an error, so it never sinks the others. When that transaction
 * meets a concurrent one, it leaves nothing and each record is decided alone by the same code.
 * Exactly-once rests on two database facts, not on reading first: the guarded UPDATE in
 * collectionsRepository.settle (only an open voucher becomes paid) and the partial unique index
 * `collections_one_accepted_per_voucher`. The record's own id is its idempotency key: a resent
 * record answers its stored outcome and changes nothing.
 */
import {
  claimedTime,
  GENESIS_HASH,
  importDevicePublicKey,
  isCollection,
  isPayout,
  isShiftClose,
  recordHash,
  verifyCollectionSignature,
} from '../../core/collections/collection-record.ts';
import { SignedCollection, SignedPayout, SignedShiftClose, type CollectionAnswer, type JournalRecord } from '../../core/contract/till.ts';
import { shiftClosesRepository, shiftCloseProblem, type ShiftCloseRow } from './shift-closes.repository.ts';
import type { ChainFlag, CollectionOutcome, RejectReason } from '../../core/collections/outcome.ts';
import { verifyVoucherToken, type VerificationKeys } from '../../core/token/voucher-token.ts';
import { MAX_AMOUNT } from '../../core/token/limits.ts';
import { checkClock, type ClockVerdict } from '../../core/collections/clock-bound.ts';
import { classifyUnpaid } from '../../core/collections/classify.ts';
import { verifyServerTime } from '../../core/collections/server-time.ts';
import { refundIdToString, voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import type { RefundsService } from '../refunds/refunds.service.ts';
import { refundsRepository, type PayoutRow } from '../refunds/refunds.repository.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { DEADLOCK_DETECTED, SERIALIZATION_FAILURE, sqlState, UNIQUE_VIOLATION } from '../db/sql-state.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import { collectionsRepository as repo, type CollectionRow } from './collections.repository.ts';
import type { DeviceRow, StoreRow } from './devices.repository.ts';
import { devicesRepository } from './devices.repository.ts';
import type { Tx } from '../db/client.ts';
import type { VoucherRow } from '../merchant-api/vouchers/vouchers.repository.ts';
import { basisPoints, collectionPostings, exceptionPostings, feeFor } from '../../core/ledger/ledger-rules.ts';
import { ledgerRepository } from '../ledger/ledger.repository.ts';
import { recordEvent, recordEvents, subscribedEndpoints } from '../outbox/events.ts';
import { queuePushes } from '../push/push.service.ts';

/** A stored record's answer, whatever its kind (a collection names its voucher, a payout its refund). */
const answerOf = (
  index: number,
  row: Pick<CollectionRow, 'id' | 'outcome' | 'reason' | 'detail' | 'flags'> & { voucherId?: string | null; refundId?: string | null },
): CollectionAnswer => ({
  index,
  id: row.id,
  outcome: row.outcome,
  ...(row.reason ? { reason: row.reason } : {}),
  voucher_id: row.voucherId ?? null,
  ...(row.refundId ? { refund_id: row.refundId } : {}),
  detail: row.detail,
  flags: row.flags,
});

/** A record the server already holds: enough to answer a resend. */
interface Stored {
  id: string;
  deviceId: string;
  hash: string;
  answer(index: number): CollectionAnswer;
}

class LostRace extends Error {}

/** Records decided at once, each in its own transaction; enough to keep the pool busy, few enough to share it. */
const DECIDE_CONCURRENCY = 16;

/** Why a batch's transaction gives way to deciding its records one by one: another copy of a record, a deadlock, a serialization failure. */
const RETRY_ALONE = new Set([UNIQUE_VIOLATION, DEADLOCK_DETECTED, SERIALIZATION_FAILURE]);

/** Runs `work` for every item, DECIDE_CONCURRENCY at a time. */
async function eachAtOnce<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(DECIDE_CONCURRENCY, items.length) }, worker));
}

/** Read once per batch, inside the first transaction that needs it (a merchant's fees and endpoints change rarely). */
interface BatchCache {
  merchants: Map<string, NonNullable<Awaited<ReturnType<typeof repo.merchant>>>>;
  endpoints: Map<string, Awaited<ReturnType<typeof subscribedEndpoints>>>;
}

/** What is known about one readable record before its transaction: checked once, for the whole batch. */
interface Prepared {
  index: number;
  record: JournalRecord;
  hash: string;
  flags: ChainFlag[];
  /** Why it is rejected before touching any voucher or refund, or what it is for. */
  verdict: { reject: RejectReason; detail: string } | { voucherId: string } | { refundId: string } | { shiftClose: true };
  /** Whether the claimed time is within the till's clock bound. */
  clockBound: ClockVerdict;
}

type CollectionPrepared = Prepared & { record: SignedCollection };

export class CollectionsService {
  constructor(
    private readonly db: Db,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    /** How a voucher reads in events (the merchant API's shape). */
    private readonly voucherJson: (row: VoucherRow, merchant: { id: string; name: string }) => Record<string, unknown>,
    private readonly refunds: RefundsService,
  ) {}

  /**
   * Decides a batch. The CPU work (hashes, signatures) runs for all records at once; what the
   * database already holds (resent records, chain neighbours) comes in two queries; then the new
   * collections are settled in one transaction, and payouts and shift closes each in their own,
   * side by side. That is safe because exactly-once rests on the database (guarded UPDATE, unique
   * index), not on order.
   */
  async ingest(device: DeviceRow, store: StoreRow, items: unknown[]): Promise<CollectionAnswer[]> {
    const now = this.clock.now();
    await devicesRepository.touch(this.db, device.id, now);
    const answers: CollectionAnswer[] = new Array(items.length);
    const readable: Array<{ index: number; record: JournalRecord }> = [];
    items.forEach((raw, index) => {
      // The record's own `type` picks its shape, so a broken record is told exactly what is wrong.
      const type = (raw as { type?: unknown })?.type;
      const parsed = (type === 'payout' ? SignedPayout : type === 'shift_close' ? SignedShiftClose : SignedCollection).safeParse(raw);
      if (parsed.success) readable.push({ index, record: parsed.data as JournalRecord });
      else {
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id.slice(0, 100) : null;
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ');
        answers[index] = {
          index,
          id,
          outcome: 'rejected',
          reason: 'malformed',
          voucher_id: null,
          detail: `the server cannot read this record (${detail}); keep it for review`,
          flags: [],
        };
      }
    });
    if (readable.length === 0) return answers;

    const [hashes, known] = await Promise.all([
      Promise.all(readable.map((r) => recordHash(r.record))),
      this.known(
        device.id,
        readable.map((r) => r.record.id),
        readable.flatMap((r) => [r.record.seq - 1, r.record.seq]),
      ),
    ]);
    // The chain as the server will know it after this batch: stored records plus this batch's own.
    const chain = new Map<number, string[]>();
    const link = (seq: number, hash: string) => chain.set(seq, [...(chain.get(seq) ?? []), hash]);
    for (const k of known.chain) link(k.seq, k.hash);
    for (const [i, r] of readable.entries()) link(r.record.seq, hashes[i]!);
    // Each record's predecessor's claimed time, by the predecessor's hash (a lower bound on its own).
    const claimedAt = new Map<string, Date>();
    for (const k of known.chain) claimedAt.set(k.hash, k.collectedAt);
    for (const [i, r] of readable.entries()) claimedAt.set(hashes[i]!, new Date(claimedTime(r.record)));

    const devicePublicKey = await importDevicePublicKey(device.publicJwk);
    const operatorKeys = await this.keys.verificationKeys();
    const fresh: Prepared[] = [];
    await Promise.all(
      readable.map(async ({ index, record }, i) => {
        const hash = hashes[i]!;
        const stored = known.byId.get(record.id);
        if (stored) {
          answers[index] = this.replay(index, stored, device, hash);
          return;
        }
        const clock = await this.clockCheck(device, store, record, claimedAt.get(record.prev_hash) ?? null, operatorKeys, now);
        const flags = [...chainFlags(record, hash, chain), ...clock.flags];
        fresh.push({ index, record, hash, flags, clockBound: clock.verdict, verdict: await this.verdict(device, store, record, devicePublicKey, operatorKeys) });
      }),
    );
    fresh.sort((a, b) => a.index - b.index);

    const cache: BatchCache = { merchants: new Map(), endpoints: new Map() };
    const collected = fresh.filter((p): p is CollectionPrepared => isCollection(p.record));
    const others = fresh.filter((p) => !isCollection(p.record));
    await Promise.all([
      this.settleCollections(device, store, collected, cache).then((decided) => {
        for (const a of decided) answers[a.index] = a;
      }),
      eachAtOnce(others, async (p) => {
        answers[p.index] = await (isPayout(p.record) ? this.settlePayout(device, store, p, p.record) : this.settleShiftClose(device, store, p, p.record as SignedShiftClose));
      }),
    ]);
    return answers;
  }

  /**
   * The batch's collections, decided together in one transaction (a few statements for all of
   * them, docs/architecture.md §2). When that transaction meets another one (a concurrent copy of
   * one of its records, or a deadlock with some other writer), nothing of it stays, and each record
   * is decided again alone: the same statements, with a batch of one.
   */
  private async settleCollections(device: DeviceRow, store: StoreRow, ps: CollectionPrepared[], cache: BatchCache): Promise<CollectionAnswer[]> {
    if (ps.length === 0) return [];
    if (ps.length > 1) {
      try {
        return await this.decide(device, store, ps, cache);
      } catch (err) {
        if (!(err instanceof LostRace) && !RETRY_ALONE.has(sqlState(err) ?? '')) throw err;
      }
    }
    const answers: CollectionAnswer[] = [];
    await eachAtOnce(ps, async (p) => {
      answers.push(await this.settleOne(device, store, p, cache));
    });
    return answers;
  }

  /** Of a batch: the records already stored (by id), and the device's chain at the given sequence numbers, collections and payouts alike. */
  private async known(deviceId: string, ids: string[], seqs: number[]) {
    const unique = [...new Set(seqs)];
    const [collections, payouts, payoutChain, closes, closeChain] = await Promise.all([
      repo.known(this.db, deviceId, ids, unique),
      refundsRepository.payoutsByIds(this.db, ids),
      refundsRepository.payoutChain(this.db, deviceId, unique),
      shiftClosesRepository.byIds(this.db, ids),
      shiftClosesRepository.chain(this.db, deviceId, unique),
    ]);
    const byId = new Map<string, Stored>();
    for (const row of collections.byId.values()) byId.set(row.id, { id: row.id, deviceId: row.deviceId, hash: row.hash, answer: (i) => answerOf(i, row) });
    for (const row of payouts) byId.set(row.id, { id: row.id, deviceId: row.deviceId, hash: row.hash, answer: (i) => answerOf(i, row) });
    for (const row of closes) byId.set(row.id, { id: row.id, deviceId: row.deviceId, hash: row.hash, answer: (i) => answerOf(i, row) });
    return {
      byId,
      chain: [...collections.chain, ...[...payoutChain, ...closeChain].map((p) => ({ seq: p.seq, hash: p.hash, collectedAt: p.at }))],
    };
  }

  /**
   * The money and the news, in the collection's own transaction: an accepted collection posts the
   * store's debt, the merchant's claim, the fee and the commission, and tells the merchant the
   * voucher is paid; any other settled outcome posts the cash as owed to the shopper, issues the
   * shopper's refund (payable at any till, docs/refunds.md) and raises collection.exception.
   * (Rejected records are not trusted enough to post: they wait for review.)
   */
  async book(
    tx: Tx,
    q: {
      record: Pick<SignedCollection, 'id' | 'amount' | 'currency' | 'collected_at'>;
      store: StoreRow;
      voucher: VoucherRow;
      outcome: Exclude<CollectionOutcome, 'rejected'>;
      detail: string;
      now: Date;
      cache?: BatchCache;
      /** Why the shopper's refund exists, when not the outcome itself (a review decision). */
      refundReason?: 'review';
    },
  ): Promise<{ refundId: string | null }> {
    const cache = q.cache ?? { merchants: new Map(), endpoints: new Map() };
    const { record, store, now, voucher } = q;
    if (q.outcome === 'accepted') {
      await this.bookPaid(tx, { paid: [{ record, voucher }], store, now, cache });
      return { refundId: null };
    }
    const { merchant, endpoints } = await this.merchantOf(tx, voucher.merchantId, cache);
    const head = { collectionId: record.id, storeId: store.id, merchantId: merchant.id, currency: record.currency, createdAt: now, livemode: voucher.livemode };
    await ledgerRepository.post(
      tx,
      { ...head, kind: 'collection_exception', memo: `${q.outcome} collection ${record.id} for voucher ${voucher.id}: refund owed to the shopper` },
      exceptionPostings({ amount: record.amount, currency: record.currency, storeId: store.id }),
    );
    const refund = await this.refunds.issueForCollection(tx, {
      voucher,
      merchantName: merchant.name,
      collectionId: record.id,
      amount: record.amount,
      currency: record.currency,
      reason: q.refundReason ?? q.outcome,
      now,
      endpoints,
    });
    await recordEvent(tx, {
      merchantId: merchant.id,
      type: 'collection.exception',
      data: {
        object: {
          object: 'collection',
          id: record.id,
          outcome: q.outcome,
          voucher_id: voucher.id,
          order_ref: voucher.orderRef,
          amount: record.amount,
          currency: record.currency,
          store_id: store.id,
          collected_at: record.collected_at,
          detail: q.detail,
          refund_owed: true,
          refund_id: refund.id,
        },
      },
      now,
      endpoints,
    });
    return { refundId: refund.id };
  }

  /**
   * Accepted collections, however many: each posts the store's debt, the merchant's claim, the fee
   * and the commission, tells the merchant its voucher is paid, and queues the shopper's "paid"
   * notification; three or four statements for all of them.
   */
  private async bookPaid(
    tx: Tx,
    q: { paid: Array<{ record: Pick<SignedCollection, 'id' | 'amount' | 'currency'>; voucher: VoucherRow }>; store: StoreRow; now: Date; cache: BatchCache },
  ): Promise<void> {
    const { store, now } = q;
    const paid = [];
    for (const p of q.paid) paid.push({ ...p, ...(await this.merchantOf(tx, p.voucher.merchantId, q.cache)) });
    await ledgerRepository.postMany(
      tx,
      paid.map(({ record, voucher, merchant }) => ({
        head: {
          kind: 'collection',
          collectionId: record.id,
          storeId: store.id,
          merchantId: merchant.id,
          currency: record.currency,
          createdAt: now,
          livemode: voucher.livemode,
          memo: `collection ${record.id} paid voucher ${voucher.id} at store ${store.id}`,
        },
        postings: collectionPostings({
          amount: record.amount,
          currency: record.currency,
          storeId: store.id,
          merchantId: merchant.id,
          fee: feeFor(record.amount, { basisPoints: merchant.feeBasisPoints, fixed: merchant.feeFixed }),
          commission: basisPoints(record.amount, store.commissionBasisPoints),
        }),
      })),
    );
    await recordEvents(
      tx,
      paid.map(({ voucher, merchant, endpoints }) => ({ merchantId: merchant.id, type: 'voucher.paid', data: { object: this.voucherJson(voucher, merchant) }, now, endpoints })),
    );
    await queuePushes(
      tx,
      paid.map(({ voucher, merchant }) => ({ voucherId: voucher.id, merchantId: merchant.id, kind: 'paid' })),
      now,
    );
  }

  /** The voucher's merchant (fees, name) and its subscribed endpoints: read once per batch, as a batch mostly pays one merchant's vouchers. */
  private async merchantOf(tx: Tx, merchantId: string, cache: BatchCache) {
    let merchant = cache.merchants.get(merchantId);
    if (!merchant) {
      merchant = (await repo.merchant(tx, merchantId))!;
      cache.merchants.set(merchantId, merchant);
    }
    let endpoints = cache.endpoints.get(merchantId);
    if (!endpoints) {
      endpoints = await subscribedEndpoints(tx, merchantId);
      cache.endpoints.set(merchantId, endpoints);
    }
    return { merchant, endpoints };
  }

  /**
   * The till's clock, bounded (core/collections/clock-bound.ts): the record's claimed time against
   * the till's enrolment, its previous record, the server time it names (proof checked) and now.
   */
  private async clockCheck(
    device: DeviceRow,
    store: StoreRow,
    record: JournalRecord,
    previousCollectedAt: Date | null,
    operatorKeys: VerificationKeys,
    now: Date,
  ): Promise<{ flags: ChainFlag[]; verdict: ClockVerdict }> {
    const flags: ChainFlag[] = [];
    let seenServerTime: Date | null = null;
    if (!isCollection(record) || record.v === 2) {
      if (await verifyServerTime(device.id, record.server_time, record.server_time_proof, operatorKeys)) seenServerTime = new Date(record.server_time);
      else flags.push('bad_server_time');
    }
    const verdict = checkClock({
      collectedAt: new Date(claimedTime(record)),
      enrolledAt: device.enrolledAt,
      previousCollectedAt,
      seenServerTime,
      receivedAt: now,
      maxOfflineSeconds: store.maxOfflineSeconds,
    });
    if (!verdict.ok) flags.push(verdict.reason === 'after_receipt' ? 'clock_ahead' : 'clock_out_of_bounds');
    return { flags, verdict };
  }

  /** Checks that need no database: whose record it is, the device's signature, the token's, and what no till may send. */
  private async verdict(device: DeviceRow, store: StoreRow, record: JournalRecord, devicePublicKey: CryptoKey, operatorKeys: VerificationKeys): Promise<Prepared['verdict']> {
    if (record.device_id !== device.id)
      return { reject: 'wrong_device', detail: `the record names till ${record.device_id} but was sent by till ${device.id}; flagged for review` };
    if (device.revokedAt)
      return { reject: 'device_revoked', detail: `till ${device.id} was revoked at ${device.revokedAt.toISOString()}; the collection is kept and flagged for review` };
    if (!(await verifyCollectionSignature(record, devicePublicKey)))
      return { reject: 'bad_device_signature', detail: 'the device signature does not match the record; flagged for review' };
    if (isShiftClose(record)) {
      if (record.currency !== store.currency)
        return { reject: 'currency_not_store', detail: `the shift close is in ${record.currency} but store ${store.id} takes ${store.currency}; flagged for review` };
      const problem = shiftCloseProblem(record);
      return problem ? { reject: 'shift_totals_inconsistent', detail: `${problem}; flagged for review` } : { shiftClose: true };
    }
    // Signed, but no till may send these: no voucher is larger, and a store takes its own currency only.
    if (record.amount > MAX_AMOUNT)
      return {
        reject: 'amount_out_of_range',
        detail: `the record claims ${record.amount} ${record.currency}, more than any voucher (${MAX_AMOUNT}); nothing is posted, flagged for review`,
      };
    if (record.currency !== store.currency)
      return { reject: 'currency_not_store', detail: `the record is in ${record.currency} but store ${store.id} takes ${store.currency}; nothing is posted, flagged for review` };
    const verified = await verifyVoucherToken(record.token, operatorKeys);
    if (!verified.ok) return { reject: 'bad_token', detail: `the token failed verification (${verified.reason}: ${verified.detail}); flagged for review` };
    // Test mode and live never meet: only the built-in test till (a test store's) takes a test token, and it takes nothing else.
    const testTill = store.testMerchantId !== null;
    if (verified.claims.test && !testTill)
      return {
        reject: 'test_token',
        detail: `the token is a test-mode ${verified.claims.kind}, for which no money may change hands; nothing is posted, flagged for review`,
      };
    if (!verified.claims.test && testTill) return { reject: 'bad_token', detail: `a live ${verified.claims.kind} at the test till of store ${store.id}; flagged for review` };
    // A payout is of a refund, a collection of a voucher: the signed kind says which, never the till.
    if (isPayout(record)) {
      if (verified.claims.kind !== 'refund') return { reject: 'bad_token', detail: 'a payout record names a voucher token, not a refund; flagged for review' };
      return { refundId: refundIdToString(verified.claims.voucherId) };
    }
    if (verified.claims.kind !== 'voucher') return { reject: 'bad_token', detail: 'a collection record names a refund token, not a voucher; flagged for review' };
    return { voucherId: voucherIdToString(verified.claims.voucherId) };
  }

  /** One collection alone: a batch of one, decided again when it met a concurrent copy of itself or another acceptance of its voucher. */
  private async settleOne(device: DeviceRow, store: StoreRow, p: CollectionPrepared, cache: BatchCache): Promise<CollectionAnswer> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.decide(device, store, [p], cache))[0]!;
      } catch (err) {
        if (err instanceof LostRace) {
          const stored = await repo.byId(this.db, p.record.id);
          if (stored) return this.replay(p.index, { id: stored.id, deviceId: stored.deviceId, hash: stored.hash, answer: (i) => answerOf(i, stored) }, device, p.hash);
        }
        // A second acceptance of one voucher hit the unique index, or a deadlock: decide again; it now reads as paid.
        if (RETRY_ALONE.has(sqlState(err) ?? '') && attempt < 3) continue;
        throw err;
      }
    }
  }

  private replay(index: number, stored: Stored, device: DeviceRow, hash: string): CollectionAnswer {
    if (stored.deviceId === device.id && stored.hash === hash) return stored.answer(index);
    return {
      index,
      id: stored.id,
      outcome: 'rejected',
      reason: 'id_reused',
      voucher_id: null,
      detail: `collection id ${stored.id} was already used for a different record; this one was not recorded`,
      flags: [],
    };
  }

  /**
   * A payout record, in its own transaction: it pays its refund when it is this till's, under the
   * refund's live authorisation (RefundsService.payOut); otherwise it is kept, rejected, for review
   * (the cash left this till's drawer either way).
   */
  private async settlePayout(device: DeviceRow, store: StoreRow, p: Prepared, record: SignedPayout): Promise<CollectionAnswer> {
    const now = this.clock.now();
    try {
      return await this.db.transaction(async (tx) => {
        let outcome: 'accepted' | 'rejected' = 'rejected';
        let reason: RejectReason | undefined = 'reject' in p.verdict ? p.verdict.reject : undefined;
        let detail = 'reject' in p.verdict ? p.verdict.detail : '';
        let refundId = 'refundId' in p.verdict ? p.verdict.refundId : null;
        if (refundId) {
          const result = await this.refunds.payOut(tx, {
            refundId,
            authorizationId: record.authorization_id,
            amount: record.amount,
            currency: record.currency,
            device,
            store,
            payoutId: record.id,
            paidAt: new Date(record.paid_at),
            now,
          });
          if ('paid' in result) {
            outcome = 'accepted';
            detail = `refund ${refundId} is paid out`;
          } else {
            reason = 'payout_not_authorized';
            detail = result.refused;
            if (!result.refundExists) refundId = null;
          }
        }
        const row: PayoutRow = {
          id: record.id,
          deviceId: device.id,
          storeId: store.id,
          seq: record.seq,
          prevHash: record.prev_hash,
          hash: p.hash,
          refundId,
          authorizationId: record.authorization_id,
          token: record.token,
          amount: record.amount,
          currency: record.currency,
          paidAt: new Date(record.paid_at),
          receivedAt: now,
          outcome,
          reason: reason ?? null,
          detail,
          flags: p.flags,
          signature: record.signature,
        };
        if (!(await refundsRepository.insertPayout(tx, row))) throw new LostRace();
        return answerOf(p.index, row);
      });
    } catch (err) {
      if (err instanceof LostRace) {
        const stored = await refundsRepository.payoutById(this.db, record.id);
        if (stored) return this.replay(p.index, { id: stored.id, deviceId: stored.deviceId, hash: stored.hash, answer: (i) => answerOf(i, stored) }, device, p.hash);
      }
      throw err;
    }
  }

  /** A shift close: kept with its figures for the operator (`counterpay shift list`); it moves no money. */
  private async settleShiftClose(device: DeviceRow, store: StoreRow, p: Prepared, record: SignedShiftClose): Promise<CollectionAnswer> {
    const now = this.clock.now();
    const ok = 'shiftClose' in p.verdict;
    const row: ShiftCloseRow = {
      id: record.id,
      deviceId: device.id,
      storeId: store.id,
      seq: record.seq,
      prevHash: record.prev_hash,
      hash: p.hash,
      currency: record.currency,
      openedAt: new Date(record.opened_at),
      closedAt: new Date(record.closed_at),
      firstSeq: record.first_seq,
      lastSeq: record.last_seq,
      collections: record.collections,
      payoutCount: record.payouts.count,
      payoutTotal: record.payouts.total,
      openingFloat: record.opening_float,
      expectedCash: record.expected_cash,
      countedCash: record.counted_cash,
      difference: record.difference,
      floatLeft: record.float_left,
      receivedAt: now,
      outcome: ok ? 'accepted' : 'rejected',
      reason: 'reject' in p.verdict ? p.verdict.reject : null,
      detail:
        'reject' in p.verdict
          ? p.verdict.detail
          : `shift closed: ${record.counted_cash} ${record.currency} counted against ${record.expected_cash} expected (difference ${record.difference})`,
      flags: p.flags,
      signature: record.signature,
    };
    if (await shiftClosesRepository.insert(this.db, row)) return answerOf(p.index, row);
    const stored = (await shiftClosesRepository.byIds(this.db, [record.id]))[0]!;
    return this.replay(p.index, { id: stored.id, deviceId: stored.deviceId, hash: stored.hash, answer: (i) => answerOf(i, stored) }, device, p.hash);
  }

  /**
   * Decides collections in one transaction: their vouchers settled by one guarded statement
   * (collectionsRepository.settle), every record inserted in one statement, the accepted ones
   * booked together and any other settled outcome booked one by one (an exception is rare).
   * Throws LostRace when a concurrent copy of a record was stored first: nothing of it stays.
   */
  private async decide(device: DeviceRow, store: StoreRow, ps: CollectionPrepared[], cache: BatchCache): Promise<CollectionAnswer[]> {
    const now = this.clock.now();
    const judged = ps.map((p) => {
      const collectedAt = new Date(p.record.collected_at);
      // A claimed time before the bound's lower end is not believed: the voucher is judged as of the
      // receipt, so a backdated clock alone cannot make an expired voucher paid. (A time past the
      // upper end only makes a collection later, which never favours the till: it stands.)
      const backdated = !p.clockBound.ok && p.clockBound.reason !== 'after_receipt' && p.clockBound.reason !== 'after_lease';
      return { collectedAt, backdated, judgedAt: backdated && now > collectedAt ? now : collectedAt };
    });
    return this.db.transaction(async (tx) => {
      const claims = ps.flatMap((p, ord) =>
        'voucherId' in p.verdict
          ? [{ ord, collectionId: p.record.id, voucherId: p.verdict.voucherId, amount: p.record.amount, currency: p.record.currency, judgedAt: judged[ord]!.judgedAt }]
          : [],
      );
      const vouchersNow = await repo.settle(tx, { claims, storeId: store.id, now });
      const decided = ps.map((p, ord) => {
        const { record } = p;
        const { backdated, judgedAt } = judged[ord]!;
        let outcome: CollectionOutcome = 'rejected';
        let reason: RejectReason | undefined = 'reject' in p.verdict ? p.verdict.reject : undefined;
        let detail = 'reject' in p.verdict ? p.verdict.detail : '';
        let voucherId: string | null = 'voucherId' in p.verdict ? p.verdict.voucherId : null;
        const voucher = voucherId ? vouchersNow.get(voucherId) : undefined;
        if (voucherId && !voucher) {
          reason = 'bad_token';
          detail = `no voucher ${voucherId} exists, though its token verifies; flagged for review`;
          voucherId = null;
        } else if (voucher && voucher.status === 'paid' && voucher.paidCollectionId === record.id) {
          outcome = 'accepted';
          detail = `voucher ${voucherId} is paid`;
        } else if (voucher) {
          const why = classifyUnpaid(voucher, {
            amount: record.amount,
            currency: record.currency,
            collectedAt: record.collected_at,
            judgedAt,
            backdated: backdated && !p.clockBound.ok ? p.clockBound.detail : null,
          });
          outcome = why.outcome;
          reason = why.reason ?? reason;
          detail = why.detail;
        }
        return { p, voucher, outcome, reason, detail, voucherId };
      });
      const stored = await repo.insert(
        tx,
        decided.map(({ p: { record, hash, flags }, outcome, reason, detail, voucherId }, ord) => ({
          id: record.id,
          deviceId: device.id,
          storeId: store.id,
          seq: record.seq,
          prevHash: record.prev_hash,
          hash,
          voucherId,
          token: record.token,
          amount: record.amount,
          currency: record.currency,
          tender: record.tender,
          tenderReference: record.tender_reference,
          collectedAt: judged[ord]!.collectedAt,
          receivedAt: now,
          outcome,
          reason: reason ?? null,
          detail,
          flags,
          signature: record.signature,
        })),
      );
      if (!stored) throw new LostRace(); // a record sent twice at once: the other copy won
      await this.bookPaid(tx, {
        paid: decided.flatMap((d) => (d.voucher && d.outcome === 'accepted' ? [{ record: d.p.record, voucher: d.voucher }] : [])),
        store,
        now,
        cache,
      });
      for (const d of decided)
        if (d.voucher && d.outcome !== 'accepted' && d.outcome !== 'rejected')
          await this.book(tx, { record: d.p.record, store, voucher: d.voucher, outcome: d.outcome, detail: d.detail, now, cache });
      return decided.map(({ p, outcome, reason, detail, voucherId }) => ({
        index: p.index,
        id: p.record.id,
        outcome,
        ...(reason ? { reason } : {}),
        voucher_id: voucherId,
        detail,
        flags: p.flags,
      }));
    });
  }
}

/** What the record says about the device's journal: recorded with it, never a reason to drop it. */
function chainFlags(record: JournalRecord, hash: string, chain: Map<number, string[]>): ChainFlag[] {
  const flags: ChainFlag[] = [];
  const before = chain.get(record.seq - 1) ?? [];
  if (record.seq === 1) {
    if (record.prev_hash !== GENESIS_HASH) flags.push('chain_mismatch');
  } else if (before.length === 0) flags.push('sequence_gap');
  else if (!before.includes(record.prev_hash)) flags.push('chain_mismatch');
  if ((chain.get(record.seq) ?? []).some((h) => h !== hash)) flags.push('sequence_reused');
  return flags;
}
