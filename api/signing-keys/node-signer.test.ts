/**
 * The API signs tokens with Node's crypto over a key object made once (nodeSigner), not with
 * WebCrypto: the tokens it makes must verify exactly as WebCrypto-signed ones do, on the till too.
 */
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../core/token/operator-keys.ts';
import { signVoucherToken, verifyVoucherToken, type VoucherClaims } from '../../core/token/voucher-token.ts';
import { nodeSigner } from './signing-keys.service.ts';

const claims: VoucherClaims = {
  kid: 1,
  voucherId: new Uint8Array(8).fill(7),
  amount: 4990,
  currency: 'EUR',
  expiresAt: 1_900_000_000,
  merchant: 'Demo Shop',
  orderRef: 'N-1',
  summary: '2× Mug',
};

describe('nodeSigner', () => {
  it('signs tokens that WebCrypto verifies, with a fresh signature each time', async () => {
    const pair = await generateSigningKeyPair();
    const sign = nodeSigner(new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)));
    const keys = new Map([[1, pair.publicKey]]);
    const [a, b] = [await signVoucherToken(claims, sign), await signVoucherToken(claims, sign)];
    expect(a).not.toBe(b); // ECDSA draws a new nonce per signature
    for (const token of [a, b]) expect(await verifyVoucherToken(token, keys)).toEqual({ ok: true, claims: { ...claims, kind: 'voucher', test: false } });
    // And a key it does not hold does not verify them.
    const other = await generateSigningKeyPair();
    expect((await verifyVoucherToken(a, new Map([[1, other.publicKey]]))).ok).toBe(false);
  });

  it('refuses a signer that answers DER instead of r‖s: the token carries exactly 64 signature bytes', async () => {
    const der = () => new Uint8Array(71);
    await expect(signVoucherToken(claims, der)).rejects.toThrow('an ES256 signature is 64 bytes (r‖s), not 71');
  });
});
