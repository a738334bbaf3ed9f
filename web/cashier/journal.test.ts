import { describe, expect, it } from 'vitest';
import { generateDeviceKeyPair, GENESIS_HASH, recordHash, verifyCollectionSignature } from '../../core/collections/collection-record.ts';
import { claimsFor, makeKey, sign } from '../shopper/testing.ts';
import { GENESIS } from '../offline/journal.store.ts';
import { buildJournalEntry } from './journal.ts';

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
});
