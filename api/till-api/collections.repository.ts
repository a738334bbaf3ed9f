import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { collections, merchants, vouchers } from '../db/schema.ts';

export type CollectionRow = typeof collections.$inferSelect;

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
   * The race-free settle: only a voucher still unpaid and uncanceled, unexpired when the cash was
   * taken, with the same amount and currency, becomes paid (an offline till may sync after the
   * expiry job marked it expired: cash taken before expiry still pays it); concurrent attempts queue on the row lock and the losers
   * see it paid. (Updating before inserting the collection avoids the FK lock-upgrade deadlock.)
   */
  async settle(
    tx: Tx,
    q: { voucherId: string; collectionId: string; storeId: string; amount: number; currency: string; collectedAt: Date; now: Date },
  ): Promise<typeof vouchers.$inferSelect | undefined> {
    const rows = await tx
      .update(vouchers)
      .set({ status: 'paid', paidAt: q.collectedAt, paidCollectionId: q.collectionId, paidStoreId: q.storeId, statusChangedAt: q.now })
      .where(
        and(
          eq(vouchers.id, q.voucherId),
          inArray(vouchers.status, ['open', 'expired']),
          sql`${vouchers.expiresAt} > ${q.collectedAt}`,
          eq(vouchers.amount, q.amount),
          eq(vouchers.currency, q.currency),
        ),
      )
      .returning();
    return rows[0];
  },

  async merchant(tx: Tx, id: string) {
    return (await tx.select().from(merchants).where(eq(merchants.id, id)).limit(1))[0];
  },

  async voucher(tx: Tx, id: string) {
    return (await tx.select().from(vouchers).where(eq(vouchers.id, id)).limit(1))[0];
  },

  /** Inserts unless the id exists (a concurrent retry of the same record won); true when inserted. */
  async insert(tx: Tx, row: typeof collections.$inferInsert): Promise<boolean> {
    const rows = await tx.insert(collections).values(row).onConflictDoNothing({ target: collections.id }).returning({ id: collections.id });
    return rows.length === 1;
  },
};
