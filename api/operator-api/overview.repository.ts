/** The operator's overview (docs/console.md): today's money and what needs attention, live data only. */
import { and, count, eq, gte, isNotNull, isNull, lt, sql, sum } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { collections, devices, merchants, refunds, stores, webhookEndpoints } from '../db/schema.ts';

export const overviewRepository = {
  /** Accepted collections at live stores received in [from, to), per currency (and per UTC day when `byDay`). */
  async collections(db: Db, from: Date, to: Date) {
    const day = sql<string>`to_char(${collections.receivedAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    return db
      .select({ day, currency: collections.currency, count: count(), amount: sum(collections.amount).mapWith(Number) })
      .from(collections)
      .innerJoin(stores, eq(stores.id, collections.storeId))
      .where(and(eq(collections.outcome, 'accepted'), isNull(stores.testMerchantId), gte(collections.receivedAt, from), lt(collections.receivedAt, to)))
      .groupBy(day, collections.currency)
      .orderBy(day, collections.currency);
  },

  /** Live refunds paid out in [from, to), per currency. */
  async refundsPaid(db: Db, from: Date, to: Date) {
    return db
      .select({ currency: refunds.currency, count: count(), amount: sum(refunds.amount).mapWith(Number) })
      .from(refunds)
      .where(and(eq(refunds.livemode, true), isNotNull(refunds.paidAt), gte(refunds.paidAt, from), lt(refunds.paidAt, to)))
      .groupBy(refunds.currency)
      .orderBy(refunds.currency);
  },

  /**
   * Active tills at live stores that have not synced within their store's offline lease (or never
   * since they enrolled that long ago): their cash is out of sight.
   */
  async tillsPastLease(db: Db, now: Date) {
    const seen = sql`coalesce(${devices.lastSeenAt}, ${devices.enrolledAt})`;
    return db
      .select({ id: devices.id, name: devices.name, storeId: devices.storeId, storeName: stores.name, lastSeenAt: devices.lastSeenAt })
      .from(devices)
      .innerJoin(stores, eq(stores.id, devices.storeId))
      .where(and(isNull(devices.revokedAt), isNull(stores.testMerchantId), sql`${seen} + make_interval(secs => ${stores.maxOfflineSeconds}) < ${now}`))
      .orderBy(devices.lastSeenAt);
  },

  /** Live merchants' endpoints whose deliveries keep failing. */
  async failingEndpoints(db: Db) {
    return db
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, merchantId: webhookEndpoints.merchantId, merchantName: merchants.name })
      .from(webhookEndpoints)
      .innerJoin(merchants, eq(merchants.id, webhookEndpoints.merchantId))
      .where(and(eq(webhookEndpoints.status, 'failing'), isNull(merchants.testOf)))
      .orderBy(merchants.name);
  },
};
