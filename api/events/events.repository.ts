import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { events } from '../db/schema.ts';
import type { EventType } from '../../core/contract/webhooks.ts';

export type EventRow = typeof events.$inferSelect;

export const eventsRepository = {
  async byId(db: Db, merchantId: string, id: string, since: Date): Promise<EventRow | undefined> {
    const rows = await db
      .select()
      .from(events)
      .where(and(eq(events.id, id), eq(events.merchantId, merchantId), gte(events.createdAt, since)))
      .limit(1);
    return rows[0];
  },

  /** Newest first, from `since` on; keyset pagination on (created_at, id) after the cursor event (index events_merchant). */
  async list(db: Db, merchantId: string, q: { type?: EventType; since: Date; after?: EventRow; limit: number }): Promise<EventRow[]> {
    const conditions = [eq(events.merchantId, merchantId), gte(events.createdAt, q.since)];
    if (q.type) conditions.push(eq(events.type, q.type));
    if (q.after) conditions.push(sql`(${events.createdAt}, ${events.id}) < (${q.after.createdAt}, ${q.after.id})`);
    return db
      .select()
      .from(events)
      .where(and(...conditions))
      .orderBy(desc(events.createdAt), desc(events.id))
      .limit(q.limit);
  },
};
