import { describe, expect, it } from 'vitest';
import { classifyUnpaid, type VoucherState } from './classify.ts';

const expiresAt = new Date('2030-01-01T12:00:00Z');
const open: VoucherState = { id: 'vch_1', status: 'open', amount: 500, currency: 'EUR', expiresAt, canceledAt: null, paidCollectionId: null };
const at = (iso: string, judged = iso, backdated: string | null = null) => ({ amount: 500, currency: 'EUR', collectedAt: iso, judgedAt: new Date(judged), backdated });

describe('the exception a collection is when it did not pay its voucher', () => {
  it('calls a collection of a paid voucher a duplicate, naming the collection that paid it', () => {
    expect(classifyUnpaid({ ...open, status: 'paid', paidCollectionId: 'c-1' }, at('2030-01-01T11:00:00Z'))).toMatchObject({
      outcome: 'duplicate',
      detail: expect.stringContaining('c-1'),
    });
  });

  it('calls a collection of a canceled voucher late, whatever its time', () => {
    expect(classifyUnpaid({ ...open, status: 'canceled', canceledAt: new Date('2030-01-01T10:00:00Z') }, at('2030-01-01T09:00:00Z')).outcome).toBe('late');
  });

  it('calls a collection after expiry late, and one with another amount or currency a mismatch', () => {
    expect(classifyUnpaid(open, at('2030-01-01T12:00:00Z')).outcome).toBe('late');
    expect(classifyUnpaid(open, { ...at('2030-01-01T11:00:00Z'), amount: 499 }).outcome).toBe('mismatch');
    expect(classifyUnpaid(open, { ...at('2030-01-01T11:00:00Z'), currency: 'USD' }).outcome).toBe('mismatch');
  });

  it('holds for review a backdated collection that only its claimed time would make paid', () => {
    expect(classifyUnpaid({ ...open, status: 'expired' }, at('2030-01-01T11:00:00Z', '2030-01-01T13:00:00Z', 'claims a time before its enrolment'))).toMatchObject({
      outcome: 'rejected',
      reason: 'clock_out_of_bounds',
    });
    // Late either way: the claimed time is after expiry too.
    expect(classifyUnpaid({ ...open, status: 'expired' }, at('2030-01-01T12:30:00Z', '2030-01-01T13:00:00Z', 'claims a time before its enrolment')).outcome).toBe('late');
  });

  it('treats an open, matching, unexpired voucher that did not settle as a bug, not an outcome', () => {
    expect(() => classifyUnpaid(open, at('2030-01-01T11:00:00Z'))).toThrow(/did not settle/);
  });
});
