/**
 * Offline token verification against the cached operator keys, with one refresh of the key set
 * when a token names a key this phone has not seen yet (the operator rotated keys since).
 */
import { decodeVoucherToken, verifyVoucherToken, type TokenCheck } from '../../core/token/voucher-token.ts';
import { verificationKeysOf, type OperatorJwkSet } from '../../core/token/operator-keys.ts';

export interface KeySource {
  /** The cached key set, or null when this phone has none yet. */
  cached(): Promise<OperatorJwkSet | null>;
  /** Fetches, caches and returns the current set; null when the server cannot be reached. */
  refresh(): Promise<OperatorJwkSet | null>;
}

export type VerifyOutcome =
  | TokenCheck
  /** keys_unavailable: the phone never fetched the operator keys and is offline now. */
  | { ok: false; reason: 'keys_unavailable'; detail: string };

export async function verifyToken(token: string, source: KeySource): Promise<VerifyOutcome> {
  // A token that does not even decode is refused without touching keys or the network.
  const decoded = decodeVoucherToken(token);
  if (!decoded.ok) return decoded;

  let set = await source.cached();
  let refreshed = false;
  if (!set) {
    set = await source.refresh();
    refreshed = true;
    if (!set) return { ok: false, reason: 'keys_unavailable', detail: 'no operator keys cached and the server cannot be reached' };
  }
  let check = await verifyVoucherToken(token, await verificationKeysOf(set));
  if (!check.ok && check.reason === 'unknown_key' && !refreshed) {
    const fresh = await source.refresh();
    if (fresh) check = await verifyVoucherToken(token, await verificationKeysOf(fresh));
  }
  return check;
}
