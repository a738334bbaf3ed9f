/**
 * The one Drizzle schema for PGlite and PostgreSQL. Migrations in drizzle/ are generated from it
 * (`npm run db:generate`). SQL stays within PostgreSQL 15 and avoids advisory locks and
 * LISTEN/NOTIFY so that a PostgreSQL-compatible distributed engine can take over (DESIGN §6).
 */
import { sql } from 'drizzle-orm';
import {
  bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Shops that create vouchers. The API key is stored as its SHA-256; the key itself is shown once. */
export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  apiKeyHash: text('api_key_hash').notNull().unique(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Physical stores whose tills collect payments. */
export const stores = pgTable('stores', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/**
 * Operator keys that sign voucher tokens. Exactly one key is current (signs_until and
 * withdrawn_at null), enforced by a partial unique index so that two processes starting at once
 * cannot both create one. A retired key keeps verifying until verify_until.
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: integer('kid').primaryKey().generatedAlwaysAsIdentity(),
    algorithm: text('algorithm').notNull().default('ES256'),
    publicJwk: jsonb('public_jwk').$type<{ kty: 'EC'; crv: 'P-256'; x: string; y: string }>().notNull(),
    /** `plain:<base64 PKCS#8>` or `aes-256-gcm:<iv>:<ciphertext>` (see signing-keys/key-vault.ts). */
    privateKey: text('private_key').notNull(),
    signsFrom: ts('signs_from').notNull().defaultNow(),
    signsUntil: ts('signs_until'),
    verifyUntil: ts('verify_until'),
    withdrawnAt: ts('withdrawn_at'),
  },
  (t) => [
    uniqueIndex('signing_keys_one_current').on(sql`(true)`).where(sql`${t.signsUntil} is null and ${t.withdrawnAt} is null`),
  ],
);

export interface VoucherItem {
  name: string;
  quantity: number;
  unit_amount: number;
}

/** Payment vouchers. `status` is the stored state; an open voucher past expires_at reads as expired. */
export const vouchers = pgTable(
  'vouchers',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    status: text('status', { enum: ['open', 'paid', 'expired', 'canceled'] }).notNull().default('open'),
    orderRef: text('order_ref').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    items: jsonb('items').$type<VoucherItem[]>().notNull(),
    description: text('description'),
    customer: jsonb('customer').$type<{ phone?: string; email?: string }>(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    reference: text('reference').notNull(),
    linkCode: text('link_code').notNull(),
    token: text('token').notNull(),
    kid: integer('kid').notNull().references(() => signingKeys.kid),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull(),
    paidAt: ts('paid_at'),
    canceledAt: ts('canceled_at'),
  },
  (t) => [
    uniqueIndex('vouchers_reference').on(t.reference),
    uniqueIndex('vouchers_link_code').on(t.linkCode),
    index('vouchers_merchant_newest').on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    check('vouchers_amount_positive', sql`${t.amount} > 0`),
    check('vouchers_status_known', sql`${t.status} in ('open', 'paid', 'expired', 'canceled')`),
  ],
);

/**
 * Idempotency-Key records per merchant (IETF draft "The Idempotency-Key HTTP Header Field").
 * `running` while the first request is in flight; `done` with the answer to replay.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull().references(() => merchants.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['running', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lockedAt: ts('locked_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);
