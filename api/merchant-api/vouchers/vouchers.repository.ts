import { and, asc, desc, eq, getTableColumns, gt, gte, ilike, inArray, is, lt, lte, or, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { oncePerDatabase, type Db, type Tx } from '../../db/client.ts';
import { collections, events, outbox, refunds, vouchers, webhookEndpoints } from '../../db/schema.ts';
import type { VoucherStatus } from '../../../core/vouchers/voucher-status.ts';

export type VoucherRow = typeof vouchers.$inferSelect;

/** SQL for "reads as `status` at `now`" (an open voucher past its expiry reads as expired). */
function statusIs(status: VoucherStatus, now: Date) {
  switch (status) {
    case 'open':
      return and(eq(vouchers.status, 'open'), gt(vouchers.expiresAt, now));
    case 'expired':
      return or(eq(vouchers.status, 'expired'), and(eq(vouchers.status, 'open'), lte(vouchers.expiresAt, now)));
    default:
      return eq(vouchers.status, status);
  }
}

/**
 * Every column as the placeholder of its name, bound as the driver takes it: not through the
 * column's own mapping, which Drizzle applies to a placeholder even when its value is null (a
 * null timestamp throws, a null jsonb becomes JSON null). Both drivers take Dates, numbers,
 * strings, booleans and null as they are; jsonb values go as their JSON text (driverValues).
 */
const VOUCHER_COLUMNS = getTableColumns(vouchers);
const VOUCHER_PLACEHOLDERS = Object.fromEntries(Object.keys(VOUCHER_COLUMNS).map((k) => [k, sql`${sql.placeholder(k)}`])) as unknown as VoucherRow;
const JSON_COLUMNS = Object.entries(VOUCHER_COLUMNS)
  .filter(([, c]) => ['PgJsonb', 'PgJson'].includes(c.columnType as string))
  .map(([k]) => k as keyof VoucherRow);
const driverValues = (row: VoucherRow): Record<string, unknown> => {
  const values: Record<string, unknown> = { ...row };
  for (const k of JSON_COLUMNS) if (values[k] !== null) values[k] = JSON.stringify(values[k]);
  return values;
};
const insertQuery = (tx: Tx, row: VoucherRow) => tx.insert(vouchers).values(row).onConflictDoNothing().returning({ id: vouchers.id });
/**
 * Voucher creation is the API's busiest write: the insert is built once per database and prepared
 * by name, so neither this process nor PostgreSQL parses and plans it again for each voucher.
 */
const insertStatement = oncePerDatabase((db) => insertQuery(db, VOUCHER_PLACEHOLDERS).prepare('counterpay_voucher_insert'));

/**
 * A console search (ListVouchersQuery `q`): the order number exactly or by its beginning, the
 * reference (spaces and dashes dropped), or the shopper's e-mail (any case) or phone, exactly.
 */
function searchIs(text: string) {
  const q = text.trim();
  const digits = q.replace(/[\s-]/g, '');
  const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(
    eq(vouchers.orderRef, q),
    ilike(vouchers.orderRef, prefix),
    eq(vouchers.reference, digits),
    sql`lower(${vouchers.customer}->>'email') = ${q.toLowerCase()}`,
    sql`${vouchers.customer}->>'phone' = ${q}`,
  )!;
}

export const vouchersRepository = {
  /**
   * What happened to one of the merchant's vouchers, for its timeline: the messages to the shopper,
   * the tills' collections, the webhook deliveries of its events (and its refunds' events), and its
   * refunds. Each list oldest first.
   */
  async timelineFacts(db: Db, merchantId: string, voucherId: string) {
    const [messages, collected, deliveries, refundRows] = await Promise.all([
      db
        .select({
          kind: outbox.kind,
          refundId: outbox.refundId,
          createdAt: outbox.createdAt,
          deliveredAt: outbox.deliveredAt,
          gaveUpAt: outbox.gaveUpAt,
          attempts: outbox.attempts,
          lastError: outbox.lastError,
        })
        .from(outbox)
        .where(and(eq(outbox.merchantId, merchantId), eq(outbox.voucherId, voucherId), inArray(outbox.kind, ['email', 'sms', 'push'])))
        .orderBy(asc(outbox.createdAt)),
      db
        .select({
          collectedAt: collections.collectedAt,
          outcome: collections.outcome,
          storeId: collections.storeId,
          deviceId: collections.deviceId,
          amount: collections.amount,
          detail: collections.detail,
        })
        .from(collections)
        .where(eq(collections.voucherId, voucherId))
        .orderBy(asc(collections.collectedAt)),
      db
        .select({
          id: outbox.id,
          createdAt: outbox.createdAt,
          deliveredAt: outbox.deliveredAt,
          gaveUpAt: outbox.gaveUpAt,
          attempts: outbox.attempts,
          lastStatus: outbox.lastStatus,
          lastError: outbox.lastError,
          type: events.type,
          url: webhookEndpoints.url,
        })
        .from(outbox)
        .innerJoin(events, eq(events.id, outbox.eventId))
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, outbox.endpointId))
        .where(
          and(
            eq(outbox.kind, 'webhook'),
            eq(events.merchantId, merchantId),
            or(sql`${events.data}->'object'->>'id' = ${voucherId}`, sql`${events.data}->'object'->>'voucher_id' = ${voucherId}`),
          ),
        )
        .orderBy(asc(outbox.createdAt)),
      db
        .select()
        .from(refunds)
        .where(and(eq(refunds.merchantId, merchantId), eq(refunds.voucherId, voucherId)))
        .orderBy(asc(refunds.createdAt)),
    ]);
    return { messages, collected, deliveries, refunds: refundRows };
  },

  /**
   * Inserts unless any unique key (id, reference, link code) is taken; true when inserted.
   * Only the id comes back: the caller already holds every value it wrote.
   */
  async insert(tx: Tx, row: VoucherRow): Promise<boolean> {
    // Outside a transaction (a plain create), the statement prepared once; inside one, built on it.
    const rows = is(tx, PgTransaction) ? await insertQuery(tx, row) : await insertStatement(tx).execute(driverValues(row));
    return rows.length === 1;
  },

  async byId(db: Db, merchantId: string, id: string): Promise<VoucherRow | undefined> {
    const rows = await db
      .select()
      .from(vouchers)
      .where(and(eq(vouchers.id, id), eq(vouchers.merchantId, merchantId)))
      .limit(1);
    return rows[0];
  },

  /** Newest first; keyset pagination on (created_at, id) after the cursor voucher. */
  async list(
    db: Db,
    merchantId: string,
    q: { status?: VoucherStatus; limit: number; after?: VoucherRow; now: Date; search?: string; createdFrom?: Date; createdBefore?: Date },
  ): Promise<VoucherRow[]> {
    const conditions = [eq(vouchers.merchantId, merchantId)];
    if (q.status) conditions.push(statusIs(q.status, q.now)!);
    if (q.search !== undefined) conditions.push(searchIs(q.search));
    if (q.createdFrom) conditions.push(gte(vouchers.createdAt, q.createdFrom));
    if (q.createdBefore) conditions.push(lt(vouchers.createdAt, q.createdBefore));
    if (q.after) conditions.push(sql`(${vouchers.createdAt}, ${vouchers.id}) < (${q.after.createdAt}, ${q.after.id})`);
    return db
      .select()
      .from(vouchers)
      .where(and(...conditions))
      .orderBy(desc(vouchers.createdAt), desc(vouchers.id))
      .limit(q.limit);
  },

  /** The race-free cancel: only a row that is open and unexpired at `now` changes. */
  async cancel(tx: Tx, merchantId: string, id: string, now: Date): Promise<VoucherRow | undefined> {
    const rows = await tx
      .update(vouchers)
      .set({ status: 'canceled', canceledAt: now, statusChangedAt: now })
      .where(and(eq(vouchers.id, id), eq(vouchers.merchantId, merchantId), eq(vouchers.status, 'open'), gt(vouchers.expiresAt, now)))
      .returning();
    return rows[0];
  },

  async byLinkCode(db: Db, code: string): Promise<VoucherRow | undefined> {
    const rows = await db.select().from(vouchers).where(eq(vouchers.linkCode, code)).limit(1);
    return rows[0];
  },

  async byReference(db: Db, reference: string): Promise<VoucherRow | undefined> {
    const rows = await db.select().from(vouchers).where(eq(vouchers.reference, reference)).limit(1);
    return rows[0];
  },

  async byIds(db: Db, ids: string[]): Promise<VoucherRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(vouchers).where(inArray(vouchers.id, ids));
  },
};
