import { and, eq, lt, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../db/client.ts';
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

  /**
   * Takes over a `running` claim that no live transaction holds: its request died (a crash, a lost
   * connection, a failover) or has not begun its work yet. The work transaction of a live request
   * holds the claim's row lock (`hold`), and SKIP LOCKED passes over a held row, so this never
   * waits and never takes a claim from work in progress. Returns false when the claim is held.
   */
  async takeOver(db: Db, merchantId: string, key: string, now: Date): Promise<boolean> {
    const rows = rowsOf<{ key: string }>(
      await db.execute(sql`update idempotency_keys set locked_at = ${now.toISOString()}
        where merchant_id = ${merchantId} and key = ${key} and state = 'running'
          and locked_at = (select locked_at from idempotency_keys
            where merchant_id = ${merchantId} and key = ${key} and state = 'running' for update skip locked)
        returning key`),
    );
    return rows.length === 1;
  },

  /**
   * First statement of the work's transaction: locks this request's claim for the rest of it (so no
   * retry takes it over meanwhile) and checks it is still this request's (`claimedAt` is the lock
   * time it wrote); false when another request took it over, and then nothing of this one may commit.
   */
  async hold(tx: Tx, merchantId: string, key: string, claimedAt: Date): Promise<boolean> {
    const rows = await tx
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'running'), eq(idempotencyKeys.lockedAt, claimedAt)))
      .for('update');
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
