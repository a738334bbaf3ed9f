import { describe, expect, it } from 'vitest';
import { generateDeviceKeyPair, GENESIS_HASH, recordHash, verifyCollectionSignature } from '../../core/collections/collection-record.ts';
import { claimsFor, makeKey, sign } from '../shopper/testing.ts';
import { GENESIS } from '../offline/journal.store.ts';
import { buildJournalEntry, buildPayoutEntry, buildShiftCloseEntry } from './journal.ts';
import { SignedPayout, SignedShiftClose } from '../../core/contract/till.ts';

describe('journal rows', async () => {
  const operator = await makeKey(1);
  const device = await generateDeviceKeyPair();

  it('chains each record to the one before it with seq + 1 and its hash, signed by the device key', async () => {
    const tokens = [await sign(operator, claimsFor(1)), await sign(operator, claimsFor(1))];
    const first = await buildJournalEntry(GENESIS, 'dev_a', device.privateKey, {
      token: tokens[0]!,
      tender: 'cash',
      tenderReference: null,
      cashGiven: 20_000,
      collectedAt: new Date('2030-01-01T10:00:00Z'),
    });
    const second = await buildJournalEntry({ seq: first.seq, hash: first.hash }, 'dev_a', device.privateKey, {
      token: tokens[1]!,
      tender: 'bank_card',
      tenderReference: 'T-991',
      cashGiven: 5,
      collectedAt: new Date('2030-01-01T10:05:00Z'),
    });
    expect(first.record).toMatchObject({
      v: 1,
      seq: 1,
      prev_hash: GENESIS_HASH,
      device_id: 'dev_a',
      tender: 'cash',
      tender_reference: null,
      collected_at: '2030-01-01T10:00:00.000Z',
    });
    expect(second.record).toMatchObject({ seq: 2, prev_hash: first.hash, tender: 'bank_card', tender_reference: 'T-991' });
    expect(first.hash).toBe(await recordHash(first.record));
    expect(await verifyCollectionSignature(first.record, device.publicKey)).toBe(true);
    expect(await verifyCollectionSignature(second.record, device.publicKey)).toBe(true);
    // Cards have no change to give.
    expect(second.cashGiven).toBeNull();
    expect(first.state).toBe('queued');
  });

  it('takes amount and currency from the signed token, never from the cashier', async () => {
    const token = await sign(operator, claimsFor(1, { amount: 777, currency: 'JPY' }));
    const entry = await buildJournalEntry(GENESIS, 'dev_a', device.privateKey, {
      token,
      tender: 'cash',
      tenderReference: 'ignored',
      cashGiven: 1000,
      collectedAt: new Date('2030-01-01T10:00:00Z'),
    });
    expect(entry.record).toMatchObject({ amount: 777, currency: 'JPY', tender_reference: null });
  });

  it('refuses to record a collection for a token that does not decode', async () => {
    await expect(
      buildJournalEntry(GENESIS, 'dev_a', device.privateKey, {
        token: '12345',
        tender: 'cash',
        tenderReference: null,
        cashGiven: null,
        collectedAt: new Date('2030-01-01T10:00:00Z'),
      }),
    ).rejects.toThrow(/unreadable token/);
  });

  it('chains a payout and a shift close after a collection, each signed by the device key and of the contract’s shape', async () => {
    const token = await sign(operator, claimsFor(1));
    const collected = await buildJournalEntry(GENESIS, 'dev_a', device.privateKey, {
      token,
      tender: 'cash',
      tenderReference: null,
      cashGiven: null,
      collectedAt: new Date('2030-01-01T10:00:00Z'),
    });
    const grant = {
      object: 'payout_authorization' as const,
      id: 'pau_1',
      refund_id: 'rfd_1',
      amount: 700,
      currency: 'EUR',
      merchant: { name: 'Demo Shop' },
      order_ref: 'ORD-1',
      reference: '123456789012',
      authorized_at: '2030-01-01T10:10:00Z',
      server_time: '2030-01-01T10:10:00Z',
      server_time_proof: '1.proof',
    };
    const refund = await sign(operator, claimsFor(1, { kind: 'refund', amount: 700 }));
    const payout = await buildPayoutEntry({ seq: collected.seq, hash: collected.hash }, 'dev_a', device.privateKey, {
      token: refund,
      grant,
      paidAt: new Date('2030-01-01T10:11:00Z'),
    });
    expect(payout).toMatchObject({ seq: 2, voucherId: 'rfd_1', cashGiven: null, state: 'queued' });
    expect(SignedPayout.parse(payout.record)).toMatchObject({ prev_hash: collected.hash, authorization_id: 'pau_1', amount: 700, server_time: grant.server_time });
    const close = await buildShiftCloseEntry({ seq: payout.seq, hash: payout.hash }, 'dev_a', device.privateKey, {
      currency: 'EUR',
      opened_at: '2030-01-01T08:00:00.000Z',
      first_seq: 1,
      last_seq: 2,
      collections: [{ tender: 'cash', count: 1, total: 4250 }],
      payouts: { count: 1, total: 700 },
      opening_float: 0,
      expected_cash: 3550,
      counted_cash: 3550,
      difference: 0,
      float_left: 0,
      closedAt: new Date('2030-01-01T17:00:00Z'),
      serverTime: { at: grant.server_time, proof: grant.server_time_proof },
    });
    expect(SignedShiftClose.parse(close.record)).toMatchObject({ seq: 3, prev_hash: payout.hash, closed_at: '2030-01-01T17:00:00.000Z' });
    for (const e of [payout, close]) {
      expect(await verifyCollectionSignature(e.record, device.publicKey)).toBe(true);
      expect(e.hash).toBe(await recordHash(e.record));
    }
    await expect(buildShiftCloseEntry(GENESIS, 'dev_a', device.privateKey, { ...SignedShiftClose.parse(close.record), closedAt: new Date(), serverTime: null })).rejects.toThrow(
      /never seen the server time/,
    );
  });
});
