/** The console's SQL: users and their memberships, sign-in links, passkeys, sessions, the audit log. */
import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { auditLog, consoleSessions, memberships, merchants, passkeys, signInLinks, users, webauthnChallenges, type ConsoleRole } from '../db/schema.ts';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof consoleSessions.$inferSelect;
export type PasskeyRow = typeof passkeys.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

export interface MembershipView {
  merchantId: string;
  merchantName: string;
  role: ConsoleRole;
}

export const consoleRepository = {
  async userByEmail(db: Tx, email: string): Promise<UserRow | undefined> {
    return (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  },

  async userById(db: Tx, id: string): Promise<UserRow | undefined> {
    return (await db.select().from(users).where(eq(users.id, id)).limit(1))[0];
  },

  /** Inserts the user unless one has this e-mail; returns the row either way. */
  async insertUser(db: Tx, row: typeof users.$inferInsert): Promise<{ user: UserRow; created: boolean }> {
    const [inserted] = await db.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning();
    if (inserted) return { user: inserted, created: true };
    return { user: (await consoleRepository.userByEmail(db, row.email))!, created: false };
  },

  async setOperator(db: Tx, userId: string, operator: boolean): Promise<void> {
    await db.update(users).set({ operator }).where(eq(users.id, userId));
  },

  async listUsers(db: Db): Promise<UserRow[]> {
    return db.select().from(users).orderBy(users.email);
  },

  async memberships(db: Tx, userId: string): Promise<MembershipView[]> {
    return db
      .select({ merchantId: memberships.merchantId, merchantName: merchants.name, role: memberships.role })
      .from(memberships)
      .innerJoin(merchants, eq(merchants.id, memberships.merchantId))
      .where(eq(memberships.userId, userId))
      .orderBy(merchants.name);
  },

  async membership(db: Tx, userId: string, merchantId: string): Promise<ConsoleRole | undefined> {
    return (
      await db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.userId, userId), eq(memberships.merchantId, merchantId)))
        .limit(1)
    )[0]?.role;
  },

  /** Sets the user's role at the merchant, making the membership if there is none. */
  async upsertMembership(db: Tx, row: typeof memberships.$inferInsert): Promise<void> {
    await db
      .insert(memberships)
      .values(row)
      .onConflictDoUpdate({ target: [memberships.userId, memberships.merchantId], set: { role: row.role } });
  },

  async merchantMembers(db: Db, merchantId: string): Promise<{ userId: string; email: string; role: ConsoleRole; createdAt: Date }[]> {
    return db
      .select({ userId: users.id, email: users.email, role: memberships.role, createdAt: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.merchantId, merchantId))
      .orderBy(users.email);
  },

  async insertSignInLink(db: Tx, row: typeof signInLinks.$inferInsert): Promise<void> {
    await db.insert(signInLinks).values(row);
  },

  /** Marks the link used if it is unused and unexpired, in one guarded statement: a link signs in once, however many tabs race. */
  async useSignInLink(db: Tx, hash: string, now: Date): Promise<string | undefined> {
    const [row] = await db
      .update(signInLinks)
      .set({ usedAt: now })
      .where(and(eq(signInLinks.hash, hash), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)))
      .returning({ userId: signInLinks.userId });
    return row?.userId;
  },

  async signInLink(db: Tx, hash: string) {
    return (await db.select().from(signInLinks).where(eq(signInLinks.hash, hash)).limit(1))[0];
  },

  async insertChallenge(db: Tx, row: typeof webauthnChallenges.$inferInsert): Promise<void> {
    await db.insert(webauthnChallenges).values(row);
  },

  /** Takes a challenge once: the row is marked used by the statement that reads it. */
  async useChallenge(db: Tx, id: string, purpose: 'register' | 'sign-in', now: Date) {
    const [row] = await db
      .update(webauthnChallenges)
      .set({ usedAt: now })
      .where(and(eq(webauthnChallenges.id, id), eq(webauthnChallenges.purpose, purpose), isNull(webauthnChallenges.usedAt), gt(webauthnChallenges.expiresAt, now)))
      .returning();
    return row;
  },

  async passkeysOf(db: Tx, userId: string): Promise<PasskeyRow[]> {
    return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(passkeys.createdAt);
  },

  async passkey(db: Tx, id: string): Promise<PasskeyRow | undefined> {
    return (await db.select().from(passkeys).where(eq(passkeys.id, id)).limit(1))[0];
  },

  async insertPasskey(db: Tx, row: typeof passkeys.$inferInsert): Promise<boolean> {
    return (await db.insert(passkeys).values(row).onConflictDoNothing().returning({ id: passkeys.id })).length === 1;
  },

  /**
   * Moves the signature counter forward, guarded by the value read: two sign-ins racing with one
   * assertion cannot both succeed (a counter of 0 means the authenticator keeps none).
   */
  async advancePasskey(db: Tx, id: string, seen: number, counter: number, now: Date): Promise<boolean> {
    const rows = await db
      .update(passkeys)
      .set({ counter, lastUsedAt: now })
      .where(and(eq(passkeys.id, id), eq(passkeys.counter, seen)))
      .returning({ id: passkeys.id });
    return rows.length === 1;
  },

  async insertSession(db: Tx, row: typeof consoleSessions.$inferInsert): Promise<void> {
    await db.insert(consoleSessions).values(row);
  },

  async sessionByHash(db: Tx, hash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    return (
      await db
        .select({ session: consoleSessions, user: users })
        .from(consoleSessions)
        .innerJoin(users, eq(users.id, consoleSessions.userId))
        .where(eq(consoleSessions.hash, hash))
        .limit(1)
    )[0];
  },

  async touchSession(db: Tx, id: string, now: Date): Promise<void> {
    await db
      .update(consoleSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)));
  },

  async endSession(db: Tx, id: string, now: Date): Promise<void> {
    await db
      .update(consoleSessions)
      .set({ endedAt: now })
      .where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)));
  },

  /** Deletes what can no longer be used: links and challenges past their expiry, sessions ended or expired a day ago. */
  async sweep(db: Db, now: Date): Promise<number> {
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const links = await db
      .delete(signInLinks)
      .where(or(lt(signInLinks.expiresAt, now), lt(signInLinks.usedAt, dayAgo)))
      .returning({ hash: signInLinks.hash });
    const challenges = await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now)).returning({ id: webauthnChallenges.id });
    const sessions = await db
      .delete(consoleSessions)
      .where(or(lt(consoleSessions.expiresAt, dayAgo), lt(consoleSessions.endedAt, dayAgo)))
      .returning({ id: consoleSessions.id });
    return links.length + challenges.length + sessions.length;
  },

  async insertAudit(db: Tx, row: typeof auditLog.$inferInsert): Promise<void> {
    await db.insert(auditLog).values(row);
  },

  async finishAudit(db: Tx, id: string, outcome: 'succeeded' | 'failed', result: string, target: string | null): Promise<void> {
    await db
      .update(auditLog)
      .set({ outcome, result, ...(target ? { target } : {}) })
      .where(and(eq(auditLog.id, id), eq(auditLog.outcome, 'started')));
  },

  /** Newest first, a page after the cursor (`at`, then id, both descending). */
  async auditPage(db: Db, filter: { merchantId?: string; limit: number; before?: { at: Date; id: string } }): Promise<AuditRow[]> {
    const conditions = [
      filter.merchantId ? eq(auditLog.merchantId, filter.merchantId) : undefined,
      filter.before ? sql`(${auditLog.at}, ${auditLog.id}) < (${filter.before.at}, ${filter.before.id})` : undefined,
    ].filter((c) => c !== undefined);
    return db
      .select()
      .from(auditLog)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(filter.limit);
  },

  async auditEntry(db: Db, id: string): Promise<AuditRow | undefined> {
    return (await db.select().from(auditLog).where(eq(auditLog.id, id)).limit(1))[0];
  },
};
