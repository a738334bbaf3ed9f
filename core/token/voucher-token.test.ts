import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import QRCode from 'qrcode';
import { bytesToDigits, digitsToBytes, digitCount } from './digits.ts';
import { decodeVoucherToken, encodeClaims, signVoucherToken, verifyVoucherToken, type VoucherClaims } from './voucher-token.ts';
import { generateSigningKeyPair, importVerificationKeys } from './operator-keys.ts';
import { MAX_AMOUNT, MERCHANT_DISPLAY_MAX_BYTES, itemSummary, qrPrefix, summaryBudget, truncateUtf8, voucherQrText } from './limits.ts';
import { qrVersionFor } from './qr-capacity.ts';
import vectors from '../../docs/voucher-token-vectors.json' with { type: 'json' };

const claims: VoucherClaims = {
  kid: 1,
  voucherId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
  amount: 12345,
  currency: 'EUR',
  expiresAt: 1_800_000_000,
  merchant: 'Demo Shop',
  orderRef: 'ORD-1001',
  summary: '2× Mug +1',
};

async function keysFor(pair: CryptoKeyPair, kid = 1) {
  return new Map([[kid, pair.publicKey]]);
}

describe('digit transport encoding', () => {
  it('round-trips any byte string, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const digits = bytesToDigits(bytes);
        expect(digits).toHaveLength(digitCount(bytes.length));
        expect(digitsToBytes(digits)).toEqual(bytes);
      }),
    );
  });

  it('refuses a digit count that no byte count produces, a chunk out of range and non-digits', () => {
    expect(digitsToBytes('1')).toBeNull();
    expect(digitsToBytes('256')).toBeNull();
    expect(digitsToBytes('99999999999999999')).toBeNull(); // 17 digits above 2^56 - 1
    expect(digitsToBytes('12a')).toBeNull();
  });
});

describe('voucher token', () => {
  it('verifies a token it signed and returns the claims', async () => {
    const pair = await generateSigningKeyPair();
    const token = await signVoucherToken(claims, pair.privateKey);
    const check = await verifyVoucherToken(token, await keysFor(pair));
    expect(check).toEqual({ ok: true, claims: { ...claims, kind: 'voucher', test: false } });
  });

  it('writes a voucher as version 1 and a refund as version 2 with its kind, and never reads one as the other', async () => {
    const pair = await generateSigningKeyPair();
    const keys = await keysFor(pair);
    const voucher = await signVoucherToken(claims, pair.privateKey);
    const refund = await signVoucherToken({ ...claims, kind: 'refund' }, pair.privateKey);
    expect(digitsToBytes(voucher)![0]).toBe(1);
    expect([...digitsToBytes(refund)!.slice(0, 2)]).toEqual([2, 2]);
    expect(await verifyVoucherToken(refund, keys)).toEqual({ ok: true, claims: { ...claims, kind: 'refund', test: false } });
    // The same claims under the other kind are other signed bytes: relabelling breaks the signature.
    const relabelled = digitsToBytes(refund)!;
    relabelled[1] = 1;
    expect(await verifyVoucherToken(bytesToDigits(relabelled), keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('marks a test-mode token in the signed kind byte: a test voucher is version 2, and clearing the flag breaks the signature', async () => {
    const pair = await generateSigningKeyPair();
    const keys = await keysFor(pair);
    const voucher = await signVoucherToken({ ...claims, test: true }, pair.privateKey);
    const refund = await signVoucherToken({ ...claims, kind: 'refund', test: true }, pair.privateKey);
    expect([...digitsToBytes(voucher)!.slice(0, 2)]).toEqual([2, 0x81]);
    expect([...digitsToBytes(refund)!.slice(0, 2)]).toEqual([2, 0x82]);
    expect(await verifyVoucherToken(voucher, keys)).toEqual({ ok: true, claims: { ...claims, kind: 'voucher', test: true } });
    expect(await verifyVoucherToken(refund, keys)).toEqual({ ok: true, claims: { ...claims, kind: 'refund', test: true } });
    // A live voucher written as version 2 (kind byte 1) is defined, and reads as live.
    const cleared = digitsToBytes(voucher)!;
    cleared[1] = 0x01;
    expect(await verifyVoucherToken(bytesToDigits(cleared), keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
    // Unknown kinds stay unsupported with or without the flag.
    cleared[1] = 0x83;
    expect(decodeVoucherToken(bytesToDigits(cleared))).toMatchObject({ ok: false, reason: 'unsupported', detail: 'token kind 3 is not supported' });
  });

  it('fails verification for every single-byte change of a token', async () => {
    const pair = await generateSigningKeyPair();
    const keys = await keysFor(pair);
    const bytes = digitsToBytes(await signVoucherToken(claims, pair.privateKey))!;
    for (let i = 0; i < bytes.length; i++) {
      for (const delta of [1, 0x80]) {
        const altered = bytes.slice();
        altered[i] = (altered[i]! + delta) & 0xff;
        const check = await verifyVoucherToken(bytesToDigits(altered), keys);
        expect(check.ok, `byte ${i} + ${delta}`).toBe(false);
      }
    }
  });

  it('rejects a token whose amount was changed, naming the signature', async () => {
    const pair = await generateSigningKeyPair();
    const forged = await signVoucherToken({ ...claims, amount: 1 }, (await generateSigningKeyPair()).privateKey);
    const check = await verifyVoucherToken(forged, await keysFor(pair));
    expect(check).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a token signed by a key id the verifier does not hold', async () => {
    const pair = await generateSigningKeyPair();
    const token = await signVoucherToken({ ...claims, kid: 7 }, pair.privateKey);
    expect(await verifyVoucherToken(token, await keysFor(pair, 1))).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('calls truncated, padded and non-digit tokens malformed', async () => {
    const pair = await generateSigningKeyPair();
    const token = await signVoucherToken(claims, pair.privateKey);
    const keys = await keysFor(pair);
    expect(await verifyVoucherToken(token.slice(0, -17), keys)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifyVoucherToken(`${token}000`, keys)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifyVoucherToken('hello', keys)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifyVoucherToken('', keys)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('names an unknown format version as unsupported', async () => {
    const body = encodeClaims(claims);
    body[0] = 9;
    const token = bytesToDigits(new Uint8Array([...body, ...new Uint8Array(64)]));
    expect(decodeVoucherToken(token)).toMatchObject({ ok: false, reason: 'unsupported' });
  });
});

describe('test vectors in docs/voucher-token-vectors.json', () => {
  it('verifies every valid vector to its claims and refuses every invalid one for its reason', async () => {
    const keys = await importVerificationKeys(vectors.keys as never);
    expect(vectors.valid.length).toBeGreaterThan(0);
    for (const v of vectors.valid) {
      const check = await verifyVoucherToken(v.token, keys);
      expect(check.ok, v.description).toBe(true);
      if (!check.ok) continue;
      expect(bytesToDigits(check.claims.voucherId)).toBeDefined();
      expect({ ...check.claims, voucherId: Buffer.from(check.claims.voucherId).toString('hex') }).toEqual(v.claims);
      expect(['voucher', 'refund']).toContain(check.claims.kind);
      expect(voucherQrText(vectors.public_url, v.token)).toBe(v.qr);
    }
    for (const v of vectors.invalid) {
      expect(await verifyVoucherToken(v.token, keys), v.description).toMatchObject({ ok: false, reason: v.reason });
    }
  });
});

describe('QR size', () => {
  const largest = (publicUrl: string): VoucherClaims => ({
    kid: 16_383, // the largest two-byte key id
    voucherId: new Uint8Array(8).fill(0xff),
    amount: MAX_AMOUNT,
    currency: 'ZZZ',
    expiresAt: 0xffffffff,
    merchant: truncateUtf8('商'.repeat(40), MERCHANT_DISPLAY_MAX_BYTES),
    orderRef: '~'.repeat(64),
    summary: itemSummary(
      Array.from({ length: 100 }, () => ({ name: '超长商品名称'.repeat(5), quantity: 99 })),
      summaryBudget(publicUrl),
    ),
  });

  for (const publicUrl of ['http://localhost:8080', 'https://pay.counterpay.example', 'http://192.168.100.200:8080']) {
    it(`fits the largest voucher in version 10-M or lower for ${publicUrl}`, async () => {
      const pair = await generateSigningKeyPair();
      const text = voucherQrText(publicUrl, await signVoucherToken(largest(publicUrl), pair.privateKey));
      const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
      expect(qr.version).toBeLessThanOrEqual(10);
      expect(qrVersionFor(qrPrefix(publicUrl), text.length - qrPrefix(publicUrl).length)).toBeGreaterThanOrEqual(qr.version);
      expect(summaryBudget(publicUrl)).toBeGreaterThanOrEqual(8);
    });
  }

  it('upper-cases scheme and host only, so the prefix rides in alphanumeric mode', () => {
    expect(qrPrefix('http://localhost:8080')).toBe('HTTP://LOCALHOST:8080/V/');
    expect(qrPrefix('https://shop.example/pay/')).toBe('HTTPS://SHOP.EXAMPLE/pay/V/');
  });
});

describe('summary and truncation', () => {
  it('cuts at a code point and marks the cut', () => {
    expect(truncateUtf8('Grüße aus Köln', 10)).toBe('Grüße…');
    expect(new TextEncoder().encode(truncateUtf8('商'.repeat(40), 24)).length).toBeLessThanOrEqual(24);
    expect(truncateUtf8('short', 24)).toBe('short');
  });

  it('keeps the count of further items whole and lets the name give way', () => {
    expect(
      itemSummary(
        [
          { name: 'Mug', quantity: 2 },
          { name: 'Tee', quantity: 1 },
        ],
        16,
      ),
    ).toBe('2× Mug +1');
    expect(
      itemSummary(
        [
          { name: 'A very long product name', quantity: 1 },
          { name: 'x', quantity: 1 },
          { name: 'y', quantity: 1 },
        ],
        16,
      ),
    ).toBe('A very lon… +2');
    expect(itemSummary([], 16)).toBe('');
  });
});
