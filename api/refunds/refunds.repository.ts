/**
 * Refund rows and the guarded statements that make a payout happen at most once
 * (docs/refunds.md): each state change is one UPDATE whose WHERE names the state it leaves, so of
 * any number of concurrent attempts exactly one changes the row and the others see it changed.
 */
import { and, desc, eq, gt, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { SYSTEM_REFUND_REASONS } from '../../core/contract/refunds.ts';
import type { RefundStatus } from '../../core/refunds/refund-status.ts';
import type { Db, Tx } from '../db/client.ts';
import { payoutAuthorizations, payouts, refunds, vouchers } from '../db/schema.ts';

export type RefundRow = typeof refunds.$inferSelect;
export type PayoutRow = typeof payouts.$inferSelect;

/** SQL for "reads as `status` at `now`" (authorised reads as pending; pending past its expiry as expired). */
function statusIs(status: RefundStatus, now: Date) {
  switch (status) {
    case 'pending':
      return and(inArray(refunds.state, ['pending', 'authorized']), sql`(${refunds.state} = 'authorized' or ${refunds.expiresAt} > ${now})`);
    case 'expired':
      return sql`(${refunds.state} = 'expired' or (${refunds.state} = 'pending' and ${refunds.expiresAt} <= ${now}))`;
    default:
      return eq(refunds.state, status);
  }
}

export const refundsRepository = {
  /** Inserts unless the id or reference is taken; true when inserted. */
  async insert(tx: Tx, row: typeof refunds.$inferInsert): Promise<boolean> {
    const rows = await tx.insert(refunds).values(row).onConflictDoNothing().returning({ id: refunds.id });
    return rows.length === 1;
  },

  /** True when a voucher already has this reference (references are unique across both: a till types one number). */
  async referenceTaken(tx: Tx, reference: string): Promise<boolean> {
    return (await tx.select({ id: vouchers.id }).from(vouchers).where(eq(vouchers.reference, reference)).limit(1)).length > 0;
  },

  /**
   * The voucher, locked for this transaction: refunds of one voucher are decided one after the
   * other, so two at once cannot both fit under what was paid.
   */
  async lockVoucher(tx: Tx, merchantId: string, voucherId: string) {
    const rows = await tx
      .select()
      .from(vouchers)
      .where(and(eq(vouchers.id, voucherId), eq(vouchers.merchantId, merchantId)))
      .for('update');
    return rows[0];
  },

  /** What a merchant has refunded of a voucher so far (refunds not canceled or expired; system refunds return other cash). */
  async refundedByMerchant(tx: Tx, voucherId: string): Promise<number> {
    const [row] = await tx
      .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)::text` })
      .from(refunds)
      .where(and(eq(refunds.voucherId, voucherId), notInArray(refunds.reason, [...SYSTEM_REFUND_REASONS]), notInArray(refunds.state, ['canceled', 'expired'])));
    return Number(row?.total ?? 0);
  },

  async byId(db: Db, id: string, merchantId?: string): Promise<RefundRow | undefined> {
    const rows = await db
      .select()
      .from(refunds)
      .where(merchantId ? and(eq(refunds.id, id), eq(refunds.merchantId, merchantId)) : eq(refunds.id, id))
      .limit(1);
    return rows[0];
  },

  async byReference(db: Db, reference: string): Promise<RefundRow | undefined> {
    return (await db.select().from(refunds).where(eq(refunds.reference, reference)).limit(1))[0];
  },

  async byCollection(db: Db, collectionId: string): Promise<RefundRow | undefined> {
    return (await db.select().from(refunds).where(eq(refunds.collectionId, collectionId)).limit(1))[0];
  },

  /** Every refund of these vouchers, newest first. */
  async ofVouchers(db: Db, voucherIds: string[]): Promise<RefundRow[]> {
    if (voucherIds.length === 0) return [];
    return db.select().from(refunds).where(inArray(refunds.voucherId, voucherIds)).orderBy(desc(refunds.createdAt), desc(refunds.id));
  },

  /** Newest first; keyset pagination on (created_at, id) after the cursor refund. */
  async list(db: Db, merchantId: string, q: { status?: RefundStatus; voucherId?: string; limit: number; after?: RefundRow; now: Date }): Promise<RefundRow[]> {
    const conditions = [eq(refunds.merchantId, merchantId)];
    if (q.status) conditions.push(statusIs(q.status, q.now)!);
    if (q.voucherId) conditions.push(eq(refunds.voucherId, q.voucherId));
    if (q.after) conditions.push(sql`(${refunds.createdAt}, ${refunds.id}) < (${q.after.createdAt}, ${q.after.id})`);
    return db
      .select()
      .from(refunds)
      .where(and(...conditions))
      .orderBy(desc(refunds.createdAt), desc(refunds.id))
      .limit(q.limit);
  },

  /** The merchant withdraws a refund: only a pending one (not held by a till), unexpired, that the merchant issued. */
  async cancel(tx: Tx, merchantId: string, id: string, now: Date): Promise<RefundRow | undefined> {
    const rows = await tx
      .update(refunds)
      .set({ state: 'canceled', canceledAt: now })
      .where(
        and(
          eq(refunds.id, id),
          eq(refunds.merchantId, merchantId),
          eq(refunds.state, 'pending'),
          gt(refunds.expiresAt, now),
          notInArray(refunds.reason, [...SYSTEM_REFUND_REASONS]),
        ),
      )
      .returning();
    return rows[0];
  },

  /** Pending refunds past their expiry become expired, once (a till's authorisation keeps one pending). */
  async expireDue(tx: Tx, now: Date, limit = 200): Promise<RefundRow[]> {
    return tx
      .update(refunds)
      .set({ state: 'expired', expiredAt: now })
      .where(
        inArray(
          refunds.id,
          sql`(select ${refunds.id} from ${refunds} where ${refunds.state} = 'pending' and ${refunds.expiresAt} <= ${now} order by ${refunds.expiresAt} limit ${limit} for update skip locked)`,
        ),
      )
      .returning();
  },

  /**
   * The grant: only a pending, unexpired refund becomes authorised to this till. Of any number of
   * tills and processes asking at once, exactly one UPDATE matches; the live-authorisation unique
   * index is the second line.
   */
  async authorize(tx: Tx, q: { refundId: string; authorizationId: string; deviceId: string; storeId: string; now: Date }): Promise<RefundRow | undefined> {
    const [row] = await tx
      .update(refunds)
      .set({ state: 'authorized', authorizationId: q.authorizationId, authorizedDeviceId: q.deviceId, authorizedAt: q.now })
      .where(and(eq(refunds.id, q.refundId), eq(refunds.state, 'pending'), gt(refunds.expiresAt, q.now)))
      .returning();
    if (row) await tx.insert(payoutAuthorizations).values({ id: q.authorizationId, refundId: q.refundId, deviceId: q.deviceId, storeId: q.storeId, createdAt: q.now });
    return row;
  },

  async authorization(db: Db, id: string) {
    return (await db.select().from(payoutAuthorizations).where(eq(payoutAuthorizations.id, id)).limit(1))[0];
  },

  /** The till gives its grant back (the cash was not handed over): only while no payout record used it. */
  async void(tx: Tx, q: { authorizationId: string; deviceId: string; now: Date }): Promise<RefundRow | undefined> {
    const [row] = await tx
      .update(refunds)
      .set({ state: 'pending', authorizationId: null, authorizedDeviceId: null, authorizedAt: null })
      .where(and(eq(refunds.authorizationId, q.authorizationId), eq(refunds.authorizedDeviceId, q.deviceId), eq(refunds.state, 'authorized')))
      .returning();
    if (row) {
      await tx
        .update(payoutAuthorizations)
        .set({ voidedAt: q.now })
        .where(and(eq(payoutAuthorizations.id, q.authorizationId), isNull(payoutAuthorizations.voidedAt)));
    }
    return row;
  },

  /** The till's payout record pays the refund: only under the live authorisation of that very till. */
  async pay(tx: Tx, q: { authorizationId: string; deviceId: string; storeId: string; payoutId: string; paidAt: Date }): Promise<RefundRow | undefined> {
    const [row] = await tx
      .update(refunds)
      .set({
        state: 'paid',
        paidAt: q.paidAt,
        paidStoreId: q.storeId,
        paidDeviceId: q.deviceId,
        payoutId: q.payoutId,
        authorizationId: null,
        authorizedDeviceId: null,
        authorizedAt: null,
      })
      .where(and(eq(refunds.authorizationId, q.authorizationId), eq(refunds.authorizedDeviceId, q.deviceId), eq(refunds.state, 'authorized')))
      .returning();
    if (row) await tx.update(payoutAuthorizations).set({ payoutId: q.payoutId }).where(eq(payoutAuthorizations.id, q.authorizationId));
    return row;
  },

  /** The operator records a refund paid back outside a till (the store handed the cash over): only a pending one. */
  async payOutsideTill(tx: Tx, q: { refundId: string; storeId: string; paidAt: Date }): Promise<RefundRow | undefined> {
    const [row] = await tx
      .update(refunds)
      .set({ state: 'paid', paidAt: q.paidAt, paidStoreId: q.storeId })
      .where(and(eq(refunds.id, q.refundId), eq(refunds.state, 'pending')))
      .returning();
    return row;
  },

  /** Inserts a payout record unless its id exists (a concurrent retry of the same record won). */
  async insertPayout(tx: Tx, row: typeof payouts.$inferInsert): Promise<boolean> {
    const rows = await tx.insert(payouts).values(row).onConflictDoNothing({ target: payouts.id }).returning({ id: payouts.id });
    return rows.length === 1;
  },

  async payoutById(db: Db, id: string): Promise<PayoutRow | undefined> {
    return (await db.select().from(payouts).where(eq(payouts.id, id)).limit(1))[0];
  },

  async payoutsByIds(db: Db, ids: string[]): Promise<PayoutRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(payouts).where(inArray(payouts.id, ids));
  },

  /** A device's payout records at these sequence numbers (they share the chain with its collections). */
  async payoutChain(db: Db, deviceId: string, seqs: number[]): Promise<Array<{ seq: number; hash: string; at: Date }>> {
    if (seqs.length === 0) return [];
    return db
      .select({ seq: payouts.seq, hash: payouts.hash, at: payouts.paidAt })
      .from(payouts)
      .where(and(eq(payouts.deviceId, deviceId), inArray(payouts.seq, seqs)));
  },
};
