import { and, asc, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { oncePerDatabase, type Db } from '../db/client.ts';
import { apiKeys, merchants, stores } from '../db/schema.ts';

export type MerchantRow = typeof merchants.$inferSelect;
export type StoreRow = typeof stores.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** A live merchant's test-mode twin is `<live id>_test` (api/db/schema.ts, merchants). */
export const TEST_TWIN_SUFFIX = '_test';
export const testTwinId = (liveId: string) => `${liveId}${TEST_TWIN_SUFFIX}`;
/** The merchant id an object shows: the live merchant's, in either mode. */
export const liveMerchantId = (row: { merchantId: string; livemode: boolean }) => (row.livemode ? row.merchantId : row.merchantId.slice(0, -TEST_TWIN_SUFFIX.length));

/** The live merchant `id` and its twin, never a twin alone. */
const liveAndTwin = (id: string) => or(and(eq(merchants.id, id), isNull(merchants.testOf)), eq(merchants.testOf, id));
const liveOf = (rows: MerchantRow[], id: string) => rows.find((r) => r.id === id);

/**
 * Every merchant API request reads its key (a revoked key stops at once, so nothing caches it):
 * the statement is built once per database and prepared by name, so neither this process nor
 * PostgreSQL parses and plans it again for each request (docs/capacity.md).
 */
const keyByHashStatement = oncePerDatabase((db) =>
  db
    .select({ key: apiKeys, merchant: { id: merchants.id, name: merchants.name, defaultNotify: merchants.defaultNotify, testOf: merchants.testOf } })
    .from(apiKeys)
    .innerJoin(merchants, eq(merchants.id, sql`case when ${apiKeys.mode} = 'test' then ${apiKeys.merchantId} || ${TEST_TWIN_SUFFIX} else ${apiKeys.merchantId} end`))
    .where(eq(apiKeys.hash, sql.placeholder('hash')))
    .limit(1)
    .prepare('counterpay_api_key_by_hash'),
);

export const networkRepository = {
  /**
   * The key with this hash and the merchant it opens (for a test key, the live merchant's test-mode
   * twin), whatever the key's state (the caller says why it no longer works).
   */
  async keyByHash(db: Db, hash: string): Promise<{ key: ApiKeyRow; merchant: Pick<MerchantRow, 'id' | 'name' | 'defaultNotify' | 'testOf'> } | undefined> {
    return (await keyByHashStatement(db).execute({ hash }))[0];
  },

  /** A live merchant's test-mode twin. */
  async testTwin(db: Db, liveId: string): Promise<MerchantRow | undefined> {
    return (await db.select().from(merchants).where(eq(merchants.testOf, liveId)).limit(1))[0];
  },

  /** A live merchant (never a test-mode twin). */
  async liveMerchant(db: Db, id: string): Promise<MerchantRow | undefined> {
    return (
      await db
        .select()
        .from(merchants)
        .where(and(eq(merchants.id, id), isNull(merchants.testOf)))
        .limit(1)
    )[0];
  },

  /** The live merchant's test-mode twin, created the first time it is needed (same name, fees and delivery defaults). */
  async ensureTwin(db: Db, live: MerchantRow): Promise<void> {
    await db
      .insert(merchants)
      .values({ id: testTwinId(live.id), name: live.name, testOf: live.id, feeBasisPoints: live.feeBasisPoints, feeFixed: live.feeFixed, defaultNotify: live.defaultNotify })
      .onConflictDoNothing();
  },

  async insertMerchant(db: Db, row: typeof merchants.$inferInsert): Promise<MerchantRow | undefined> {
    const rows = await db.insert(merchants).values(row).onConflictDoNothing({ target: merchants.id }).returning();
    return rows[0];
  },

  async merchant(db: Db, id: string): Promise<MerchantRow | undefined> {
    return (await db.select().from(merchants).where(eq(merchants.id, id)).limit(1))[0];
  },

  async insertKey(db: Db, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
    return (await db.insert(apiKeys).values(row).returning())[0]!;
  },

  async key(db: Db, id: string): Promise<ApiKeyRow | undefined> {
    return (await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1))[0];
  },

  /** A merchant's keys, newest first. */
  async keysOf(db: Db, merchantId: string): Promise<ApiKeyRow[]> {
    return db.select().from(apiKeys).where(eq(apiKeys.merchantId, merchantId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  },

  /** Ends a key at `at` (a roll's overlap, or at once), unless it already ends sooner or was revoked. */
  async endKey(db: Db, id: string, at: Date): Promise<ApiKeyRow | undefined> {
    const rows = await db
      .update(apiKeys)
      .set({ expiresAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, at))))
      .returning();
    return rows[0];
  },

  async revokeKey(db: Db, id: string, at: Date): Promise<ApiKeyRow | undefined> {
    const rows = await db
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return rows[0];
  },

  /** Notes a key's use (the service calls it at most once a minute per key and process). */
  async touchKey(db: Db, id: string, at: Date): Promise<void> {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: at })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at))));
  },

  /** The live merchants (test-mode twins are never listed). */
  async merchants(db: Db): Promise<MerchantRow[]> {
    return db.select().from(merchants).where(isNull(merchants.testOf)).orderBy(asc(merchants.createdAt), asc(merchants.id));
  },

  async insertStore(db: Db, row: typeof stores.$inferInsert): Promise<StoreRow | undefined> {
    const rows = await db.insert(stores).values(row).onConflictDoNothing({ target: stores.id }).returning();
    return rows[0];
  },

  /** A live merchant's fees, and its test-mode twin's alike (test mode shows the same figures). */
  async setFees(db: Db, id: string, fees: { feeBasisPoints?: number; feeFixed?: number }) {
    const set = Object.fromEntries(Object.entries(fees).filter(([, v]) => v !== undefined));
    return liveOf(await db.update(merchants).set(set).where(liveAndTwin(id)).returning(), id);
  },

  async setDefaultNotify(db: Db, id: string, defaultNotify: Array<'email' | 'sms'>) {
    return liveOf(await db.update(merchants).set({ defaultNotify }).where(liveAndTwin(id)).returning(), id);
  },

  async setCommission(db: Db, id: string, commissionBasisPoints: number) {
    return (await db.update(stores).set({ commissionBasisPoints }).where(eq(stores.id, id)).returning())[0];
  },

  async setPayoutCodeAbove(db: Db, id: string, payoutCodeAbove: number | null) {
    return (await db.update(stores).set({ payoutCodeAbove }).where(eq(stores.id, id)).returning())[0];
  },

  /** The operator's stores (a test till's store is never listed). */
  async stores(db: Db): Promise<StoreRow[]> {
    return db.select().from(stores).where(isNull(stores.testMerchantId)).orderBy(asc(stores.createdAt), asc(stores.id));
  },
};

export async function merchantName(db: Db, id: string): Promise<string> {
  const rows = await db.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, id)).limit(1);
  return rows[0]?.name ?? '';
}
