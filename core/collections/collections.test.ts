import { describe, expect, it } from 'vitest';
import { generateDeviceKeyPair, GENESIS_HASH, recordHash, signCollection, verifyCollectionSignature, type CollectionRecord } from './collection-record.ts';
import { checkLease } from './lease.ts';
import { DEFAULT_LIMITS, type Lease } from '../contract/till.ts';
import { checkRefundAtTill, checkVoucherAtTill, type TillContext } from './till-check.ts';
import { generateSigningKeyPair } from '../token/operator-keys.ts';
import { signVoucherToken } from '../token/voucher-token.ts';
import { voucherIdToString } from '../vouchers/voucher-id.ts';

const record: CollectionRecord = {
  v: 1,
  id: '5f0c6f7e-2b7a-4bb0-9d0e-1f6c2c1d9a01',
  device_id: 'dev_x',
  seq: 1,
  prev_hash: GENESIS_HASH,
  token: '123',
  amount: 4990,
  currency: 'EUR',
  tender: 'cash',
  tender_reference: null,
  collected_at: '2026-11-26T12:00:00.000Z',
};

describe('collection records', () => {
  it('verifies with the device key and fails when any field changes', async () => {
    const pair = await generateDeviceKeyPair();
    const signed = await signCollection(record, pair.privateKey);
    expect(await verifyCollectionSignature(signed, pair.publicKey)).toBe(true);
    for (const change of [
      { amount: 4991 },
      { seq: 2 },
      { tender: 'bank_card' as const },
      { collected_at: '2026-11-26T12:00:01.000Z' },
      { prev_hash: 'f'.repeat(64) },
      { token: '124' },
    ]) {
      expect(await verifyCollectionSignature({ ...signed, ...change }, pair.publicKey)).toBe(false);
    }
    expect(await verifyCollectionSignature({ ...signed, signature: 'not-base64!' }, pair.publicKey)).toBe(false);
  });

  it('chains: the hash names the record and its signature', async () => {
    const pair = await generateDeviceKeyPair();
    const a = await signCollection(record, pair.privateKey);
    const b = await signCollection(record, pair.privateKey); // ECDSA is randomised
    expect(await recordHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await recordHash(a)).not.toBe(await recordHash(b));
  });
});

const lease: Lease = { currency: 'EUR', ...DEFAULT_LIMITS };
const now = new Date('2026-11-26T12:00:00Z');

describe('offline lease', () => {
  const base = { amount: 1000, unsyncedTotal: 0, unsyncedCount: 0, lastSyncAt: new Date(now.getTime() - 60_000), now };
  it('allows a collection inside every cap', () => expect(checkLease(lease, base)).toEqual({ ok: true }));
  it('refuses a voucher above the per-voucher cap', () => expect(checkLease(lease, { ...base, amount: 25_001 })).toEqual({ ok: false, reason: 'voucher_too_large' }));
  it('refuses when unsynced money would pass the cap', () => expect(checkLease(lease, { ...base, unsyncedTotal: 99_500 })).toEqual({ ok: false, reason: 'total_exceeded' }));
  it('refuses when too many collections wait', () => expect(checkLease(lease, { ...base, unsyncedCount: 100 })).toEqual({ ok: false, reason: 'count_exceeded' }));
  it('refuses after too long without a sync, or with none', () => {
    expect(checkLease(lease, { ...base, lastSyncAt: new Date(now.getTime() - 24 * 3600_000 - 1000) })).toEqual({ ok: false, reason: 'offline_too_long' });
    expect(checkLease(lease, { ...base, lastSyncAt: null })).toEqual({ ok: false, reason: 'offline_too_long' });
  });
});

describe('till check', async () => {
  const operator = await generateSigningKeyPair();
  const keys = new Map([[1, operator.publicKey]]);
  const voucherId = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const token = await signVoucherToken(
    { kid: 1, voucherId, amount: 4990, currency: 'EUR', expiresAt: now.getTime() / 1000 + 3600, merchant: 'Shop', orderRef: 'O-1', summary: '' },
    operator.privateKey,
  );
  const ctx = (over: Partial<TillContext> = {}): TillContext => ({
    keys,
    now,
    lease,
    knownStatus: () => undefined,
    collectedHere: () => false,
    unsyncedTotal: 0,
    unsyncedCount: 0,
    lastSyncAt: now,
    ...over,
  });

  it('accepts a valid voucher and names it', async () => {
    expect(await checkVoucherAtTill(token, ctx())).toMatchObject({ ok: true, voucherId: voucherIdToString(voucherId), lease: { ok: true } });
  });
  it('refuses an expired voucher', async () => {
    expect(await checkVoucherAtTill(token, ctx({ now: new Date(now.getTime() + 3600_000) }))).toMatchObject({ ok: false, reason: 'expired' });
  });
  it('refuses a voucher the feed lists as paid or canceled', async () => {
    expect(await checkVoucherAtTill(token, ctx({ knownStatus: () => 'paid' }))).toMatchObject({ ok: false, reason: 'paid_elsewhere' });
    expect(await checkVoucherAtTill(token, ctx({ knownStatus: () => 'canceled' }))).toMatchObject({ ok: false, reason: 'canceled' });
  });
  it('refuses a voucher this till already collected', async () => {
    expect(await checkVoucherAtTill(token, ctx({ collectedHere: () => true }))).toMatchObject({ ok: false, reason: 'collected_here' });
    // Collected here, then paid per the feed: this till says it took the money itself.
    expect(await checkVoucherAtTill(token, ctx({ collectedHere: () => true, knownStatus: () => 'paid' }))).toMatchObject({ ok: false, reason: 'collected_here' });
  });
  it('refuses another currency than the store takes', async () => {
    expect(await checkVoucherAtTill(token, ctx({ lease: { ...lease, currency: 'JPY' } }))).toMatchObject({ ok: false, reason: 'wrong_currency' });
  });
  it('passes a lease problem up for an online confirmation', async () => {
    expect(await checkVoucherAtTill(token, ctx({ unsyncedCount: 100 }))).toMatchObject({ ok: true, lease: { ok: false, reason: 'count_exceeded' } });
  });
  it('refuses a test-mode voucher whatever else holds, and a test-mode refund at payout', async () => {
    const claims = { kid: 1, voucherId, amount: 4990, currency: 'EUR', expiresAt: now.getTime() / 1000 + 3600, merchant: 'Shop', orderRef: 'O-1', summary: '', test: true };
    const testVoucher = await signVoucherToken(claims, operator.privateKey);
    expect(await checkVoucherAtTill(testVoucher, ctx())).toMatchObject({ ok: false, reason: 'test_voucher', claims: { test: true } });
    const testRefund = await signVoucherToken({ ...claims, kind: 'refund' }, operator.privateKey);
    expect(await checkRefundAtTill(testRefund, { keys, now, currency: 'EUR' })).toMatchObject({ ok: false, reason: 'test_refund' });
  });
  it('refuses an altered token', async () => {
    const altered = token.slice(0, 30) + ((Number(token[30]) + 5) % 10) + token.slice(31);
    expect((await checkVoucherAtTill(altered, ctx())).ok).toBe(false);
  });
});
