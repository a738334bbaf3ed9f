/**
 * Operator signing keys as seen by verifiers: a JWK set (RFC 7517) served by `GET /v1/keys`
 * and cached by the PWA for offline verification.
 */
import type { OperatorJwkSet } from '../contract/keys.ts';
import type { VerificationKeys } from './voucher-token.ts';

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The key set's shape is the contract's (core/contract/keys.ts). */
export type { OperatorJwk, OperatorJwkSet } from '../contract/keys.ts';

const imported = new WeakMap<OperatorJwkSet, Promise<VerificationKeys>>();

/** importVerificationKeys, once per key set object: a till or wallet checks many tokens against one set. */
export function verificationKeysOf(set: OperatorJwkSet): Promise<VerificationKeys> {
  let keys = imported.get(set);
  if (!keys) {
    keys = importVerificationKeys(set);
    imported.set(set, keys);
  }
  return keys;
}

/** Imports every key of a JWK set for verification; keys this code cannot use are skipped. */
export async function importVerificationKeys(set: OperatorJwkSet): Promise<VerificationKeys> {
  const keys = new Map<number, CryptoKey>();
  for (const jwk of set.keys) {
    const kid = Number(jwk.kid);
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !Number.isSafeInteger(kid)) continue;
    const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, P256, false, ['verify']);
    keys.set(kid, key);
  }
  return keys;
}

/** A new P-256 key pair for signing tokens; the private half is extractable so the API can store it. */
export async function generateSigningKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(P256, true, ['sign', 'verify']);
}
