import { describe, expect, it } from 'vitest';
import { referenceForVoucherId } from '../../core/reference/reference.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import { newVoucherRecord, readVoucherRecord, voucherRecordSchema, type VoucherRecord } from '../offline/records.ts';
import { statusAt, voucherFromRecord } from './voucher.ts';
import { claimsFor, makeKey, refundFor, sign } from './testing.ts';

async function savedRecord(overrides: Partial<VoucherRecord> = {}) {
  const key = await makeKey(1);
  const claims = claimsFor(1, { expiresAt: 2_000_000_000 });
  const token = await sign(key, claims);
  const record: VoucherRecord = { ...newVoucherRecord({ id: voucherIdToString(claims.voucherId), token, qr: `HTTP://X/V/${token}`, savedAt: 1 }), ...overrides };
  return { record, claims };
}

describe('saved voucher', () => {
  it('shows the signed claims decoded from its token, and the reference derived from its id', async () => {
    const { record, claims } = await savedRecord();
    expect(voucherFromRecord(record)).toMatchObject({
      merchant: 'Demo Shop',
      orderRef: claims.orderRef,
      amount: claims.amount,
      currency: 'EUR',
      expiresAt: new Date(2_000_000_000_000),
      reference: referenceForVoucherId(claims.voucherId),
    });
  });

  it('prefers the full merchant name the server gave over the shortened one in the token', async () => {
    const { record } = await savedRecord({ merchantName: 'Demo Shop International' });
    expect(voucherFromRecord(record)?.merchant).toBe('Demo Shop International');
  });

  it('reads an open voucher as expired once its expiry has passed, offline', async () => {
    const { record } = await savedRecord();
    const voucher = voucherFromRecord(record)!;
    expect(statusAt(voucher, new Date(1_999_999_999_000))).toBe('open');
    expect(statusAt(voucher, new Date(2_000_000_000_000))).toBe('expired');
    expect(statusAt({ ...voucher, status: 'paid' }, new Date(2_100_000_000_000))).toBe('paid');
  });

  it('does not read a stored record whose token is not a token', async () => {
    const { record } = await savedRecord({ token: '12345' });
    expect(voucherFromRecord(record)).toBeNull();
  });
});

describe('records read back from IndexedDB', () => {
  it('refuses a record with an unknown status or a missing token, as an older or newer app might write', async () => {
    const { record } = await savedRecord();
    expect(voucherRecordSchema.safeParse(record).success).toBe(true);
    expect(voucherRecordSchema.safeParse({ ...record, status: 'refunded' }).success).toBe(false);
    const { token: _, ...withoutToken } = record;
    expect(voucherRecordSchema.safeParse(withoutToken).success).toBe(false);
  });

  it('reads a record saved before refunds existed as a voucher with none', async () => {
    const { record } = await savedRecord();
    const { refunds: _, ...old } = record;
    const read = readVoucherRecord(old);
    expect(read).toEqual({ ...record, refunds: [] });
    expect(voucherFromRecord(read!)?.refunds).toEqual([]);
  });

  it('keeps a voucher’s refunds, with the token and QR text that show the refund’s code offline', async () => {
    const refund = await refundFor(await makeKey(1), { code_sent: true });
    const { record } = await savedRecord({ status: 'paid', paidAt: '2026-11-20T10:00:00.000Z', refunds: [refund] });
    const stored = structuredClone(voucherRecordSchema.parse(record));
    expect(readVoucherRecord(stored)?.refunds).toEqual([refund]);
    expect(voucherFromRecord(readVoucherRecord(stored)!)?.refunds).toEqual([refund]);
  });

  it('still shows the voucher when its stored refunds cannot be read (a newer app’s refund status), without them', async () => {
    const refund = await refundFor(await makeKey(1));
    const { record } = await savedRecord({ refunds: [refund] });
    expect(readVoucherRecord({ ...record, refunds: [{ ...refund, status: 'on_hold' }] })).toEqual({ ...record, refunds: [] });
    expect(readVoucherRecord({ ...record, refunds: 'many' })?.refunds).toEqual([]);
  });

  it('reads a record saved before store lists existed, or with one this version cannot read, without a list', async () => {
    const { record } = await savedRecord();
    const { stores: _, ...old } = record;
    expect(readVoucherRecord(old)).toEqual({ ...record, stores: null });
    const { refunds: __, ...older } = old;
    expect(readVoucherRecord(older)).toEqual({ ...record, refunds: [], stores: null });
    expect(readVoucherRecord({ ...record, stores: { fetchedAt: 'yesterday', listings: [] } })?.stores).toBeNull();
  });

  it('keeps the stores listed under a voucher, as fetched, and hands them to the screen', async () => {
    const stores = { fetchedAt: 1_700_000_000_000, city: '10115', listings: [{ id: 'sto_demo', anything: 'as the server sent it' }] };
    const { record } = await savedRecord({ stores });
    const stored = structuredClone(voucherRecordSchema.parse(record));
    expect(readVoucherRecord(stored)?.stores).toEqual(stores);
    expect(voucherFromRecord(readVoucherRecord(stored)!)?.stores).toEqual(stores);
  });

  it('still hides a record that cannot be read for another reason, refunds or not', async () => {
    const { record } = await savedRecord();
    expect(readVoucherRecord({ ...record, status: 'refunded' })).toBeNull();
    const { refunds: _, ...old } = record;
    expect(readVoucherRecord({ ...old, token: undefined })).toBeNull();
  });
});
