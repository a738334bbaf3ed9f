/**
 * A server time a till has seen, proven: the server signs "till D saw time T" with the operator's
 * token-signing key (ES256) in every feed and enrolment answer, and the till names the newest one
 * it holds in each record it makes (collection record v2). The server can then bound the record's
 * claimed time from below by a time the till demonstrably knew (docs/till-protocol.md, "The
 * till's clock"). The till holds the operator's public keys, so it could check the proof too.
 *
 * Signing input, UTF-8: JSON.stringify(["counterpay-server-time-v1", device_id, server_time]).
 * Proof: `${kid}.${base64url(raw r‖s signature)}`.
 */
import { base64UrlDecode, base64UrlEncode } from '../encoding/bytes.ts';
import { signP256, type SignP256, type VerificationKeys } from '../token/voucher-token.ts';

const ECDSA = { name: 'ECDSA', hash: 'SHA-256' } as const;

const input = (deviceId: string, serverTime: string) => new TextEncoder().encode(JSON.stringify(['counterpay-server-time-v1', deviceId, serverTime]));

export async function signServerTime(deviceId: string, serverTime: string, signer: { kid: number; sign: CryptoKey | SignP256 }): Promise<string> {
  const signature = await signP256(signer.sign, input(deviceId, serverTime));
  return `${signer.kid}.${base64UrlEncode(signature)}`;
}

/** Whether `proof` is the operator's signature over (deviceId, serverTime) by a key that still verifies. */
export async function verifyServerTime(deviceId: string, serverTime: string, proof: string, keys: VerificationKeys): Promise<boolean> {
  const match = /^(\d{1,5})\.([A-Za-z0-9_-]{86})$/.exec(proof);
  if (!match) return false;
  const key = keys.get(Number(match[1]));
  if (!key) return false;
  let signature: Uint8Array;
  try {
    signature = base64UrlDecode(match[2]!);
  } catch {
    return false;
  }
  return signature.length === 64 && crypto.subtle.verify(ECDSA, key, signature as BufferSource, input(deviceId, serverTime) as BufferSource);
}
