/**
 * The operator's token-signing keys: one current key signs; rotation starts a new one and the old
 * one keeps verifying until the last token it could have signed expires (signs_until plus the
 * longest voucher life). Withdrawal (a compromised key) stops verification at once.
 */
import type { Db } from '../db/client.ts';
import { sqlState, UNIQUE_VIOLATION } from '../db/sql-state.ts';
import { generateSigningKeyPair, type OperatorJwk, type OperatorJwkSet } from '../../core/token/operator-keys.ts';
import type { SignP256, VerificationKeys } from '../../core/token/voucher-token.ts';
import { createPrivateKey, sign } from 'node:crypto';
import { MAX_EXPIRES_IN_SECONDS } from '../../core/vouchers/expiry.ts';
import { NotFoundError } from '../errors.ts';
import type { KeyVault } from './key-vault.ts';
import { signingKeysRepository as repo, type SigningKeyRow } from './signing-keys.repository.ts';
import type { Clock } from '../clock.ts';

/** How long a process trusts its cached view of the keys; rotation elsewhere shows within this. */
const CACHE_MS = 5_000;

export interface Signer {
  kid: number;
  /** The key through Node's crypto: what the API signs tokens and server times with (core/token/voucher-token.ts SignP256). */
  sign: SignP256;
}

/** A signing function over one key object, made once per key (not per token). */
export function nodeSigner(pkcs8: Uint8Array): SignP256 {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return (data) => new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
}

export interface SigningKeyInfo {
  kid: number;
  algorithm: string;
  state: 'current' | 'retired' | 'withdrawn' | 'expired';
  signs_from: string;
  signs_until: string | null;
  verify_until: string | null;
}

export class SigningKeys {
  private signerCache?: { at: number; signer: Signer };
  private verifyCache?: { at: number; keys: VerificationKeys };

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly clock: Clock,
  ) {}

  /** Makes sure a current key exists (first start); safe when several processes start at once. */
  async ensureCurrent(): Promise<SigningKeyRow> {
    const existing = await repo.current(this.db);
    if (existing) {
      await this.vault.open(existing.privateKey, existing.kid); // fail at start, not at the first voucher
      return existing;
    }
    try {
      return await repo.insertCurrent(this.db, { ...(await this.newKeyMaterial()), now: this.clock.now() });
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      return (await repo.current(this.db))!; // another process created it first
    }
  }

  /**
   * The current signing key, cached briefly. Pass the open transaction when called inside one:
   * PGlite has a single connection, and a query on `db` inside a transaction waits forever.
   */
  async signer(dbOrTx: Parameters<typeof repo.current>[0] = this.db): Promise<Signer> {
    const now = Date.now();
    if (this.signerCache && now - this.signerCache.at < CACHE_MS) return this.signerCache.signer;
    const row = await repo.current(dbOrTx);
    if (!row) throw new Error('no current signing key: the server creates one at start (SigningKeys.ensureCurrent)');
    const cached = this.signerCache?.signer;
    const signer = cached && cached.kid === row.kid ? cached : { kid: row.kid, sign: nodeSigner(await this.vault.open(row.privateKey, row.kid)) };
    this.signerCache = { at: now, signer };
    return signer;
  }

  /** Starts a new current key; the old one keeps verifying its tokens until they expire. */
  async rotate(): Promise<{ current: SigningKeyInfo; retired: SigningKeyInfo | null }> {
    const material = await this.newKeyMaterial();
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      const retired = await repo.retireCurrent(tx, now, new Date(now.getTime() + MAX_EXPIRES_IN_SECONDS * 1000));
      const current = await repo.insertCurrent(tx, { ...material, now });
      return { current, retired };
    });
    this.signerCache = undefined;
    this.verifyCache = undefined;
    return { current: this.info(result.current), retired: result.retired ? this.info(result.retired) : null };
  }

  /** Withdraws a compromised key: its tokens stop verifying; a new current key replaces it if needed. */
  async withdraw(kid: number): Promise<{ withdrawn: SigningKeyInfo; current: SigningKeyInfo }> {
    const material = await this.newKeyMaterial();
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      const before = await repo.byKid(tx, kid);
      const withdrawn = await repo.withdraw(tx, kid, now);
      if (!withdrawn) throw new NotFoundError('active signing key', String(kid));
      const wasCurrent = before?.signsUntil === null;
      const current = wasCurrent ? await repo.insertCurrent(tx, { ...material, now }) : (await repo.current(tx))!;
      return { withdrawn, current };
    });
    this.signerCache = undefined;
    this.verifyCache = undefined;
    return { withdrawn: this.info(result.withdrawn), current: this.info(result.current) };
  }

  async list(): Promise<SigningKeyInfo[]> {
    return (await repo.all(this.db)).map((row) => this.info(row));
  }

  /** The JWK set tills and shopper views verify against: every key whose tokens can still be valid. */
  async jwks(): Promise<OperatorJwkSet> {
    const keys: OperatorJwk[] = (await repo.all(this.db))
      .filter((row) => this.verifies(row))
      .map((row) => ({
        kty: 'EC',
        crv: 'P-256',
        x: row.publicJwk.x,
        y: row.publicJwk.y,
        kid: String(row.kid),
        alg: 'ES256',
        use: 'sig',
        signs_from: row.signsFrom.toISOString(),
        signs_until: row.signsUntil?.toISOString() ?? null,
        verify_until: row.verifyUntil?.toISOString() ?? null,
      }));
    return { keys };
  }

  /** Public keys for server-side verification, cached briefly. */
  async verificationKeys(): Promise<VerificationKeys> {
    const now = Date.now();
    if (this.verifyCache && now - this.verifyCache.at < CACHE_MS) return this.verifyCache.keys;
    const keys = new Map<number, CryptoKey>();
    for (const row of await repo.all(this.db)) {
      if (!this.verifies(row)) continue;
      keys.set(row.kid, await crypto.subtle.importKey('jwk', { ...row.publicJwk }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']));
    }
    this.verifyCache = { at: now, keys };
    return keys;
  }

  private verifies(row: SigningKeyRow): boolean {
    return !row.withdrawnAt && (!row.verifyUntil || row.verifyUntil.getTime() > this.clock.now().getTime());
  }

  private info(row: SigningKeyRow): SigningKeyInfo {
    const state = row.withdrawnAt ? 'withdrawn' : !row.signsUntil ? 'current' : this.verifies(row) ? 'retired' : 'expired';
    return {
      kid: row.kid,
      algorithm: row.algorithm,
      state,
      signs_from: row.signsFrom.toISOString(),
      signs_until: row.signsUntil?.toISOString() ?? null,
      verify_until: row.verifyUntil?.toISOString() ?? null,
    };
  }

  private async newKeyMaterial() {
    const pair = await generateSigningKeyPair();
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    return { publicJwk: { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x!, y: jwk.y! }, privateKey: await this.vault.seal(pkcs8) };
  }
}
