/**
 * The one Drizzle schema for PGlite and PostgreSQL. Migrations in drizzle/ are generated from it
 * (`npm run db:generate`). SQL stays within PostgreSQL 15 and avoids advisory locks and
 * LISTEN/NOTIFY so that a PostgreSQL-compatible distributed engine can take over (docs/architecture.md §6).
 */
import { sql } from 'drizzle-orm';
import { TENDERS } from '../../core/collections/collection-record.ts';
import { COLLECTION_OUTCOMES, type ChainFlag, type RejectReason } from '../../core/collections/outcome.ts';
import { DEFAULT_LIMITS } from '../../core/contract/till.ts';
import { ENDPOINT_STATUSES, type EventType } from '../../core/contract/webhooks.ts';
import { PARTY_KINDS, TRANSACTION_KINDS } from '../../core/contract/settlements.ts';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import { REFUND_STATES } from '../../core/refunds/refund-status.ts';
import { REFUND_REASONS } from '../../core/contract/refunds.ts';
import { CONSOLE_ROLES } from '../../core/contract/console.ts';
import { CLOSED_WEEK, type WeekHours } from '../../core/stores/opening-hours.ts';
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A text column's allowed values, from the contract's or the domain's list (drizzle wants a non-empty tuple). */
const oneOf = <T extends string>(values: readonly T[]) => values as [T, ...T[]];

/**
 * Shops that create vouchers. Their API keys are in api_keys. A merchant's test mode is a merchant
 * row of its own, its twin (`test_of` names the live merchant, id `<live id>_test`): everything
 * merchant-scoped (vouchers, refunds, endpoints, events, idempotency keys) is then apart from live
 * data by the same merchant_id every query already filters on (docs/test-mode.md).
 */
export const merchants = pgTable(
  'merchants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** For a test-mode twin: the live merchant it belongs to. */
    testOf: text('test_of').unique(),
    /** The operator's fee: basis points of the amount (rounded half up) plus a fixed part in minor units. */
    feeBasisPoints: integer('fee_basis_points').notNull().default(250),
    feeFixed: bigint('fee_fixed', { mode: 'number' }).notNull().default(0),
    /** Channels used when a voucher request does not say (`notify`). */
    defaultNotify: jsonb('default_notify').$type<Array<'email' | 'sms'>>().notNull().default([]),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [check('merchants_fee_sane', sql`${t.feeBasisPoints} between 0 and 10000 and ${t.feeFixed} >= 0`)],
);

export const API_KEY_MODES = ['live', 'test'] as const;
export type ApiKeyMode = (typeof API_KEY_MODES)[number];

export const API_KEY_ACCESS = ['full', 'read_only'] as const;
export type ApiKeyAccess = (typeof API_KEY_ACCESS)[number];

/**
 * A merchant's API keys, several at a time: stored as SHA-256 only (the key is shown once), with
 * the prefix and last four characters to recognise it by. A rolled key works until `expires_at`
 * (the overlap the merchant chose); a revoked one stops at `revoked_at`. Read-only keys may only GET.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    hash: text('hash').notNull().unique(),
    access: text('access', { enum: oneOf(API_KEY_ACCESS) })
      .notNull()
      .default('full'),
    /** A test key (`cpk_test_…`) opens the merchant's test-mode twin; the key row stays with the live merchant. */
    mode: text('mode', { enum: oneOf(API_KEY_MODES) })
      .notNull()
      .default('live'),
    /** How the key begins (`cpk_live_`), and its last four characters: enough to tell keys apart. */
    prefix: text('prefix').notNull(),
    last4: text('last4').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_keys_merchant').on(t.merchantId, t.createdAt)],
);

/**
 * Physical stores whose tills collect payments. A store takes one currency; its limits are the
 * offline lease every till of the store gets (core/collections/lease.ts).
 */
export const stores = pgTable(
  'stores',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    currency: text('currency').notNull().default('EUR'),
    maxVoucherAmount: bigint('max_voucher_amount', { mode: 'number' }).notNull().default(DEFAULT_LIMITS.max_voucher_amount),
    maxUnsyncedTotal: bigint('max_unsynced_total', { mode: 'number' }).notNull().default(DEFAULT_LIMITS.max_unsynced_total),
    maxUnsyncedCount: integer('max_unsynced_count').notNull().default(DEFAULT_LIMITS.max_unsynced_count),
    maxOfflineSeconds: integer('max_offline_seconds').notNull().default(DEFAULT_LIMITS.max_offline_seconds),
    /** The store's commission: basis points of each accepted collection (rounded half up). */
    commissionBasisPoints: integer('commission_basis_points').notNull().default(100),
    /** A refund above this (minor units) is paid out only with the six-digit code sent to the shopper; null: never asked. */
    payoutCodeAbove: bigint('payout_code_above', { mode: 'number' }),
    /** What the store directory shows (docs/stores.md): a store without an address and a location is not listed. */
    brand: text('brand'),
    street: text('street'),
    postalCode: text('postal_code'),
    city: text('city'),
    /** ISO 3166-1 alpha-2. */
    country: text('country'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    /** The IANA zone its opening hours are in. */
    timeZone: text('time_zone').notNull().default('UTC'),
    /** Per weekday, the intervals it is open (core/stores/opening-hours.ts); all empty until set. */
    openingHours: jsonb('opening_hours').$type<WeekHours>().notNull().default(CLOSED_WEEK),
    /** Local dates (YYYY-MM-DD) it is closed despite its hours. */
    closedDates: jsonb('closed_dates').$type<string[]>().notNull().default([]),
    /** False while the operator has paused it: it takes no payments and shows as not open. */
    accepting: boolean('accepting').notNull().default(true),
    /** For a test store (the built-in test till's, one per test-mode merchant and currency): that merchant. Never listed. */
    testMerchantId: text('test_merchant_id').references(() => merchants.id),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('stores_one_test_store').on(t.testMerchantId, t.currency).where(sql`${t.testMerchantId} is not null`),
    check('stores_limits_positive', sql`${t.maxVoucherAmount} > 0 and ${t.maxUnsyncedTotal} > 0 and ${t.maxUnsyncedCount} > 0 and ${t.maxOfflineSeconds} > 0`),
  ],
);

/** One-time codes that enrol a till in a store. Stored as SHA-256; used at most once. */
export const enrolmentCodes = pgTable('enrollment_codes', {
  codeHash: text('code_hash').primaryKey(),
  storeId: text('store_id')
    .notNull()
    .references(() => stores.id),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  deviceId: text('device_id'),
});

/** Enrolled tills: a device key (public half) that signs its collections, and a bearer credential (hashed). */
export const devices = pgTable('devices', {
  id: text('id').primaryKey(),
  storeId: text('store_id')
    .notNull()
    .references(() => stores.id),
  name: text('name').notNull(),
  publicJwk: jsonb('public_jwk').$type<{ kty: 'EC'; crv: 'P-256'; x: string; y: string }>().notNull(),
  credentialHash: text('credential_hash').notNull().unique(),
  enrolledAt: ts('enrolled_at').notNull(),
  revokedAt: ts('revoked_at'),
  lastSeenAt: ts('last_seen_at'),
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
  (t) => [uniqueIndex('signing_keys_one_current').on(sql`(true)`).where(sql`${t.signsUntil} is null and ${t.withdrawnAt} is null`)],
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
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    status: text('status', { enum: oneOf(VOUCHER_STATUSES) })
      .notNull()
      .default('open'),
    /** False for a test-mode voucher (its token says so too): it never reaches the ledger. */
    livemode: boolean('livemode').notNull().default(true),
    orderRef: text('order_ref').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    items: jsonb('items').$type<VoucherItem[]>().notNull(),
    description: text('description'),
    customer: jsonb('customer').$type<{ phone?: string; email?: string; locale?: string }>(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    reference: text('reference').notNull(),
    linkCode: text('link_code').notNull(),
    token: text('token').notNull(),
    kid: integer('kid')
      .notNull()
      .references(() => signingKeys.kid),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull(),
    paidAt: ts('paid_at'),
    canceledAt: ts('canceled_at'),
    /** The accepted collection and its store, once paid. */
    paidCollectionId: text('paid_collection_id'),
    paidStoreId: text('paid_store_id'),
    /** When it became paid or canceled (server clock): the tills' feed pages on it. */
    statusChangedAt: ts('status_changed_at'),
  },
  (t) => [
    uniqueIndex('vouchers_reference').on(t.reference),
    index('vouchers_status_changed').on(t.statusChangedAt, t.id).where(sql`${t.statusChangedAt} is not null`),
    uniqueIndex('vouchers_link_code').on(t.linkCode),
    index('vouchers_merchant_newest').on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    /** For the worker's deletion of test-mode data after 30 days. */
    index('vouchers_test_created').on(t.createdAt).where(sql`not ${t.livemode}`),
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
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
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

/**
 * Every collection a till sent, with its one final outcome. The partial unique index makes a second
 * acceptance of one voucher impossible, whatever the interleaving of processes and retries.
 */
export const collections = pgTable(
  'collections',
  {
    /** The till's UUID for the record: the idempotency key. */
    id: text('id').primaryKey(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    seq: integer('seq').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    voucherId: text('voucher_id').references(() => vouchers.id),
    token: text('token').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    tender: text('tender', { enum: oneOf(TENDERS) }).notNull(),
    tenderReference: text('tender_reference'),
    collectedAt: ts('collected_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    outcome: text('outcome', { enum: oneOf(COLLECTION_OUTCOMES) }).notNull(),
    reason: text('reason').$type<RejectReason>(),
    detail: text('detail').notNull(),
    flags: jsonb('flags').$type<ChainFlag[]>().notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [
    uniqueIndex('collections_one_accepted_per_voucher').on(t.voucherId).where(sql`${t.outcome} = 'accepted'`),
    index('collections_device_seq').on(t.deviceId, t.seq),
    index('collections_voucher').on(t.voucherId),
    check('collections_outcome_known', sql`${t.outcome} in ('accepted', 'duplicate', 'late', 'mismatch', 'rejected')`),
  ],
);

/**
 * The double-entry ledger. A transaction's postings sum to zero per currency: the database checks
 * it at commit (trigger in drizzle/0002). Postings are append-only: corrections are new transactions.
 * Amounts are signed minor units: debit positive, credit negative.
 */
export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: oneOf(TRANSACTION_KINDS) }).notNull(),
    collectionId: text('collection_id').references(() => collections.id),
    /** The refund this transaction moves money for (issued, paid out, returned): each at most once. */
    refundId: text('refund_id'),
    storeId: text('store_id'),
    merchantId: text('merchant_id'),
    currency: text('currency').notNull(),
    memo: text('memo').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_one_posting_per_collection_event').on(t.collectionId, t.kind).where(sql`${t.collectionId} is not null`),
    uniqueIndex('ledger_one_posting_per_refund_event').on(t.refundId, t.kind).where(sql`${t.refundId} is not null`),
    index('ledger_transactions_created').on(t.createdAt),
  ],
);

export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    transactionId: text('transaction_id')
      .notNull()
      .references(() => ledgerTransactions.id),
    account: text('account').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [index('ledger_postings_account').on(t.account, t.currency), index('ledger_postings_transaction').on(t.transactionId)],
);

/** A settlement run for one business day (UTC): at most one per day, so running it again changes nothing. */
export const settlementRuns = pgTable('settlement_runs', {
  businessDate: text('business_date').primaryKey(),
  cutoff: ts('cutoff').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** A statement: what one store remits or one merchant is paid, in one currency, for one run. */
export const statements = pgTable(
  'statements',
  {
    id: text('id').primaryKey(),
    businessDate: text('business_date')
      .notNull()
      .references(() => settlementRuns.businessDate),
    partyKind: text('party_kind', { enum: oneOf(PARTY_KINDS) }).notNull(),
    partyId: text('party_id').notNull(),
    currency: text('currency').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('statements_one_per_party_day').on(t.businessDate, t.partyKind, t.partyId, t.currency), index('statements_party').on(t.partyKind, t.partyId)],
);

/** Which ledger transactions a statement covers. Unique per side: no transaction is counted twice. */
export const statementTransactions = pgTable(
  'statement_transactions',
  {
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    transactionId: text('transaction_id')
      .notNull()
      .references(() => ledgerTransactions.id),
    partyKind: text('party_kind', { enum: oneOf(PARTY_KINDS) }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.transactionId, t.partyKind] }), index('statement_transactions_statement').on(t.statementId)],
);

/** Things that happened, as merchants' webhooks see them. Written in the transaction of the change. */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    type: text('type').$type<EventType>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('events_merchant').on(t.merchantId, t.createdAt)],
);

/** A merchant's webhook endpoint. Secrets are sealed like signing keys; a rotated one signs too until its overlap ends. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id')
    .notNull()
    .references(() => merchants.id),
  url: text('url').notNull(),
  events: jsonb('events').$type<string[]>().notNull(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretUntil: ts('previous_secret_until'),
  status: text('status', { enum: oneOf(ENDPOINT_STATUSES) })
    .notNull()
    .default('enabled'),
  createdAt: ts('created_at').notNull(),
});

/**
 * The outbox: side effects to perform after commit (webhook deliveries, e-mail, SMS). Written in
 * the same transaction as their cause; workers claim rows with FOR UPDATE SKIP LOCKED and a lease
 * (locked_until), so several can drain it and none sends a row while another holds it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['webhook', 'email', 'sms', 'push'] }).notNull(),
    eventId: text('event_id').references(() => events.id),
    endpointId: text('endpoint_id').references(() => webhookEndpoints.id),
    voucherId: text('voucher_id').references(() => vouchers.id),
    /** For an e-mail or SMS that carries a refund (voucher_id is then its voucher). */
    refundId: text('refund_id').references(() => refunds.id),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    createdAt: ts('created_at').notNull(),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lockedUntil: ts('locked_until'),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    gaveUpAt: ts('gave_up_at'),
    /** For a redelivery a merchant asked for: the delivery it repeats (redeliveries are rate-limited per endpoint). */
    redeliveryOf: text('redelivery_of'),
    /** A push notification: to this subscription, saying this (paid, refund, expiring) of voucher_id (and refund_id). */
    pushSubscriptionId: text('push_subscription_id').references(() => pushSubscriptions.id, { onDelete: 'cascade' }),
    pushKind: text('push_kind', { enum: ['paid', 'refund', 'expiring'] }),
  },
  (t) => [
    // One notification of each kind per subscription, voucher and refund, however often its cause is recorded.
    uniqueIndex('outbox_one_push').on(t.pushSubscriptionId, t.voucherId, t.pushKind, sql`coalesce(${t.refundId}, '')`).where(sql`${t.kind} = 'push'`),
    index('outbox_due').on(t.nextAttemptAt).where(sql`${t.deliveredAt} is null and ${t.gaveUpAt} is null`),
    index('outbox_endpoint').on(t.endpointId, t.createdAt),
  ],
);

/**
 * Money going back to a shopper, paid out in cash at any store's till (docs/refunds.md). Exactly
 * once rests on the guarded UPDATEs in api/refunds/refunds.repository.ts (only a pending refund is
 * authorised, only the authorised till's record pays it) and on one live authorisation per refund.
 */
export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    voucherId: text('voucher_id')
      .notNull()
      .references(() => vouchers.id),
    /** The collection whose cash this returns (duplicate, late, mismatch, review); one refund per collection. */
    collectionId: text('collection_id').references(() => collections.id),
    reason: text('reason', { enum: oneOf(REFUND_REASONS) }).notNull(),
    /** Its voucher's mode: false for a test-mode refund, which never reaches the ledger. */
    livemode: boolean('livemode').notNull().default(true),
    /** The voucher's order number and short-link code, copied (both never change): the refund reads without a join. */
    orderRef: text('order_ref').notNull(),
    voucherLinkCode: text('voucher_link_code').notNull(),
    state: text('state', { enum: oneOf(REFUND_STATES) })
      .notNull()
      .default('pending'),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    reference: text('reference').notNull(),
    token: text('token').notNull(),
    kid: integer('kid')
      .notNull()
      .references(() => signingKeys.kid),
    /** Six digits a till asks for above its store's payout_code_above; sent to the shopper with the refund. */
    payoutCode: text('payout_code').notNull(),
    payoutCodeSentTo: jsonb('payout_code_sent_to').$type<Array<'email' | 'sms'>>().notNull(),
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull(),
    /** The live payout authorisation, while a till holds it. */
    authorizationId: text('authorization_id'),
    authorizedDeviceId: text('authorized_device_id'),
    authorizedAt: ts('authorized_at'),
    paidAt: ts('paid_at'),
    paidStoreId: text('paid_store_id'),
    paidDeviceId: text('paid_device_id'),
    payoutId: text('payout_id'),
    canceledAt: ts('canceled_at'),
    expiredAt: ts('expired_at'),
  },
  (t) => [
    uniqueIndex('refunds_reference').on(t.reference),
    uniqueIndex('refunds_one_per_collection').on(t.collectionId).where(sql`${t.collectionId} is not null`),
    index('refunds_voucher').on(t.voucherId),
    index('refunds_merchant_newest').on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index('refunds_pending_expiry').on(t.expiresAt).where(sql`${t.state} = 'pending'`),
    check('refunds_amount_positive', sql`${t.amount} > 0`),
    check('refunds_state_known', sql`${t.state} in ('pending', 'authorized', 'paid', 'canceled', 'expired')`),
    check('refunds_authorized_has_till', sql`(${t.state} = 'authorized') = (${t.authorizationId} is not null)`),
  ],
);

/** Every payout grant a till was given, voided or not: the history behind refunds.authorization_id. */
export const payoutAuthorizations = pgTable(
  'payout_authorizations',
  {
    id: text('id').primaryKey(),
    refundId: text('refund_id')
      .notNull()
      .references(() => refunds.id),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    createdAt: ts('created_at').notNull(),
    voidedAt: ts('voided_at'),
    /** The payout record that used it. */
    payoutId: text('payout_id'),
  },
  (t) => [uniqueIndex('payout_authorizations_one_live').on(t.refundId).where(sql`${t.voidedAt} is null`)],
);

/**
 * Payout records from tills' journals, with their one final outcome. They share the device's chain
 * (seq, prev_hash) with its collections.
 */
export const payouts = pgTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    seq: integer('seq').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    refundId: text('refund_id').references(() => refunds.id),
    authorizationId: text('authorization_id').notNull(),
    token: text('token').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    paidAt: ts('paid_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    outcome: text('outcome', { enum: ['accepted', 'rejected'] }).notNull(),
    reason: text('reason').$type<RejectReason>(),
    detail: text('detail').notNull(),
    flags: jsonb('flags').$type<ChainFlag[]>().notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [uniqueIndex('payouts_one_accepted_per_refund').on(t.refundId).where(sql`${t.outcome} = 'accepted'`), index('payouts_device_seq').on(t.deviceId, t.seq)],
);

/**
 * Shift closes (the Z report) from tills' journals: what the till says it took and paid out, the
 * cash it expected and the cash the cashier counted. They share the device's chain with its
 * collections and payouts; operators read the differences per store and day (`counterpay shift list`).
 */
export const shiftCloses = pgTable(
  'shift_closes',
  {
    id: text('id').primaryKey(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    seq: integer('seq').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    currency: text('currency').notNull(),
    openedAt: ts('opened_at').notNull(),
    closedAt: ts('closed_at').notNull(),
    firstSeq: integer('first_seq'),
    lastSeq: integer('last_seq'),
    collections: jsonb('collections').$type<Array<{ tender: string; count: number; total: number }>>().notNull(),
    payoutCount: integer('payout_count').notNull(),
    payoutTotal: bigint('payout_total', { mode: 'number' }).notNull(),
    openingFloat: bigint('opening_float', { mode: 'number' }).notNull(),
    expectedCash: bigint('expected_cash', { mode: 'number' }).notNull(),
    countedCash: bigint('counted_cash', { mode: 'number' }).notNull(),
    difference: bigint('difference', { mode: 'number' }).notNull(),
    floatLeft: bigint('float_left', { mode: 'number' }).notNull(),
    receivedAt: ts('received_at').notNull(),
    outcome: text('outcome', { enum: ['accepted', 'rejected'] }).notNull(),
    reason: text('reason').$type<RejectReason>(),
    detail: text('detail').notNull(),
    flags: jsonb('flags').$type<ChainFlag[]>().notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [index('shift_closes_device_seq').on(t.deviceId, t.seq), index('shift_closes_store_closed').on(t.storeId, t.closedAt)],
);

/**
 * The review queue's decisions: one per collection held for review (rejected or mismatched),
 * kept with who decided, when and why (api/review/review.service.ts).
 */
export const reviewDecisions = pgTable('review_decisions', {
  collectionId: text('collection_id')
    .primaryKey()
    .references(() => collections.id),
  decision: text('decision', { enum: ['accept', 'refund', 'write_off'] }).notNull(),
  /** What the decision did, in a sentence (the voucher became paid; refund rfd_… was issued; …). */
  result: text('result').notNull(),
  reason: text('reason'),
  refundId: text('refund_id').references(() => refunds.id),
  decidedBy: text('decided_by').notNull(),
  decidedAt: ts('decided_at').notNull(),
});

/** The server's VAPID key pair for Web Push (one row): the private half sealed like a signing key (signing-keys/key-vault.ts). */
export const pushKeys = pgTable('push_keys', {
  id: integer('id').primaryKey(),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: ts('created_at').notNull(),
});

/**
 * A phone's push subscription (docs/push.md): the push service's endpoint and keys, the language,
 * and (in push_subscription_vouchers) the vouchers it proved it holds. No other personal data.
 */
export const pushSubscriptions = pgTable('push_subscriptions', {
  id: text('id').primaryKey(),
  endpoint: text('endpoint').notNull().unique(),
  p256dh: text('p256dh').notNull(),
  auth: text('auth').notNull(),
  locale: text('locale', { enum: ['en', 'zh'] }).notNull(),
  createdAt: ts('created_at').notNull(),
});

export const pushSubscriptionVouchers = pgTable(
  'push_subscription_vouchers',
  {
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => pushSubscriptions.id, { onDelete: 'cascade' }),
    voucherId: text('voucher_id')
      .notNull()
      .references(() => vouchers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.voucherId] }), index('push_subscription_vouchers_voucher').on(t.voucherId)],
);

/** What a merchant's console user may do (docs/console.md): admin everything, developer the integration, viewer read. */
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/**
 * People who sign in to the console (docs/console.md). No password is stored: a user signs in with
 * a passkey or with a link sent to `email`. An operator runs the network; everyone else reaches
 * merchants through memberships.
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  /** Lower-cased, unique: the address sign-in links go to. */
  email: text('email').notNull().unique(),
  operator: boolean('operator').notNull().default(false),
  createdAt: ts('created_at').notNull(),
  /** Who created or invited this user (a user id, or `cli` for the operator's command line). */
  createdBy: text('created_by').notNull(),
});

/** A user's role at one merchant (the live merchant; its test-mode twin goes with it). */
export const memberships = pgTable(
  'memberships',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    role: text('role', { enum: oneOf(CONSOLE_ROLES) }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.merchantId] }), index('memberships_merchant').on(t.merchantId)],
);

/** A user's passkeys (WebAuthn credentials): the public key only, and its signature counter. */
export const passkeys = pgTable(
  'passkeys',
  {
    /** The credential id, base64url, as the authenticator made it. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull(),
    transports: jsonb('transports').$type<string[]>().notNull().default([]),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [index('passkeys_user').on(t.userId)],
);

/**
 * Sign-in links sent by e-mail (first sign-in, invitations, recovery): SHA-256 of the token only,
 * single use, short-lived. Used or expired rows are deleted by the worker's sweep.
 */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('sign_in_links_user').on(t.userId, t.createdAt)],
);

/** A WebAuthn challenge the server issued, single use: to register a passkey (user_id set) or to sign in with one. */
export const webauthnChallenges = pgTable('webauthn_challenges', {
  id: text('id').primaryKey(),
  challenge: text('challenge').notNull(),
  purpose: text('purpose', { enum: ['register', 'sign-in'] }).notNull(),
  userId: text('user_id').references(() => users.id),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/**
 * Console sessions: SHA-256 of the cookie's token, the CSRF token the pages send back, and two
 * expiries (idle and absolute, on the API's clock). Sign-out sets `ended_at`; nothing revives it.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    id: text('id').primaryKey(),
    hash: text('hash').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    /** How the user proved who they are. */
    method: text('method', { enum: ['passkey', 'email-link'] }).notNull(),
    createdAt: ts('created_at').notNull(),
    /** Written at most once a minute: the idle expiry counts from here. */
    lastSeenAt: ts('last_seen_at').notNull(),
    /** The absolute expiry. */
    expiresAt: ts('expires_at').notNull(),
    endedAt: ts('ended_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('console_sessions_user').on(t.userId)],
);

/**
 * Everything a person changed, through the console or the operator's command line: written
 * `started` before the change runs and given its outcome after, so no change can happen without
 * its row (a crash in between leaves `started`: outcome unknown). Never updated otherwise.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: ts('at').notNull(),
    /** The user, or null for the operator's command line (actor then says `cli`). */
    userId: text('user_id').references(() => users.id),
    /** How the actor reads in the log: the user's e-mail, or `cli`. */
    actor: text('actor').notNull(),
    /** What was done: `store.create`, `review.decide`, `POST /v1/vouchers/{id}/refunds`. */
    action: text('action').notNull(),
    /** What it was done to (an id), when there is one. */
    target: text('target'),
    /** The merchant it concerns, for a merchant user's action. */
    merchantId: text('merchant_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    outcome: text('outcome', { enum: ['started', 'succeeded', 'failed'] }).notNull(),
    /** The HTTP status, or the error code of a failure. */
    result: text('result'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_merchant').on(t.merchantId, t.at)],
);
