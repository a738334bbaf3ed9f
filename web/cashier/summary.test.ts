import { describe, expect, it } from 'vitest';
import type { Tender } from '../../core/collections/collection-record.ts';
import type { JournalEntry } from '../offline/till-records.ts';
import { summarize } from './summary.ts';

let seq = 0;
function row(tender: Tender, amount: number, at: string, state: JournalEntry['state'] = 'settled', outcome: 'accepted' | 'duplicate' | 'rejected' = 'accepted'): JournalEntry {
  seq++;
  return {
    id: `c-${seq}`,
    deviceId: 'dev',
    seq,
    voucherId: `vch_${seq}`,
    hash: 'a'.repeat(64),
    state,
    cashGiven: null,
    attempts: 0,
    attentionDetail: null,
    result: state === 'settled' ? { outcome, voucher_id: `vch_${seq}`, detail: '', flags: [], settledAt: 1 } : null,
    record: {
      v: 1,
      id: `c-${seq}`,
      device_id: 'dev',
      seq,
      prev_hash: '0'.repeat(64),
      token: '1',
      amount,
      currency: 'EUR',
      tender,
      tender_reference: null,
      collected_at: at,
      signature: 's',
    },
  };
}

describe('shift summary', () => {
  const start = Date.parse('2030-01-01T08:00:00Z');

  it('counts and totals each tender from the journal rows of the shift only', () => {
    const s = summarize(
      [
        row('cash', 1000, '2030-01-01T07:59:59Z'),
        row('cash', 4250, '2030-01-01T09:00:00Z'),
        row('cash', 750, '2030-01-01T10:00:00Z', 'queued'),
        row('bank_card', 2000, '2030-01-01T11:00:00Z'),
      ],
      start,
      'EUR',
    );
    expect(s.lines).toEqual([
      { tender: 'cash', currency: 'EUR', count: 2, total: 5000 },
      { tender: 'prepaid_card', currency: 'EUR', count: 0, total: 0 },
      { tender: 'bank_card', currency: 'EUR', count: 1, total: 2000 },
    ]);
    expect(s.count).toBe(3);
    expect(s.totals).toEqual([{ currency: 'EUR', total: 7000 }]);
    expect(s.queued).toBe(1);
  });

  it('shows money owed back to shoppers and rows for review separately', () => {
    const s = summarize(
      [
        row('cash', 500, '2030-01-01T09:00:00Z', 'settled', 'duplicate'),
        row('cash', 300, '2030-01-01T09:00:00Z', 'settled', 'rejected'),
        row('cash', 1, '2030-01-01T09:00:00Z', 'attention'),
      ],
      start,
      'EUR',
    );
    expect(s.owedBack).toEqual({ count: 1, total: 500 });
    expect(s.review).toBe(2);
  });
});
