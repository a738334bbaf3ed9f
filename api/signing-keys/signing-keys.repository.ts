import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { signingKeys } from '../db/schema.ts';

export type SigningKeyRow = typeof signingKeys.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const isCurrent = and(isNull(signingKeys.signsUntil), isNull(signingKeys.withdrawnAt));

export const signingKeysRepository = {
  async current(db: Db | Tx): Promise<SigningKeyRow | undefined> {
    const rows = await db.select().from(signingKeys).where(isCurrent).limit(1);
    return rows[0];
  },

  async all(db: Db): Promise<SigningKeyRow[]> {
    return db.select().from(signingKeys).orderBy(desc(signingKeys.kid));
  },

  async byKid(db: Db | Tx, kid: number): Promise<SigningKeyRow | undefined> {
    const rows = await db.select().from(signingKeys).where(eq(signingKeys.kid, kid)).limit(1);
    return rows[0];
  },

  async insertCurrent(db: Db | Tx, key: { publicJwk: SigningKeyRow['publicJwk']; privateKey: string; now: Date }): Promise<SigningKeyRow> {
    const [row] = await db.insert(signingKeys).values({ publicJwk: key.publicJwk, privateKey: key.privateKey, signsFrom: key.now }).returning();
    return row!;
  },

  /** Ends the current key's signing window; returns the retired row, if there was a current key. */
  async retireCurrent(tx: Tx, now: Date, verifyUntil: Date): Promise<SigningKeyRow | undefined> {
    const rows = await tx.update(signingKeys).set({ signsUntil: now, verifyUntil }).where(isCurrent).returning();
    return rows[0];
  },

  async withdraw(tx: Tx, kid: number, now: Date): Promise<SigningKeyRow | undefined> {
    const rows = await tx
      .update(signingKeys)
      .set({ withdrawnAt: now, signsUntil: sql`coalesce(${signingKeys.signsUntil}, ${now})`, verifyUntil: now })
      .where(and(eq(signingKeys.kid, kid), isNull(signingKeys.withdrawnAt)))
      .returning();
    return rows[0];
  },
};
