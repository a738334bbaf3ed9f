import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Tx } from '../db/client.ts';
import { events, outbox, webhookEndpoints } from '../db/schema.ts';
import type { EndpointRow } from '../webhooks/webhooks.repository.ts';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;
export type EventRow = typeof events.$inferSelect;

export const outboxRepository = {
  /**
   * Claims due rows for `leaseMs`. FOR UPDATE SKIP LOCKED lets several workers claim at once
   * without waiting on each other or taking the same row; the lease (locked_until) keeps a row
   * from being sent twice at the same moment and frees it if the worker dies mid-delivery.
   */
  async claim(db: Db, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
    const until = new Date(now.getTime() + leaseMs);
    const claimed = rowsOf<{ id: string }>(
      await db.execute(sql`
      update outbox set locked_until = ${until}, attempts = attempts + 1
      where id in (
        select id from outbox
        where delivered_at is null and gave_up_at is null and next_attempt_at <= ${now}
          and (locked_until is null or locked_until < ${now})
        order by next_attempt_at
        limit ${limit}
        for update skip locked)
      returning id`),
    );
    if (claimed.length === 0) return [];
    return db
      .select()
      .from(outbox)
      .where(sql`${outbox.id} in ${claimed.map((r) => r.id)}`);
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

  async eventsByIds(db: Db, ids: string[]): Promise<EventRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(events).where(inArray(events.id, ids));
  },

  async endpointsByIds(db: Db, ids: string[]): Promise<EndpointRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, ids));
  },

  /** A failing endpoint that took a delivery is enabled again (an enabled or disabled one stays as it is). */
  async endpointRecovered(db: Db, endpointId: string | null): Promise<void> {
    await db.update(webhookEndpoints).set({ status: 'enabled' }).where(sql`${webhookEndpoints.id} = ${endpointId} and ${webhookEndpoints.status} = 'failing'`);
  },

  async endpointFailing(db: Db, endpointId: string): Promise<void> {
    await db.update(webhookEndpoints).set({ status: 'failing' }).where(eq(webhookEndpoints.id, endpointId));
  },

  /** Open vouchers past their expiry become expired, at most 500 a call, skipping rows another transaction has locked. */
  async expireDue(tx: Tx, now: Date): Promise<Array<{ id: string; merchantId: string }>> {
    const rows = rowsOf<{ id: string; merchant_id: string }>(
      await tx.execute(sql`
        update vouchers set status = 'expired', status_changed_at = ${now}
        where id in (select id from vouchers where status = 'open' and expires_at <= ${now} limit 500 for update skip locked)
        returning id, merchant_id`),
    );
    return rows.map((r) => ({ id: r.id, merchantId: r.merchant_id }));
  },

  /** A merchant's endpoints that take deliveries (not disabled), with the events they want. */
  async subscribedEndpoints(tx: Tx, merchantId: string): Promise<Array<{ id: string; events: string[] }>> {
    return tx
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.merchantId, merchantId), ne(webhookEndpoints.status, 'disabled')));
  },

  async insertEvents(tx: Tx, rows: Array<typeof events.$inferInsert>): Promise<void> {
    await tx.insert(events).values(rows);
  },

  /** Queues deliveries (one statement for all of them). */
  async queue(tx: Tx, rows: NewOutboxRow[]): Promise<void> {
    await tx.insert(outbox).values(rows);
  },
};
