import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { collections, merchants, vouchers } from '../db/schema.ts';

export type CollectionRow = typeof collections.$inferSelect;
type VoucherRow = typeof vouchers.$inferSelect;

export const collectionsRepository = {
  async byId(db: Db, id: string): Promise<CollectionRow | undefined> {
    return (await db.select().from(collections).where(eq(collections.id, id)).limit(1))[0];
  },

  /** Of a batch: the records already stored (by id), and the device's stored hashes at the given sequence numbers. */
  async known(
    db: Db,
    deviceId: string,
    ids: string[],
    seqs: number[],
  ): Promise<{ byId: Map<string, CollectionRow>; chain: Array<{ seq: number; hash: string; collectedAt: Date }> }> {
    const [stored, chain] = await Promise.all([
      db.select().from(collections).where(inArray(collections.id, ids)),
      db
        .select({ seq: collections.seq, hash: collections.hash, collectedAt: collections.collectedAt })
        .from(collections)
        .where(and(eq(collections.deviceId, deviceId), inArray(collections.seq, [...new Set(seqs)]))),
    ]);
    return { byId: new Map(stored.map((r) => [r.id, r])), chain };
  },

  /**
   * The race-free settle, for a batch of claims in one statement: only a voucher still unpaid and
   * uncanceled, unexpired when the cash was taken, with the same amount and currency, becomes paid
   * (an offline till may sync after the expiry job marked it expired: cash taken before expiry still
   * pays it). Of several claims on one voucher, the first eligible one (lowest `ord`) pays it.
   *
   * The batch's vouchers are locked first, in id order: concurrent batches that share a voucher
   * queue on its row lock instead of deadlocking, and the UPDATE (a new snapshot under READ
   * COMMITTED) sees what the winner committed, so the losers find it paid. The guard is in the
   * UPDATE itself, not only in the choice of claim. (Updating before inserting the collections
   * avoids the FK lock-upgrade deadlock.) Returns every claimed voucher as it now stands: paid by
   * one of these claims when its `paidCollectionId` names it.
   */
  async settle(
    tx: Tx,
    q: { claims: Array<{ ord: number; collectionId: string; voucherId: string; amount: number; currency: string; judgedAt: Date }>; storeId: string; now: Date },
  ): Promise<Map<string, VoucherRow>> {
    const ids = [...new Set(q.claims.map((c) => c.voucherId))].sort();
    if (ids.length === 0) return new Map();
    await tx.select({ id: vouchers.id }).from(vouchers).where(inArray(vouchers.id, ids)).orderBy(vouchers.id).for('update');
    const eligible = (v: string) => sql.raw(`${v}.status in ('open', 'expired') and ${v}.expires_at > c.judged_at and ${v}.amount = c.amount and ${v}.currency = c.currency`);
    await tx.execute(sql`
      update vouchers v
         set status = 'paid', paid_at = c.judged_at, paid_collection_id = c.collection_id, paid_store_id = ${q.storeId}, status_changed_at = ${q.now}
        from (select distinct on (c.voucher_id) c.*
                from unnest(${sql.param(q.claims.map((c) => c.ord))}::int[], ${sql.param(q.claims.map((c) => c.collectionId))}::text[],
                            ${sql.param(q.claims.map((c) => c.voucherId))}::text[], ${sql.param(q.claims.map((c) => c.amount))}::bigint[],
                            ${sql.param(q.claims.map((c) => c.currency))}::text[], ${sql.param(q.claims.map((c) => c.judgedAt.toISOString()))}::timestamptz[])
                     as c(ord, collection_id, voucher_id, amount, currency, judged_at)
                join vouchers w on w.id = c.voucher_id and ${eligible('w')}
               order by c.voucher_id, c.ord) c
       where v.id = c.voucher_id and ${eligible('v')}`);
    return new Map((await tx.select().from(vouchers).where(inArray(vouchers.id, ids))).map((v) => [v.id, v]));
  },

  async merchant(tx: Tx, id: string) {
    return (await tx.select().from(merchants).where(eq(merchants.id, id)).limit(1))[0];
  },

  async voucher(tx: Tx, id: string) {
    return (await tx.select().from(vouchers).where(eq(vouchers.id, id)).limit(1))[0];
  },

  /** Inserts the records whose ids are new (in one statement); true when every one was (else a concurrent copy of one won). */
  async insert(tx: Tx, rows: Array<typeof collections.$inferInsert>): Promise<boolean> {
    const inserted = await tx.insert(collections).values(rows).onConflictDoNothing({ target: collections.id }).returning({ id: collections.id });
    return inserted.length === rows.length;
  },
};
