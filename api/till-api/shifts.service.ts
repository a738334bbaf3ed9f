/**
 * What operators read of the tills' drawers: every shift close (Z report) of a day, and the cash
 * differences per store (docs/refunds.md, "The cash drawer"). Read-only: a close moves no money.
 */
import type { Db } from '../db/client.ts';
import { businessDayStart } from '../ledger/business-date.ts';
import { shiftClosesRepository } from './shift-closes.repository.ts';

export class ShiftsService {
  constructor(private readonly db: Db) {}

  /** The shift closes of one UTC day (optionally one store), and per store and currency the sum of their differences. */
  async day(date: string, storeId?: string) {
    const from = businessDayStart(date);
    const rows = await shiftClosesRepository.closedBetween(this.db, { from, to: new Date(from.getTime() + 86_400_000), storeId });
    const data = rows.map(({ close: c, storeName, tillName }) => ({
      id: c.id,
      store_id: c.storeId,
      store_name: storeName,
      till_id: c.deviceId,
      till_name: tillName,
      opened_at: c.openedAt.toISOString(),
      closed_at: c.closedAt.toISOString(),
      currency: c.currency,
      collections: c.collections,
      payouts: { count: c.payoutCount, total: c.payoutTotal },
      opening_float: c.openingFloat,
      expected_cash: c.expectedCash,
      counted_cash: c.countedCash,
      difference: c.difference,
      outcome: c.outcome,
      detail: c.detail,
    }));
    const byStore = new Map<string, { store_id: string; store_name: string; currency: string; closes: number; difference: number }>();
    for (const d of data) {
      if (d.outcome !== 'accepted') continue;
      const key = `${d.store_id}|${d.currency}`;
      const s = byStore.get(key) ?? { store_id: d.store_id, store_name: d.store_name, currency: d.currency, closes: 0, difference: 0 };
      s.closes += 1;
      s.difference += d.difference;
      byStore.set(key, s);
    }
    return { object: 'shift_day' as const, date, data, stores: [...byStore.values()] };
  }
}
