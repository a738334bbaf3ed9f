/** The operator's network: merchants (who integrate by API key) and stores (whose tills collect). */
import { createHash } from 'node:crypto';
import { isCurrency } from '../../core/money/money.ts';
import { displayTextProblem } from '../../core/text/text-rules.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { newApiKey, newId } from '../ids.ts';
import { networkRepository as repo } from './network.repository.ts';

export const NAME_MAX_CHARS = 100;

export interface MerchantCreated {
  id: string;
  name: string;
  /** Shown only here; stored as its SHA-256. */
  api_key: string;
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

/**
 * How long a process trusts a looked-up API key. Every voucher request authenticates, and the
 * lookup was half the database round trips of creating one; a key's merchant never changes, so
 * the only costs are that a removed key keeps working here, and a changed default `notify` or
 * name shows, up to this long later.
 */
const API_KEY_CACHE_MS = 30_000;
const API_KEY_CACHE_MAX = 10_000;

export class NetworkService {
  private readonly keyCache = new Map<string, { at: number; merchant: { id: string; name: string; defaultNotify: Array<'email' | 'sms'> } }>();

  constructor(private readonly db: Db) {}

  /** Creates a merchant with a new API key. With a fixed id (the demo) it creates nothing if the id exists. */
  async createMerchant(name: string, id = newId('mer')): Promise<MerchantCreated | null> {
    const apiKey = newApiKey();
    const row = await repo.insertMerchant(this.db, { id, name: checkName(name, 'merchant'), apiKeyHash: hashApiKey(apiKey) });
    return row ? { id: row.id, name: row.name, api_key: apiKey } : null;
  }

  /**
   * Gives a merchant a new API key (shown only here) and stops the old one: this process forgets it
   * at once, other API processes within API_KEY_CACHE_MS. How a newcomer gets a usable demo key
   * again when the one printed at first start scrolled away.
   */
  async newApiKey(merchantId: string): Promise<MerchantCreated> {
    const apiKey = newApiKey();
    const row = await repo.setApiKeyHash(this.db, merchantId, hashApiKey(apiKey));
    if (!row) throw new NotFoundError('merchant', merchantId);
    this.keyCache.clear();
    return { id: row.id, name: row.name, api_key: apiKey };
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

  /** Forgets cached API-key lookups (a merchant's settings changed in this process). */
  forgetCachedKeys() {
    this.keyCache.clear();
  }

  async setDefaultNotify(merchantId: string, channels: string[]) {
    const bad = channels.filter((c) => c !== 'email' && c !== 'sms');
    if (bad.length > 0)
      throw new ValidationError(`unknown channel ${bad.map((c) => JSON.stringify(c)).join(', ')}: use email, sms or none`, [{ field: 'channels', message: 'email, sms or none' }]);
    const row = await repo.setDefaultNotify(this.db, merchantId, [...new Set(channels)] as Array<'email' | 'sms'>);
    if (!row) throw new NotFoundError('merchant', merchantId);
    this.forgetCachedKeys();
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

  /** The merchant an API key belongs to, or undefined. */
  async merchantForApiKey(apiKey: string): Promise<{ id: string; name: string; defaultNotify: Array<'email' | 'sms'> } | undefined> {
    const hash = hashApiKey(apiKey);
    const now = Date.now();
    const cached = this.keyCache.get(hash);
    if (cached && now - cached.at < API_KEY_CACHE_MS) return cached.merchant;
    const merchant = await repo.merchantByKeyHash(this.db, hash);
    if (merchant) {
      if (this.keyCache.size >= API_KEY_CACHE_MAX) this.keyCache.clear();
      this.keyCache.set(hash, { at: now, merchant });
    }
    return merchant;
  }
}
