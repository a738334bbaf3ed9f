import { and, count, desc, eq, gt, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { events, merchants, outbox, webhookEndpoints } from '../db/schema.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof outbox.$inferSelect;

export const webhooksRepository = {
  async merchantExists(db: Db, id: string): Promise<boolean> {
    return (await db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, id)).limit(1)).length > 0;
  },

  async insertEndpoint(db: Db, row: typeof webhookEndpoints.$inferInsert): Promise<EndpointRow> {
    const [inserted] = await db.insert(webhookEndpoints).values(row).returning();
    return inserted!;
  },

  /** A merchant's endpoints, newest first. */
  async endpoints(db: Db, merchantId: string): Promise<EndpointRow[]> {
    return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.merchantId, merchantId)).orderBy(desc(webhookEndpoints.createdAt));
  },

  /** The endpoint, if it is the merchant's. */
  async endpoint(db: Db, merchantId: string, id: string): Promise<EndpointRow | undefined> {
    return (
      await db
        .select()
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, merchantId)))
        .limit(1)
    )[0];
  },

  async disable(db: Db, id: string): Promise<EndpointRow | undefined> {
    return (await db.update(webhookEndpoints).set({ status: 'disabled' }).where(eq(webhookEndpoints.id, id)).returning())[0];
  },

  async setSecrets(db: Db, id: string, secrets: Pick<EndpointRow, 'secret' | 'previousSecret' | 'previousSecretUntil'>): Promise<void> {
    await db.update(webhookEndpoints).set(secrets).where(eq(webhookEndpoints.id, id));
  },

  /** The endpoint's deliveries, newest first, each with its event's type. */
  async deliveries(db: Db, endpointId: string, limit: number): Promise<Array<{ d: DeliveryRow; type: string }>> {
    return db
      .select({ d: outbox, type: events.type })
      .from(outbox)
      .innerJoin(events, eq(events.id, outbox.eventId))
      .where(eq(outbox.endpointId, endpointId))
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(limit);
  },

  /** A webhook delivery of the merchant's. */
  async delivery(db: Db, merchantId: string, id: string): Promise<DeliveryRow | undefined> {
    return (
      await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.id, id), eq(outbox.merchantId, merchantId), eq(outbox.kind, 'webhook')))
        .limit(1)
    )[0];
  },

  /** How many redeliveries to the endpoint were asked for after `since`. */
  async redeliveriesSince(db: Db, endpointId: string, since: Date): Promise<number> {
    const [recent] = await db
      .select({ n: count() })
      .from(outbox)
      .where(and(eq(outbox.endpointId, endpointId), isNotNull(outbox.redeliveryOf), gt(outbox.createdAt, since)));
    return recent?.n ?? 0;
  },

  async insertDelivery(db: Db, row: typeof outbox.$inferInsert): Promise<void> {
    await db.insert(outbox).values(row);
  },
};
