/** The operator's network: merchants (who integrate by API key) and stores (whose tills collect). */
import { createHash } from 'node:crypto';
import { isCurrency } from '../../core/money/money.ts';
import { displayTextProblem } from '../../core/text/text-rules.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { API_KEY_PREFIX, newApiKey, newId } from '../ids.ts';
import type { Clock } from '../clock.ts';
import type { ApiKeyAccess, ApiKeyMode } from '../db/schema.ts';
import { networkRepository as repo, type ApiKeyRow } from './network.repository.ts';
import type { MerchantRef } from '../merchant-api/vouchers/vouchers.service.ts';

export const NAME_MAX_CHARS = 100;

export interface MerchantCreated {
  id: string;
  name: string;
  /** Shown only here; stored as its SHA-256. */
  api_key: string;
  /** The test-mode key (`cpk_test_…`), shown only here too. */
  test_api_key: string;
}

/** API keys carry 160 random bits, so one SHA-256 is the right hash (no salt or stretching needed). */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

function checkName(name: string, what: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError(`${what} name must not be empty`, [{ field: 'name', message: 'must not be empty' }]);
  const problem = displayTextProblem(trimmed);
  if (problem) throw new ValidationError(`${what} name ${problem}`, [{ field: 'name', message: problem }]);
  if ([...trimmed].length > NAME_MAX_CHARS) {
    throw new ValidationError(`${what} name must be at most ${NAME_MAX_CHARS} characters`, [{ field: 'name', message: `at most ${NAME_MAX_CHARS} characters` }]);
  }
  return trimmed;
}

/** The longest a rolled key keeps working beside its successor. */
export const MAX_KEY_OVERLAP_MS = 7 * 86_400_000;

export interface KeyCreated {
  id: string;
  merchant_id: string;
  mode: ApiKeyMode;
  access: ApiKeyAccess;
  /** Shown only here; stored as its SHA-256. */
  api_key: string;
}

export interface KeyInfo {
  id: string;
  merchant_id: string;
  mode: ApiKeyMode;
  access: ApiKeyAccess;
  /** How the key reads, with its middle left out: `cpk_live_…K7Q2`. */
  key: string;
  status: 'active' | 'expiring' | 'expired' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** Why a key that exists no longer opens the API: it was revoked, or it was rolled and its overlap ended. */
export type KeyRefusal = { reason: 'revoked' | 'expired'; at: Date };

export type KeyLookup =
  | { ok: true; merchant: { id: string; name: string; defaultNotify: Array<'email' | 'sms'>; livemode: boolean }; access: ApiKeyAccess; keyId: string }
  | ({ ok: false } & KeyRefusal)
  | undefined;

function keyInfo(row: ApiKeyRow, now: Date): KeyInfo {
  const status = row.revokedAt && row.revokedAt <= now ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : row.expiresAt ? 'expiring' : 'active';
  return {
    id: row.id,
    merchant_id: row.merchantId,
    mode: row.mode,
    access: row.access,
    key: `${row.prefix}…${row.last4}`,
    status,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export class NetworkService {
  /** When this process last wrote a key's last_used_at: at most once a minute per key. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a merchant, its test-mode twin, and a first live and a first test API key (full
   * access). With a fixed id (the demo) it creates nothing if the id exists.
   */
  async createMerchant(name: string, id = newId('mer')): Promise<MerchantCreated | null> {
    const checked = checkName(name, 'merchant');
    return this.db.transaction(async (tx) => {
      const row = await repo.insertMerchant(tx as unknown as Db, { id, name: checked });
      if (!row) return null;
      const live = await this.insertKey(tx as unknown as Db, row.id, 'full', 'live');
      const test = await this.insertKey(tx as unknown as Db, row.id, 'full', 'test');
      return { id: row.id, name: row.name, api_key: live.api_key, test_api_key: test.api_key };
    });
  }

  /** A key of the live merchant `merchantId`; a test key first makes sure the merchant's test-mode twin exists. */
  private async insertKey(db: Db, merchantId: string, access: ApiKeyAccess, mode: ApiKeyMode): Promise<KeyCreated> {
    if (mode === 'test') {
      const live = await repo.liveMerchant(db, merchantId);
      if (!live) throw new NotFoundError('merchant', merchantId);
      await repo.ensureTwin(db, live);
    }
    const apiKey = newApiKey(mode);
    const row = await repo.insertKey(db, {
      id: newId('key'),
      merchantId,
      hash: hashApiKey(apiKey),
      access,
      mode,
      prefix: API_KEY_PREFIX[mode],
      last4: apiKey.slice(-4),
      createdAt: this.clock.now(),
    });
    return { id: row.id, merchant_id: merchantId, mode, access, api_key: apiKey };
  }

  /** Another key for the merchant, shown only here; `read_only` keys may only read (GET); a `test` key opens test mode. */
  async createKey(merchantId: string, access: ApiKeyAccess = 'full', mode: ApiKeyMode = 'live'): Promise<KeyCreated> {
    if (!(await repo.liveMerchant(this.db, merchantId))) throw new NotFoundError('merchant', merchantId);
    return this.db.transaction((tx) => this.insertKey(tx as unknown as Db, merchantId, access, mode));
  }

  async listKeys(merchantId: string): Promise<KeyInfo[]> {
    if (!(await repo.liveMerchant(this.db, merchantId))) throw new NotFoundError('merchant', merchantId);
    const now = this.clock.now();
    return (await repo.keysOf(this.db, merchantId)).map((row) => keyInfo(row, now));
  }

  /**
   * A new key in place of `keyId`, with the same access; the old one keeps working for `overlapMs`
   * (at most 7 days; 0 stops it at once), so a deploy can switch keys without a failed request.
   */
  async rollKey(keyId: string, overlapMs: number): Promise<{ created: KeyCreated; replaced: KeyInfo }> {
    if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > MAX_KEY_OVERLAP_MS) {
      throw new ValidationError('the overlap must be between 0 and 7 days', [{ field: 'overlap', message: 'between 0 and 7 days' }]);
    }
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const old = await repo.key(db, keyId);
      if (!old) throw new NotFoundError('API key', keyId);
      const info = keyInfo(old, now);
      if (info.status === 'revoked' || info.status === 'expired') {
        throw new ValidationError(`API key ${keyId} is ${info.status}: create a new key instead`, [{ field: 'key', message: `the key is ${info.status}` }]);
      }
      const created = await this.insertKey(db, old.merchantId, old.access, old.mode);
      const ended = (await repo.endKey(db, keyId, new Date(now.getTime() + overlapMs))) ?? old;
      return { created, replaced: keyInfo(ended, now) };
    });
  }

  /** Stops a key at once (a leaked key). */
  async revokeKey(keyId: string): Promise<KeyInfo> {
    const now = this.clock.now();
    const row = (await repo.revokeKey(this.db, keyId, now)) ?? (await repo.key(this.db, keyId));
    if (!row) throw new NotFoundError('API key', keyId);
    return keyInfo(row, now);
  }

  /**
   * Gives a merchant a new live and a new test API key (shown only here) and revokes every other
   * one at once: how a newcomer gets a usable demo key again when the one printed at first start
   * scrolled away.
   */
  async newApiKey(merchantId: string): Promise<MerchantCreated> {
    const merchant = await repo.liveMerchant(this.db, merchantId);
    if (!merchant) throw new NotFoundError('merchant', merchantId);
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      for (const key of await repo.keysOf(db, merchantId)) await repo.revokeKey(db, key.id, now);
      const live = await this.insertKey(db, merchantId, 'full', 'live');
      const test = await this.insertKey(db, merchantId, 'full', 'test');
      return { id: merchant.id, name: merchant.name, api_key: live.api_key, test_api_key: test.api_key };
    });
  }

  async listMerchants() {
    return (await repo.merchants(this.db)).map((m) => ({ id: m.id, name: m.name, created_at: m.createdAt.toISOString() }));
  }

  async createStore(name: string, id = newId('sto'), currency = 'EUR') {
    if (!isCurrency(currency))
      throw new ValidationError(`unknown currency ${JSON.stringify(currency)}: give an ISO 4217 code such as EUR`, [
        { field: 'currency', message: 'an ISO 4217 code such as EUR' },
      ]);
    const row = await repo.insertStore(this.db, { id, name: checkName(name, 'store'), currency });
    return row ? { id: row.id, name: row.name, currency: row.currency, created_at: row.createdAt.toISOString() } : null;
  }

  async listStores() {
    return (await repo.stores(this.db)).map((s) => ({ id: s.id, name: s.name, currency: s.currency, created_at: s.createdAt.toISOString() }));
  }

  async setFees(merchantId: string, basisPoints: number | undefined, fixed: number | undefined) {
    if (basisPoints === undefined && fixed === undefined) throw new ValidationError('give a fee in basis points, a fixed fee, or both', []);
    if (basisPoints !== undefined && basisPoints > 10_000)
      throw new ValidationError('basis points must be at most 10000 (100 %)', [{ field: 'fee_basis_points', message: 'at most 10000' }]);
    const row = await repo.setFees(this.db, merchantId, { feeBasisPoints: basisPoints, feeFixed: fixed });
    if (!row) throw new NotFoundError('merchant', merchantId);
    return { id: row.id, fee_basis_points: row.feeBasisPoints, fee_fixed: row.feeFixed };
  }

  async setDefaultNotify(merchantId: string, channels: string[]) {
    const bad = channels.filter((c) => c !== 'email' && c !== 'sms');
    if (bad.length > 0)
      throw new ValidationError(`unknown channel ${bad.map((c) => JSON.stringify(c)).join(', ')}: use email, sms or none`, [{ field: 'channels', message: 'email, sms or none' }]);
    const row = await repo.setDefaultNotify(this.db, merchantId, [...new Set(channels)] as Array<'email' | 'sms'>);
    if (!row) throw new NotFoundError('merchant', merchantId);
    return { id: row.id, default_notify: row.defaultNotify };
  }

  async setCommission(storeId: string, basisPoints: number) {
    if (basisPoints > 10_000) throw new ValidationError('basis points must be at most 10000 (100 %)', [{ field: 'basis-points', message: 'at most 10000' }]);
    const row = await repo.setCommission(this.db, storeId, basisPoints);
    if (!row) throw new NotFoundError('store', storeId);
    return { id: row.id, commission_basis_points: row.commissionBasisPoints };
  }

  /** Refunds above `above` (minor units) need the shopper's code at this store's tills; null: never. */
  async setPayoutCodeAbove(storeId: string, above: number | null) {
    const row = await repo.setPayoutCodeAbove(this.db, storeId, above);
    if (!row) throw new NotFoundError('store', storeId);
    return { id: row.id, currency: row.currency, payout_code_above: row.payoutCodeAbove };
  }

  /**
   * What an API key opens: its merchant and access; why not, for a key that was revoked or whose
   * roll overlap ended; undefined for a key that never existed. Read on every request, so a
   * revoked key stops at once in every API process.
   */
  /** A live merchant as a request acts for it, in live or test mode (a console session's merchant). */
  async merchantRef(liveId: string, mode: ApiKeyMode): Promise<MerchantRef | undefined> {
    const row = mode === 'test' ? await repo.testTwin(this.db, liveId) : await repo.liveMerchant(this.db, liveId);
    if (!row) return undefined;
    return { id: row.id, name: row.name, defaultNotify: row.defaultNotify, livemode: row.testOf === null };
  }

  async merchantForApiKey(apiKey: string): Promise<KeyLookup> {
    const found = await repo.keyByHash(this.db, hashApiKey(apiKey));
    if (!found) return undefined;
    const { key, merchant } = found;
    const now = this.clock.now();
    if (key.revokedAt && key.revokedAt <= now) return { ok: false, reason: 'revoked', at: key.revokedAt };
    if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: 'expired', at: key.expiresAt };
    const last = this.touched.get(key.id) ?? key.lastUsedAt?.getTime() ?? 0;
    if (now.getTime() - last >= 60_000) {
      this.touched.set(key.id, now.getTime());
      if (this.touched.size > 10_000) this.touched.clear();
      await repo.touchKey(this.db, key.id, now);
    }
    return {
      ok: true,
      merchant: { id: merchant.id, name: merchant.name, defaultNotify: merchant.defaultNotify, livemode: merchant.testOf === null },
      access: key.access,
      keyId: key.id,
    };
  }
}
