/**
 * Idempotent requests (IETF draft "The Idempotency-Key HTTP Header Field"; Stripe's behaviour).
 *
 * The key is claimed by a committed `running` row before any work starts, so a second request
 * with the same key while the first runs sees the row and gets 409 (Retry-After: 1). The work and
 * the stored answer then commit in ONE transaction, which holds the claim's row lock from its first
 * statement: a crash can leave a `running` row but never a voucher without its stored answer. A
 * retry takes over a `running` claim at once when no live transaction holds it (its request died:
 * a crash, a lost connection, a failover), instead of waiting for it to go stale. Each claim is
 * stamped with its own lock time, and the work goes on only under that stamp: a request whose
 * claim was taken over before its work began rolls back instead of committing a second result.
 * Same key + same request replays the stored answer; same key + another request is 422.
 * Keys are kept at least 24 hours (pruned after 48).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { IdempotencyInFlightError, IdempotencyKeyReusedError, ValidationError } from '../errors.ts';
import { idempotencyRepository as repo } from './idempotency.repository.ts';

export const KEEP_KEYS_MS = 48 * 3600_000;

export interface StoredAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** Stable JSON: object keys sorted, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(endpoint: string, body: unknown): string {
  return createHash('sha256')
    .update(`${endpoint}\n${canonicalJson(body)}`)
    .digest('hex');
}

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ValidationError('Idempotency-Key must be 1-255 visible ASCII characters', [{ field: 'Idempotency-Key', message: '1-255 visible ASCII characters' }]);
  }
  return key;
}

export class IdempotencyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` once per key. Without a key there is nothing to record: work that is a single
   * statement (`atomic: false`) runs without BEGIN/COMMIT, two round trips fewer on the hottest path.
   */
  async run<T>(
    merchantId: string,
    key: string | undefined,
    fingerprint: () => string,
    work: (tx: Tx) => Promise<{ status: number; body: T }>,
    opts: { atomic: boolean } = { atomic: true },
  ): Promise<StoredAnswer<T>> {
    if (key === undefined) {
      const answer = opts.atomic ? await this.db.transaction(work) : await work(this.db);
      return { ...answer, replayed: false };
    }
    const now = this.clock.now();
    const hash = fingerprint();
    let owner = await repo.claim(this.db, merchantId, key, hash, now);
    if (!owner) {
      const existing = await repo.find(this.db, merchantId, key);
      if (!existing) {
        // Pruned or released between our insert and select: claim again.
        owner = await repo.claim(this.db, merchantId, key, hash, now);
        if (!owner) throw new IdempotencyInFlightError(key, 1);
      } else if (existing.requestHash !== hash) {
        throw new IdempotencyKeyReusedError(key);
      } else if (existing.state === 'done') {
        return { status: existing.responseStatus!, body: existing.responseBody as T, replayed: true };
      } else {
        // Its request died (nothing holds the claim): take it over now. Still at work: retry shortly.
        owner = await repo.takeOver(this.db, merchantId, key, now);
        if (!owner) throw new IdempotencyInFlightError(key, 1);
      }
    }
    try {
      const answer = await this.db.transaction(async (tx) => {
        // Held from here to COMMIT; a claim taken over before this point is no longer ours.
        if (!(await repo.hold(tx, merchantId, key, now))) throw new IdempotencyInFlightError(key, 1);
        const result = await work(tx);
        if (!(await repo.complete(tx, merchantId, key, now, result.status, result.body))) throw new IdempotencyInFlightError(key, 1);
        return result;
      });
      return { ...answer, replayed: false };
    } catch (err) {
      // Nothing was written (the transaction rolled back): free the key so a retry can run.
      await repo.release(this.db, merchantId, key, now).catch(() => {});
      throw err;
    }
  }

  async prune(): Promise<number> {
    return repo.prune(this.db, new Date(this.clock.now().getTime() - KEEP_KEYS_MS));
  }
}
