import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { collections, devices, enrolmentCodes, stores } from '../db/schema.ts';

export type DeviceRow = typeof devices.$inferSelect;
export type StoreRow = typeof stores.$inferSelect;

export const devicesRepository = {
  async store(db: Db, id: string): Promise<StoreRow | undefined> {
    return (await db.select().from(stores).where(eq(stores.id, id)).limit(1))[0];
  },

  async insertCode(db: Db, row: typeof enrolmentCodes.$inferInsert): Promise<void> {
    await db.insert(enrolmentCodes).values(row);
  },

  /** Uses the code and creates the device in one transaction: a code enrols at most one till. */
  async enrol(db: Db, codeHash: string, now: Date, device: Omit<typeof devices.$inferInsert, 'storeId'>): Promise<DeviceRow | undefined> {
    return db.transaction(async (tx) => {
      const used = await tx
        .update(enrolmentCodes)
        .set({ usedAt: now, deviceId: device.id })
        .where(and(eq(enrolmentCodes.codeHash, codeHash), isNull(enrolmentCodes.usedAt), gt(enrolmentCodes.expiresAt, now)))
        .returning({ storeId: enrolmentCodes.storeId });
      if (used.length === 0) return undefined;
      const [row] = await tx
        .insert(devices)
        .values({ ...device, storeId: used[0]!.storeId })
        .returning();
      return row;
    });
  },

  /** Whether the store has a code that is neither used nor expired. */
  async hasUnusedCode(db: Db, storeId: string, now: Date): Promise<boolean> {
    const rows = await db
      .select({ hash: enrolmentCodes.codeHash })
      .from(enrolmentCodes)
      .where(and(eq(enrolmentCodes.storeId, storeId), isNull(enrolmentCodes.usedAt), gt(enrolmentCodes.expiresAt, now)))
      .limit(1);
    return rows.length > 0;
  },

  async byCredential(db: Db, credentialHash: string): Promise<DeviceRow | undefined> {
    return (await db.select().from(devices).where(eq(devices.credentialHash, credentialHash)).limit(1))[0];
  },

  async byId(db: Db, id: string): Promise<DeviceRow | undefined> {
    return (await db.select().from(devices).where(eq(devices.id, id)).limit(1))[0];
  },

  async touch(db: Db, id: string, now: Date): Promise<void> {
    await db.update(devices).set({ lastSeenAt: now }).where(eq(devices.id, id));
  },

  async revoke(db: Db, id: string, now: Date): Promise<DeviceRow | undefined> {
    return (
      await db
        .update(devices)
        .set({ revokedAt: now })
        .where(and(eq(devices.id, id), isNull(devices.revokedAt)))
        .returning()
    )[0];
  },

  /**
   * Devices with journal health derived from their collections (never kept as counters):
   * a gap is a sequence number below the highest that never arrived; a reused number means the
   * journal restarted or forked; chain breaks are records whose prev_hash did not match. The
   * built-in test tills are not listed.
   */
  async listWithHealth(db: Db) {
    return db
      .select({
        id: devices.id,
        storeId: devices.storeId,
        name: devices.name,
        enrolledAt: devices.enrolledAt,
        revokedAt: devices.revokedAt,
        lastSeenAt: devices.lastSeenAt,
        collections: sql<number>`count(${collections.id})::int`,
        maxSeq: sql<number>`coalesce(max(${collections.seq}), 0)::int`,
        distinctSeqs: sql<number>`count(distinct ${collections.seq})::int`,
        chainBreaks: sql<number>`count(*) filter (where ${collections.flags} @> '["chain_mismatch"]')::int`,
        rejected: sql<number>`count(*) filter (where ${collections.outcome} = 'rejected')::int`,
      })
      .from(devices)
      .innerJoin(stores, and(eq(stores.id, devices.storeId), isNull(stores.testMerchantId)))
      .leftJoin(collections, eq(collections.deviceId, devices.id))
      .groupBy(devices.id)
      .orderBy(asc(devices.enrolledAt), asc(devices.id));
  },

  async setLimits(db: Db, storeId: string, limits: Partial<Pick<StoreRow, 'maxVoucherAmount' | 'maxUnsyncedTotal' | 'maxUnsyncedCount' | 'maxOfflineSeconds' | 'currency'>>) {
    return (await db.update(stores).set(limits).where(eq(stores.id, storeId)).returning())[0];
  },
};
