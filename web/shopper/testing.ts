/** Test helpers: real operator keys and real signed tokens, as the API makes them. Used by *.test.ts only. */
import { generateSigningKeyPair, type OperatorJwk, type OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { signVoucherToken, type VoucherClaims } from '../../core/token/voucher-token.ts';
import type { RefundForShopper } from '../../core/contract/voucher-link.ts';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import { refundIdToString } from '../../core/vouchers/voucher-id.ts';
import type { VoucherRecord } from '../offline/records.ts';
import type { KeySource } from '../offline/verify.ts';

export interface TestKey {
  kid: number;
  pair: CryptoKeyPair;
  jwk: OperatorJwk;
}

export async function makeKey(kid: number): Promise<TestKey> {
  const pair = await generateSigningKeyPair();
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    kid,
    pair,
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: exported.x!,
      y: exported.y!,
      kid: String(kid),
      alg: 'ES256',
      use: 'sig',
      signs_from: '2025-01-01T00:00:00Z',
      signs_until: null,
      verify_until: null,
    },
  };
}

/**
 * The instant unit tests call "now". Fixed, so no test depends on the calendar: every rule under
 * test is handed this time (or one derived from it) through its `now` port.
 */
export const TEST_NOW = new Date('2026-11-26T12:00:00Z');

let counter = 0;
export function claimsFor(kid: number, overrides: Partial<VoucherClaims> = {}): VoucherClaims {
  counter++;
  return {
    kid,
    voucherId: Uint8Array.from([9, 8, 7, 6, 5, 4, 3, counter & 0xff]),
    amount: 12_345,
    currency: 'EUR',
    expiresAt: Math.floor(TEST_NOW.getTime() / 1000) + 3 * 86_400,
    merchant: 'Demo Shop',
    orderRef: `ORD-${1000 + counter}`,
    summary: '2× Mug +1',
    ...overrides,
  };
}

export function sign(key: TestKey, claims: VoucherClaims): Promise<string> {
  return signVoucherToken(claims, key.pair.privateKey);
}

/**
 * A refund as the server lists it to the shopper, with a real signed refund token (kind `refund`)
 * and everything derived from it as the API derives it.
 */
export async function refundFor(key: TestKey, overrides: Partial<RefundForShopper> = {}, claims: Partial<VoucherClaims> = {}): Promise<RefundForShopper> {
  const c = claimsFor(key.kid, { kind: 'refund', amount: 4_990, summary: '', voucherId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, (counter * 7) & 0xff]), ...claims });
  const token = await sign(key, c);
  return {
    id: refundIdToString(c.voucherId),
    status: 'pending',
    amount: c.amount,
    currency: c.currency,
    reference: referenceForVoucherId(c.voucherId),
    token,
    qr: voucherQrText('http://127.0.0.1:8080', token),
    expires_at: new Date(c.expiresAt * 1000).toISOString(),
    paid_at: null,
    code_sent: false,
    ...overrides,
  };
}

/** A key source with a cached set and a "server" set; counts refreshes; `online` false makes refresh fail. */
export function keySource(cached: TestKey[] | null, server: TestKey[], online = true) {
  const state = { cached: cached && ({ keys: cached.map((k) => k.jwk) } as OperatorJwkSet | null), refreshes: 0, online };
  const source: KeySource = {
    async cached() {
      return state.cached;
    },
    async refresh() {
      state.refreshes++;
      if (!state.online) return null;
      state.cached = { keys: server.map((k) => k.jwk) };
      return state.cached;
    },
  };
  return { source, state };
}

/** An in-memory stand-in for the IndexedDB voucher store, with the same lookups. */
export function memoryStore() {
  const rows = new Map<string, VoucherRecord>();
  return {
    rows,
    async getRecord(id: string) {
      return rows.get(id) ?? null;
    },
    async getRecordByLinkCode(code: string) {
      return [...rows.values()].find((r) => r.linkCode === code) ?? null;
    },
    async putRecord(record: VoucherRecord) {
      rows.set(record.id, structuredClone(record));
    },
  };
}
