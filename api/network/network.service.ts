/** The operator's network: merchants (who integrate by API key) and stores (whose tills collect). */
import { sha256, toHex } from '../../core/encoding/bytes.ts';
import type { Db } from '../db/client.ts';
import { ValidationError } from '../errors.ts';
import { newApiKey, newId } from '../ids.ts';
import { networkRepository as repo } from './network.repository.ts';

export const NAME_MAX_CHARS = 100;

export interface MerchantCreated {
  id: string;
  name: string;
  /** Shown only here; stored as its SHA-256. */
  api_key: string;
}

export const hashApiKey = async (key: string) => toHex(await sha256(key));

function checkName(name: string, what: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError(`${what} name must not be empty`, [{ field: 'name', message: 'must not be empty' }]);
  if ([...trimmed].length > NAME_MAX_CHARS) {
    throw new ValidationError(`${what} name must be at most ${NAME_MAX_CHARS} characters`, [{ field: 'name', message: `at most ${NAME_MAX_CHARS} characters` }]);
  }
  return trimmed;
}

export class NetworkService {
  constructor(private readonly db: Db) {}

  /** Creates a merchant with a new API key. With a fixed id (the demo) it creates nothing if the id exists. */
  async createMerchant(name: string, id = newId('mer')): Promise<MerchantCreated | null> {
    const apiKey = newApiKey();
    const row = await repo.insertMerchant(this.db, { id, name: checkName(name, 'merchant'), apiKeyHash: await hashApiKey(apiKey) });
    return row ? { id: row.id, name: row.name, api_key: apiKey } : null;
  }

  async listMerchants() {
    return (await repo.merchants(this.db)).map((m) => ({ id: m.id, name: m.name, created_at: m.createdAt.toISOString() }));
  }

  async createStore(name: string, id = newId('sto')) {
    const row = await repo.insertStore(this.db, { id, name: checkName(name, 'store') });
    return row ? { id: row.id, name: row.name, created_at: row.createdAt.toISOString() } : null;
  }

  async listStores() {
    return (await repo.stores(this.db)).map((s) => ({ id: s.id, name: s.name, created_at: s.createdAt.toISOString() }));
  }

  /** The merchant an API key belongs to, or undefined. */
  async merchantForApiKey(apiKey: string) {
    return repo.merchantByKeyHash(this.db, await hashApiKey(apiKey));
  }
}
