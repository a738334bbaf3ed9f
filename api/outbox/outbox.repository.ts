import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { outbox } from '../db/schema.ts';

export type OutboxRow = typeof outbox.$inferSelect;

export const outboxRepository = {
  /**
   * Claims due rows for `leaseMs`. FOR UPDATE SKIP LOCKED lets several workers claim at once
   * without waiting on each other or taking the same row; the lease (locked_until) keeps a row
   * from being sent twice at the same moment and frees it if the worker dies mid-delivery.
   */
  async claim(db: Db, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    const until = new Date(now.getTime() + leaseMs);
    const result = (await db.execute(sql`
      update outbox set locked_until = ${until}, attempts = attempts + 1
      where id in (
        select id from outbox
        where delivered_at is null and gave_up_at is null and next_attempt_at <= ${now}
          and (locked_until is null or locked_until < ${now})
        order by next_attempt_at
        limit ${limit}
        for update skip locked)
      returning id`)) as unknown as { rows: Array<{ id: string }> };
    if (result.rows.length === 0) return [];
    return db.select().from(outbox).where(sql`${outbox.id} in ${result.rows.map((r) => r.id)}`);
  },

  /** Records the result, only while this worker's lease still holds (otherwise another worker owns the row now). */
  async finish(db: Db, row: OutboxRow, change: Partial<Pick<OutboxRow, 'deliveredAt' | 'gaveUpAt' | 'nextAttemptAt' | 'lastStatus' | 'lastError'>>): Promise<boolean> {
    const rows = await db
      .update(outbox)
      .set({ ...change, lockedUntil: null })
      .where(and(eq(outbox.id, row.id), eq(outbox.lockedUntil, row.lockedUntil!)))
      .returning({ id: outbox.id });
    return rows.length === 1;
  },
};
