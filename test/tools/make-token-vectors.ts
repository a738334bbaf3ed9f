/**
 * Writes docs/voucher-token-vectors.json: a test key pair, tokens that must verify and tokens that
 * must not, each with the reason. Run once when the format changes:
 *   node --import tsx test/tools/make-token-vectors.ts
 * ECDSA signatures are randomised, so running it again gives other (equally valid) tokens.
 */
import { writeFileSync } from 'node:fs';
import { bytesToDigits, digitsToBytes } from '../../core/token/digits.ts';
import { encodeClaims, signVoucherToken, type VoucherClaims } from '../../core/token/voucher-token.ts';
import { generateSigningKeyPair } from '../../core/token/operator-keys.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import { toHex } from '../../core/encoding/bytes.ts';

const publicUrl = 'http://localhost:8080';
const pair = await generateSigningKeyPair();
const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
const jwk = (kid: string) => ({
  kty: 'EC',
  crv: 'P-256',
  x: publicJwk.x,
  y: publicJwk.y,
  kid,
  alg: 'ES256',
  use: 'sig',
  signs_from: '2026-01-01T00:00:00Z',
  signs_until: null,
  verify_until: null,
});

const cases: Array<{ description: string; claims: VoucherClaims }> = [
  {
    description: 'EUR voucher with a two-item summary',
    claims: {
      kid: 1,
      voucherId: Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]),
      amount: 4990,
      currency: 'EUR',
      expiresAt: 1_800_000_000,
      merchant: 'Demo Shop',
      orderRef: 'ORD-1001',
      summary: '2× Mug +1',
    },
  },
  {
    description: 'JPY voucher (no minor unit), Chinese merchant name, empty summary',
    claims: {
      kid: 1,
      voucherId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]),
      amount: 300000,
      currency: 'JPY',
      expiresAt: 1_767_225_599,
      merchant: '示例商店',
      orderRef: '#A-77/2026',
      summary: '',
    },
  },
  {
    description: 'two-byte key id and a three-decimal currency',
    claims: {
      kid: 300,
      voucherId: Uint8Array.from([255, 254, 253, 252, 251, 250, 249, 248]),
      amount: 1,
      currency: 'KWD',
      expiresAt: 4_000_000_000,
      merchant: 'K',
      orderRef: 'x',
      summary: 'Gift card',
    },
  },
  {
    description: 'EUR refund (version 2, kind refund): a store pays it out, never collects it',
    claims: {
      kind: 'refund',
      kid: 1,
      voucherId: Uint8Array.from([0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe]),
      amount: 4990,
      currency: 'EUR',
      expiresAt: 1_802_592_000,
      merchant: 'Demo Shop',
      orderRef: 'ORD-1001',
      summary: '',
    },
  },
  {
    description: 'EUR test-mode voucher (version 2, kind byte 0x81: voucher with the test flag): every till refuses it',
    claims: {
      kind: 'voucher',
      test: true,
      kid: 1,
      voucherId: Uint8Array.from([0x21, 0x43, 0x65, 0x87, 0xa9, 0xcb, 0xed, 0x0f]),
      amount: 2500,
      currency: 'EUR',
      expiresAt: 1_802_592_000,
      merchant: 'Demo Shop',
      orderRef: 'ORD-TEST-1',
      summary: '1× Mug',
    },
  },
  {
    description: 'EUR test-mode refund (version 2, kind byte 0x82): no till pays it out',
    claims: {
      kind: 'refund',
      test: true,
      kid: 1,
      voucherId: Uint8Array.from([0x30, 0x41, 0x52, 0x63, 0x74, 0x85, 0x96, 0xa7]),
      amount: 990,
      currency: 'EUR',
      expiresAt: 1_802_592_000,
      merchant: 'Demo Shop',
      orderRef: 'ORD-TEST-1',
      summary: '',
    },
  },
];

const valid = [];
for (const c of cases) {
  const token = await signVoucherToken(c.claims, pair.privateKey);
  valid.push({
    description: c.description,
    token,
    qr: voucherQrText(publicUrl, token),
    body_hex: toHex(encodeClaims(c.claims)),
    claims: { kind: 'voucher', test: false, ...c.claims, voucherId: toHex(c.claims.voucherId) },
  });
}

const base = digitsToBytes(valid[0]!.token)!;
const bodyLength = encodeClaims(cases[0]!.claims).length;
const altered = (mutate: (b: Uint8Array) => Uint8Array) => bytesToDigits(mutate(base.slice()));
const invalid = [
  {
    description: 'amount byte changed after signing',
    reason: 'bad_signature',
    token: altered((b) => {
      b[2 + 1 + 8] = b[2 + 1 + 8]! ^ 0x01;
      return b;
    }),
  },
  {
    description: 'last signature byte changed',
    reason: 'bad_signature',
    token: altered((b) => {
      b[b.length - 1] = b[b.length - 1]! ^ 0x80;
      return b;
    }),
  },
  { description: 'signed by a key id the set does not hold', reason: 'unknown_key', token: await signVoucherToken({ ...cases[0]!.claims, kid: 2 }, pair.privateKey) },
  { description: 'signature cut short', reason: 'malformed', token: altered((b) => b.slice(0, bodyLength + 63)) },
  { description: 'a byte appended after the signature', reason: 'malformed', token: altered((b) => Uint8Array.from([...b, 0])) },
  { description: 'digit count that no byte count produces', reason: 'malformed', token: `${valid[0]!.token}1` },
  {
    description: 'format version 3',
    reason: 'unsupported',
    token: altered((b) => {
      b[0] = 3;
      return b;
    }),
  },
  {
    description: 'version 2 with a kind this format does not define (9)',
    reason: 'unsupported',
    token: bytesToDigits(Uint8Array.from([2, 9, ...base.slice(1)])),
  },
  {
    description: 'a voucher re-labelled as a refund: the kind byte is signed',
    reason: 'bad_signature',
    token: bytesToDigits(Uint8Array.from([2, 2, ...base.slice(1)])),
  },
];

writeFileSync(
  new URL('../../docs/voucher-token-vectors.json', import.meta.url),
  `${JSON.stringify({ public_url: publicUrl, keys: { keys: [jwk('1'), jwk('300')] }, test_private_jwk: privateJwk, valid, invalid }, null, 2)}\n`,
);
console.log(`wrote ${valid.length} valid and ${invalid.length} invalid vectors`);
