import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { merchants, stores } from '../db/schema.ts';

export type MerchantRow = typeof merchants.$inferSelect;
export type StoreRow = typeof stores.$inferSelect;

export const networkRepository = {
  async merchantByKeyHash(db: Db, apiKeyHash: string): Promise<Pick<MerchantRow, 'id' | 'name' | 'defaultNotify'> | undefined> {
    const rows = await db
      .select({ id: merchants.id, name: merchants.name, defaultNotify: merchants.defaultNotify })
      .from(merchants)
      .where(eq(merchants.apiKeyHash, apiKeyHash))
      .limit(1);
    return rows[0];
  },

  /** Inserts unless the id exists; returns the row only when this call created it. */
  async insertMerchant(db: Db, row: typeof merchants.$inferInsert): Promise<MerchantRow | undefined> {
    const rows = await db.insert(merchants).values(row).onConflictDoNothing({ target: merchants.id }).returning();
    return rows[0];
  },

  /** Replaces a merchant's API key; returns the row, or undefined when there is no such merchant. */
  async setApiKeyHash(db: Db, id: string, apiKeyHash: string): Promise<MerchantRow | undefined> {
    const rows = await db.update(merchants).set({ apiKeyHash }).where(eq(merchants.id, id)).returning();
    return rows[0];
  },

  async merchants(db: Db): Promise<MerchantRow[]> {
    return db.select().from(merchants).orderBy(asc(merchants.createdAt), asc(merchants.id));
  },

  async insertStore(db: Db, row: typeof stores.$inferInsert): Promise<StoreRow | undefined> {
    const rows = await db.insert(stores).values(row).onConflictDoNothing({ target: stores.id }).returning();
    return rows[0];
  },

  async setFees(db: Db, id: string, fees: { feeBasisPoints?: number; feeFixed?: number }) {
    const set = Object.fromEntries(Object.entries(fees).filter(([, v]) => v !== undefined));
    return (await db.update(merchants).set(set).where(eq(merchants.id, id)).returning())[0];
  },

  async setDefaultNotify(db: Db, id: string, defaultNotify: Array<'email' | 'sms'>) {
    return (await db.update(merchants).set({ defaultNotify }).where(eq(merchants.id, id)).returning())[0];
  },

  async setCommission(db: Db, id: string, commissionBasisPoints: number) {
    return (await db.update(stores).set({ commissionBasisPoints }).where(eq(stores.id, id)).returning())[0];
  },

  async setPayoutCodeAbove(db: Db, id: string, payoutCodeAbove: number | null) {
    return (await db.update(stores).set({ payoutCodeAbove }).where(eq(stores.id, id)).returning())[0];
  },

  async stores(db: Db): Promise<StoreRow[]> {
    return db.select().from(stores).orderBy(asc(stores.createdAt), asc(stores.id));
  },
};

export async function merchantName(db: Db, id: string): Promise<string> {
  const rows = await db.select({ name: merchants.name }).from(merchants).where(eq(merchants.id, id)).limit(1);
  return rows[0]?.name ?? '';
}
