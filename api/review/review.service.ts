/**
 * The review queue (docs/refunds.md, "The review queue"): every collection held for review — a
 * rejected one (bad signature, revoked till, clock outside its bound, …) or a mismatched one — with
 * what the till recorded and why it was held, and the operator's decision on it:
 *
 *   accept     the till's honest collection: it pays its voucher if the voucher can still be paid
 *              as of the claimed time, otherwise it becomes a duplicate/late/mismatch with its refund;
 *   refund     the shopper gets the cash back (a mismatch already has its refund: the decision confirms it);
 *   write-off  nobody is owed the cash; the store still answers for it (operator:write_offs).
 *
 * One decision per collection (review_decisions' primary key: a second is refused), in the same
 * transaction as its ledger transaction and event. The till learns the decision from its feed.
 */
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import { classifyUnpaid } from '../../core/collections/classify.ts';
import { writeOffPostings } from '../../core/ledger/ledger-rules.ts';
import { Account } from '../../core/ledger/ledger-rules.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { collections, devices, refunds, reviewDecisions, stores } from '../db/schema.ts';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-state.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { ledgerRepository } from '../ledger/ledger.repository.ts';
import { recordEvent } from '../outbox/events.ts';
import { refundsRepository } from '../refunds/refunds.repository.ts';
import { collectionsRepository } from '../till-api/collections.repository.ts';
import type { CollectionsService } from '../till-api/collections.service.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import { verifyVoucherToken } from '../../core/token/voucher-token.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';

export type Decision = 'accept' | 'refund' | 'write_off';
type CollectionRow = typeof collections.$inferSelect;

/** How long a till's feed repeats a decision on one of its collections. */
export const REVIEW_FEED_DAYS = 14;

class AlreadyDecided extends Error {}

export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: SigningKeys,
    private readonly collections: CollectionsService,
  ) {}

  /** Every collection held for review and not decided yet, oldest first, with its store and till (never the test till's: test mode has no review). */
  async list() {
    const rows = await this.db
      .select({ c: collections, storeName: stores.name, tillName: devices.name })
      .from(collections)
      .innerJoin(stores, eq(stores.id, collections.storeId))
      .innerJoin(devices, eq(devices.id, collections.deviceId))
      .leftJoin(reviewDecisions, eq(reviewDecisions.collectionId, collections.id))
      .where(and(or(eq(collections.outcome, 'rejected'), eq(collections.outcome, 'mismatch')), isNull(reviewDecisions.collectionId), isNull(stores.testMerchantId)))
      .orderBy(collections.receivedAt, collections.id);
    return {
      object: 'list' as const,
      data: rows.map(({ c, storeName, tillName }) => ({
        id: c.id,
        outcome: c.outcome,
        reason: c.reason,
        why: c.detail,
        flags: c.flags,
        voucher_id: c.voucherId,
        amount: c.amount,
        currency: c.currency,
        tender: c.tender,
        tender_reference: c.tenderReference,
        collected_at: c.collectedAt.toISOString(),
        received_at: c.receivedAt.toISOString(),
        store: { id: c.storeId, name: storeName },
        till: { id: c.deviceId, name: tillName },
      })),
    };
  }

  /** The decision on one collection. `by` names the operator; `reason` is required for a write-off. */
  async decide(collectionId: string, decision: Decision, opts: { by: string; reason?: string }) {
    if (decision === 'write_off' && !opts.reason?.trim())
      throw new ValidationError('a write-off needs a reason (it is kept with the decision)', [{ field: 'reason', message: 'required for a write-off' }]);
    const c = await collectionsRepository.byId(this.db, collectionId);
    if (!c) throw new NotFoundError('collection', collectionId);
    if (c.outcome !== 'rejected' && c.outcome !== 'mismatch')
      throw new ConflictError('review-not-held', `collection ${collectionId} is ${c.outcome}; only rejected and mismatched collections are held for review`);
    const [held] = await this.db.select({ testMerchantId: stores.testMerchantId }).from(stores).where(eq(stores.id, c.storeId));
    if (held?.testMerchantId) throw new ConflictError('review-not-held', `collection ${collectionId} is a test-mode collection; test mode has no review queue`);
    const now = this.clock.now();
    try {
      return await this.db.transaction(async (tx) => {
        // The decision row first: of two operators deciding at once, the second waits and is refused.
        const claimed = await tx
          .insert(reviewDecisions)
          .values({ collectionId, decision, result: '', reason: opts.reason?.trim() ?? null, decidedBy: opts.by, decidedAt: now })
          .onConflictDoNothing()
          .returning();
        if (claimed.length === 0) throw new AlreadyDecided();
        const done = await this.apply(tx, c, decision, now, opts.reason?.trim());
        await tx.update(reviewDecisions).set({ result: done.result, refundId: done.refundId }).where(eq(reviewDecisions.collectionId, collectionId));
        const merchantId = (await this.voucherOf(tx, c))?.merchantId;
        const object = {
          object: 'review_decision' as const,
          collection_id: collectionId,
          decision,
          result: done.result,
          refund_id: done.refundId,
          decided_by: opts.by,
          decided_at: now.toISOString(),
        };
        if (merchantId) await recordEvent(tx, { merchantId, type: 'collection.reviewed', data: { object }, now });
        return object;
      });
    } catch (err) {
      if (err instanceof AlreadyDecided || sqlState(err) === UNIQUE_VIOLATION) {
        const [d] = await this.db.select().from(reviewDecisions).where(eq(reviewDecisions.collectionId, collectionId));
        throw new ConflictError('review-already-decided', `collection ${collectionId} was already decided: ${d?.decision} by ${d?.decidedBy} at ${d?.decidedAt.toISOString()}`);
      }
      throw err;
    }
  }

  private async apply(tx: Tx, c: CollectionRow, decision: Decision, now: Date, reason?: string): Promise<{ result: string; refundId: string | null }> {
    const store = (await tx.select().from(stores).where(eq(stores.id, c.storeId)))[0]!;
    const record = { id: c.id, amount: c.amount, currency: c.currency, collected_at: c.collectedAt.toISOString() };
    const existingRefund = await refundsRepository.byCollection(tx, c.id);
    if (decision === 'write_off') {
      if (existingRefund) {
        // A mismatch's refund is withdrawn: what shoppers were owed goes to the write-offs.
        const withdrawn = await tx
          .update(refunds)
          .set({ state: 'canceled', canceledAt: now })
          .where(and(eq(refunds.id, existingRefund.id), eq(refunds.state, 'pending')))
          .returning();
        if (withdrawn.length === 0)
          throw new ConflictError(
            'review-not-possible',
            `the refund ${existingRefund.id} of collection ${c.id} is ${existingRefund.state} and cannot be withdrawn; refund or accept instead`,
          );
        await ledgerRepository.post(
          tx,
          {
            kind: 'write_off',
            livemode: true,
            collectionId: c.id,
            refundId: existingRefund.id,
            storeId: c.storeId,
            currency: c.currency,
            memo: `collection ${c.id} written off: ${reason}`,
            createdAt: now,
          },
          writeOffPostings({ amount: c.amount, currency: c.currency, from: Account.refunds }),
        );
        return { result: `written off (${reason}); refund ${existingRefund.id} withdrawn`, refundId: existingRefund.id };
      }
      await ledgerRepository.post(
        tx,
        { kind: 'write_off', livemode: true, collectionId: c.id, storeId: c.storeId, currency: c.currency, memo: `collection ${c.id} written off: ${reason}`, createdAt: now },
        writeOffPostings({ amount: c.amount, currency: c.currency, from: Account.store(c.storeId) }),
      );
      return { result: `written off (${reason}); store ${c.storeId} answers for ${c.amount} ${c.currency}`, refundId: null };
    }
    if (c.outcome === 'mismatch') {
      if (decision === 'accept')
        throw new ConflictError(
          'review-not-possible',
          `collection ${c.id} took ${c.amount} ${c.currency}, not the voucher's amount: it cannot pay the voucher; refund or write off`,
        );
      return { result: `the shopper's refund ${existingRefund?.id} stands`, refundId: existingRefund?.id ?? null };
    }
    const voucher = await this.voucherOf(tx, c);
    if (!voucher) throw new ConflictError('review-not-possible', `collection ${c.id} names no voucher Counterpay holds; write it off`);
    if (decision === 'refund') {
      const booked = await this.collections.book(tx, { record, store, voucher, outcome: 'mismatch', detail: 'refunded after review', now, refundReason: 'review' });
      return { result: `refund ${booked.refundId} issued to the shopper`, refundId: booked.refundId };
    }
    // Accept: the voucher becomes paid by this collection if it still can be, as of the claimed time.
    const claim = { ord: 0, collectionId: c.id, voucherId: voucher.id, amount: c.amount, currency: c.currency, judgedAt: c.collectedAt };
    const settled = (await collectionsRepository.settle(tx, { claims: [claim], storeId: c.storeId, now })).get(voucher.id);
    const paid = settled?.status === 'paid' && settled.paidCollectionId === c.id ? settled : undefined;
    if (paid) {
      await this.collections.book(tx, { record, store, voucher: paid, outcome: 'accepted', detail: 'accepted after review', now });
      return { result: `voucher ${voucher.id} is paid`, refundId: null };
    }
    const why = classifyUnpaid(voucher, { amount: c.amount, currency: c.currency, collectedAt: record.collected_at, judgedAt: c.collectedAt, backdated: null });
    const outcome = why.outcome === 'rejected' ? 'late' : why.outcome;
    const booked = await this.collections.book(tx, { record, store, voucher, outcome, detail: why.detail, now, refundReason: 'review' });
    return { result: `${why.detail}: refund ${booked.refundId} issued to the shopper`, refundId: booked.refundId };
  }

  /**
   * The voucher a held collection is for: as recorded, or (for a record rejected before its token
   * was looked at, such as a revoked till's) from its token, when the operator's keys verify it.
   */
  private async voucherOf(tx: Tx, c: CollectionRow) {
    if (c.voucherId) return collectionsRepository.voucher(tx, c.voucherId);
    const verified = await verifyVoucherToken(c.token, await this.keys.verificationKeys());
    if (!verified.ok || verified.claims.kind !== 'voucher') return undefined;
    return collectionsRepository.voucher(tx, voucherIdToString(verified.claims.voucherId));
  }

  /** Decisions on this till's collections made in the last REVIEW_FEED_DAYS days, for its feed. */
  async recentFor(deviceId: string) {
    const since = new Date(this.clock.now().getTime() - REVIEW_FEED_DAYS * 86_400_000);
    const rows = await this.db
      .select({ collectionId: reviewDecisions.collectionId, decision: reviewDecisions.decision, result: reviewDecisions.result, decidedAt: reviewDecisions.decidedAt })
      .from(reviewDecisions)
      .innerJoin(collections, eq(collections.id, reviewDecisions.collectionId))
      .where(and(eq(collections.deviceId, deviceId), gt(reviewDecisions.decidedAt, since)))
      .orderBy(desc(reviewDecisions.decidedAt))
      .limit(200);
    return rows.map((r) => ({ collection_id: r.collectionId, decision: r.decision, result: r.result, decided_at: r.decidedAt.toISOString() }));
  }
}
