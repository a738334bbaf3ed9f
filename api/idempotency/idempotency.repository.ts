import { and, eq, lt } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema.ts';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

export const idempotencyRepository = {
  /** Claims the key; returns false when a row for it already exists. */
  async claim(db: Db, merchantId: string, key: string, requestHash: string, now: Date): Promise<boolean> {
    const rows = await db
      .insert(idempotencyKeys)
      .values({ merchantId, key, requestHash, state: 'running', createdAt: now, lockedAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return rows.length === 1;
  },

  async find(db: Db, merchantId: string, key: string): Promise<IdempotencyRow | undefined> {
    const rows = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)))
      .limit(1);
    return rows[0];
  },

  /** Takes over a key whose first request died mid-way (its lock is older than `staleBefore`). */
  async takeOver(db: Db, merchantId: string, key: string, staleBefore: Date, now: Date): Promise<boolean> {
    const rows = await db
      .update(idempotencyKeys)
      .set({ lockedAt: now })
      .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'running'), lt(idempotencyKeys.lockedAt, staleBefore)))
      .returning({ key: idempotencyKeys.key });
    return rows.length === 1;
  },

  /**
   * Stores the answer, only while this request still owns the claim (`claimedAt` is the lock time
   * it wrote); false when another request took the claim over, and then nothing of this one may commit.
   */
  async complete(tx: Tx, merchantId: string, key: string, claimedAt: Date, status: number, body: unknown): Promise<boolean> {
    const rows = await tx
      .update(idempotencyKeys)
      .set({ state: 'done', responseStatus: status, responseBody: body })
      .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'running'), eq(idempotencyKeys.lockedAt, claimedAt)))
      .returning({ key: idempotencyKeys.key });
    return rows.length === 1;
  },

  /** Frees this request's claim (and no one else's) after its work rolled back. */
  async release(db: Db, merchantId: string, key: string, claimedAt: Date): Promise<void> {
    await db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'running'), eq(idempotencyKeys.lockedAt, claimedAt)));
  },

  async prune(db: Db, olderThan: Date): Promise<number> {
    const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, olderThan)).returning({ key: idempotencyKeys.key });
    return rows.length;
  },
};
