/**
 * Test-mode data is kept for 30 days (docs/test-mode.md): the worker deletes test vouchers older
 * than that with everything hanging off them (collections, refunds, payouts and their grants,
 * messages), test-mode events of that age with their deliveries, and the test tills that signed
 * nothing still kept. Live data is never touched: every statement is bounded by `livemode = false`
 * or by a test store or a test-mode merchant.
 */
import { and, inArray, isNotNull, lt, notExists, or, sql } from 'drizzle-orm';
import { EVENT_RETENTION_DAYS } from '../../core/contract/webhooks.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { collections, devices, events, merchants, outbox, payoutAuthorizations, payouts, refunds, reviewDecisions, shiftCloses, stores, vouchers } from '../db/schema.ts';

export const TEST_DATA_RETENTION_DAYS = 30;
/** Vouchers per transaction: a backlog is worked off a batch at a time, pass after pass. */
const BATCH = 200;
/** How often a process sweeps (the project clock): the worker asks on every pass. */
const SWEEP_EVERY_MS = 10 * 60_000;

export class TestData {
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The worker's pass: at most every ten minutes, a sweep until nothing old is left. Returns how many vouchers went. */
  async sweepIfDue(): Promise<number> {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return 0;
    this.lastSweep = now;
    let total = 0;
    for (;;) {
      const n = await this.sweep();
      total += n;
      if (n < BATCH) return total;
    }
  }

  /** Deletes one batch of test data older than 30 days; returns how many vouchers it deleted. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - TEST_DATA_RETENTION_DAYS * 86_400_000);
    const eventCutoff = new Date(this.clock.now().getTime() - EVENT_RETENTION_DAYS * 86_400_000);
    return this.db.transaction(async (tx) => {
      const doomed = (
        await tx
          .select({ id: vouchers.id })
          .from(vouchers)
          .where(and(sql`not ${vouchers.livemode}`, lt(vouchers.createdAt, cutoff)))
          .orderBy(vouchers.createdAt)
          .limit(BATCH)
          .for('update', { skipLocked: true })
      ).map((r) => r.id);
      if (doomed.length > 0) await deleteVouchers(tx, doomed);
      await deleteOldTestEvents(tx, eventCutoff);
      await deleteIdleTestTills(tx, cutoff);
      return doomed.length;
    });
  }
}

/** Test vouchers and everything that refers to them, children first. */
async function deleteVouchers(tx: Tx, ids: string[]): Promise<void> {
  const refundIds = (await tx.select({ id: refunds.id }).from(refunds).where(inArray(refunds.voucherId, ids))).map((r) => r.id);
  const collectionIds = (await tx.select({ id: collections.id }).from(collections).where(inArray(collections.voucherId, ids))).map((r) => r.id);
  const anyOf = <T>(column: Parameters<typeof inArray>[0], values: T[]) => (values.length > 0 ? inArray(column, values) : sql`false`);
  await tx.delete(outbox).where(or(inArray(outbox.voucherId, ids), anyOf(outbox.refundId, refundIds)));
  await tx.delete(reviewDecisions).where(or(anyOf(reviewDecisions.collectionId, collectionIds), anyOf(reviewDecisions.refundId, refundIds)));
  if (refundIds.length > 0) {
    await tx.delete(payouts).where(inArray(payouts.refundId, refundIds));
    await tx.delete(payoutAuthorizations).where(inArray(payoutAuthorizations.refundId, refundIds));
    await tx.delete(refunds).where(inArray(refunds.id, refundIds));
  }
  if (collectionIds.length > 0) await tx.delete(collections).where(inArray(collections.id, collectionIds));
  await tx.delete(vouchers).where(and(inArray(vouchers.id, ids), sql`not ${vouchers.livemode}`));
}

/** Test-mode merchants' events past the events' retention, with their deliveries. */
async function deleteOldTestEvents(tx: Tx, cutoff: Date): Promise<void> {
  const old = tx
    .select({ id: events.id })
    .from(events)
    .where(and(lt(events.createdAt, cutoff), inArray(events.merchantId, tx.select({ id: merchants.id }).from(merchants).where(isNotNull(merchants.testOf)))));
  await tx.delete(outbox).where(inArray(outbox.eventId, old));
  await tx.delete(events).where(and(lt(events.createdAt, cutoff), inArray(events.merchantId, tx.select({ id: merchants.id }).from(merchants).where(isNotNull(merchants.testOf)))));
}

/** The test tills (one per helper call) enrolled before the cutoff that no kept record names any more. */
async function deleteIdleTestTills(tx: Tx, cutoff: Date): Promise<void> {
  const refersTo = (table: typeof collections | typeof payouts | typeof payoutAuthorizations | typeof shiftCloses) =>
    notExists(tx.select({ one: sql`1` }).from(table).where(sql`${table.deviceId} = ${devices.id}`));
  await tx
    .delete(devices)
    .where(
      and(
        lt(devices.enrolledAt, cutoff),
        inArray(devices.storeId, tx.select({ id: stores.id }).from(stores).where(isNotNull(stores.testMerchantId))),
        refersTo(collections),
        refersTo(payouts),
        refersTo(payoutAuthorizations),
        refersTo(shiftCloses),
      ),
    );
}
