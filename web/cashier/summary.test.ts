import { describe, expect, it } from 'vitest';
import type { Tender } from '../../core/collections/collection-record.ts';
import type { JournalEntry } from '../offline/till-records.ts';
import { closeFigures, shiftReport } from './summary.ts';

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
    const s = shiftReport(
      [
        row('cash', 1000, '2030-01-01T07:59:59Z'),
        row('cash', 4250, '2030-01-01T09:00:00Z'),
        row('cash', 750, '2030-01-01T10:00:00Z', 'queued'),
        row('bank_card', 2000, '2030-01-01T11:00:00Z'),
      ],
      { storeCurrency: 'EUR', legacyStartedAt: start },
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
    const s = shiftReport(
      [
        row('cash', 500, '2030-01-01T09:00:00Z', 'settled', 'duplicate'),
        row('cash', 300, '2030-01-01T09:00:00Z', 'settled', 'rejected'),
        row('cash', 1, '2030-01-01T09:00:00Z', 'attention'),
      ],
      { storeCurrency: 'EUR', legacyStartedAt: start },
    );
    expect(s.owedBack).toEqual({ count: 1, total: 500 });
    expect(s.review).toBe(2);
  });

  it('takes payouts out of the drawer and starts the next shift after a close, with the float it left', () => {
    const cashIn = row('cash', 5000, '2030-01-01T09:00:00Z');
    const card = row('bank_card', 1200, '2030-01-01T09:10:00Z');
    const payout = payoutRow(1500, '2030-01-01T09:20:00Z');
    const report = shiftReport([cashIn, card, payout], { storeCurrency: 'EUR', legacyStartedAt: start });
    expect(report.payouts).toEqual({ count: 1, total: 1500 });
    expect(report.expectedCash).toBe(3500); // no float yet: 5000 in, 1500 out; cards are not in the drawer
    const figures = closeFigures(report, 'EUR', { countedCash: 3400, floatLeft: 1000 });
    expect(figures).toMatchObject({ first_seq: cashIn.seq, last_seq: payout.seq, expected_cash: 3500, counted_cash: 3400, difference: -100, float_left: 1000 });
    const close = closeRow(figures, '2030-01-01T17:00:00Z');
    const later = row('cash', 200, '2030-01-01T18:00:00Z');
    const next = shiftReport([cashIn, card, payout, close, later], { storeCurrency: 'EUR', legacyStartedAt: start });
    expect(next).toMatchObject({ openingFloat: 1000, count: 1, expectedCash: 1200, openedAt: Date.parse('2030-01-01T17:00:00Z') });
    expect(next.rows.map((r) => r.seq)).toEqual([later.seq]);
  });
});

function payoutRow(amount: number, at: string): JournalEntry {
  seq++;
  return {
    ...row('cash', amount, at),
    seq,
    record: {
      type: 'payout',
      v: 1,
      id: `p-${seq}`,
      device_id: 'dev',
      seq,
      prev_hash: '0'.repeat(64),
      token: '1',
      authorization_id: 'pau_1',
      amount,
      currency: 'EUR',
      paid_at: at,
      server_time: at,
      server_time_proof: 'p',
      signature: 's',
    },
  };
}

function closeRow(figures: ReturnType<typeof closeFigures>, at: string): JournalEntry {
  seq++;
  return {
    ...row('cash', 0, at),
    seq,
    record: {
      type: 'shift_close',
      v: 1,
      id: `z-${seq}`,
      device_id: 'dev',
      seq,
      prev_hash: '0'.repeat(64),
      ...figures,
      closed_at: at,
      server_time: at,
      server_time_proof: 'p',
      signature: 's',
    },
  };
}
