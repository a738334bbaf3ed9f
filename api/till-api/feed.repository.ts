import { and, asc, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { vouchers } from '../db/schema.ts';

export const feedRepository = {
  /**
   * Vouchers paid or canceled after the cursor (status_changed_at, id) and not yet expired at
   * `now`, in cursor order, at most `limit`.
   */
  async changesSince(db: Db, after: { at: Date; id: string }, now: Date, limit: number) {
    return db
      .select({ id: vouchers.id, status: vouchers.status, changedAt: vouchers.statusChangedAt })
      .from(vouchers)
      .where(
        and(
          isNotNull(vouchers.statusChangedAt),
          sql`(${vouchers.statusChangedAt}, ${vouchers.id}) > (${after.at}, ${after.id})`,
          inArray(vouchers.status, ['paid', 'canceled']),
          gt(vouchers.expiresAt, now),
        ),
      )
      .orderBy(asc(vouchers.statusChangedAt), asc(vouchers.id))
      .limit(limit);
  },
};
