/** Shift closes (the Z report) as tills send them, and what operators read of them. */
import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { SignedShiftClose } from '../../core/contract/till.ts';
import type { Db } from '../db/client.ts';
import { devices, shiftCloses, stores } from '../db/schema.ts';

export type ShiftCloseRow = typeof shiftCloses.$inferSelect;

/** Why a shift close's own figures do not add up, or null when they do (the till computes them; the server checks). */
export function shiftCloseProblem(r: SignedShiftClose): string | null {
  const cash = r.collections.filter((l) => l.tender === 'cash').reduce((sum, l) => sum + l.total, 0);
  const expected = r.opening_float + cash - r.payouts.total;
  if (r.expected_cash !== expected)
    return `expected_cash is ${r.expected_cash} but opening float ${r.opening_float} + cash collected ${cash} − paid out ${r.payouts.total} is ${expected}`;
  if (r.difference !== r.counted_cash - r.expected_cash)
    return `difference is ${r.difference} but counted ${r.counted_cash} − expected ${r.expected_cash} is ${r.counted_cash - r.expected_cash}`;
  if ((r.first_seq === null) !== (r.last_seq === null) || (r.first_seq !== null && r.last_seq !== null && r.first_seq > r.last_seq))
    return `first_seq ${r.first_seq} and last_seq ${r.last_seq} are not a range`;
  return null;
}

export const shiftClosesRepository = {
  async insert(db: Db, row: ShiftCloseRow): Promise<boolean> {
    return (await db.insert(shiftCloses).values(row).onConflictDoNothing({ target: shiftCloses.id }).returning({ id: shiftCloses.id })).length === 1;
  },

  async byIds(db: Db, ids: string[]): Promise<ShiftCloseRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(shiftCloses).where(inArray(shiftCloses.id, ids));
  },

  /** A device's shift closes at these sequence numbers (they share the chain with its other records). */
  async chain(db: Db, deviceId: string, seqs: number[]): Promise<Array<{ seq: number; hash: string; at: Date }>> {
    if (seqs.length === 0) return [];
    return db
      .select({ seq: shiftCloses.seq, hash: shiftCloses.hash, at: shiftCloses.closedAt })
      .from(shiftCloses)
      .where(and(eq(shiftCloses.deviceId, deviceId), inArray(shiftCloses.seq, seqs)));
  },

  /** Accepted closes in [from, to), optionally of one store, oldest first, with their store and till names. */
  async closedBetween(db: Db, q: { from: Date; to: Date; storeId?: string }) {
    const conditions = [gte(shiftCloses.closedAt, q.from), lt(shiftCloses.closedAt, q.to)];
    if (q.storeId) conditions.push(eq(shiftCloses.storeId, q.storeId));
    return db
      .select({ close: shiftCloses, storeName: stores.name, tillName: devices.name })
      .from(shiftCloses)
      .innerJoin(stores, eq(stores.id, shiftCloses.storeId))
      .innerJoin(devices, eq(devices.id, shiftCloses.deviceId))
      .where(and(...conditions))
      .orderBy(asc(shiftCloses.closedAt), asc(shiftCloses.id));
  },
};
