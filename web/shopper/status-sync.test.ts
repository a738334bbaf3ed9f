import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../app/http.ts';
import type { VoucherRecord } from '../offline/records.ts';
import type { VoucherStatusAnswer as StatusAnswer } from '../../core/contract/voucher-link.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import { needsStatusCheck, REFUND_WATCH_MS, STATUS_BATCH, syncStatuses } from './status-sync.ts';
import { claimsFor, makeKey, refundFor, sign, TEST_NOW } from './testing.ts';

const NOW = TEST_NOW.getTime();
const DAY = 86_400_000;

function record(n: number, status: VoucherRecord['status'] = 'open', overrides: Partial<VoucherRecord> = {}): VoucherRecord {
  return {
    id: `vch_${String(n).padStart(13, '0')}`,
    token: String(1000 + n),
    qr: `HTTP://X/V/${1000 + n}`,
    items: null,
    merchantName: null,
    linkCode: null,
    status,
    paidAt: null,
    canceledAt: null,
    refunds: [],
    statusCheckedAt: null,
    savedAt: n,
    stores: null,
    ...overrides,
  };
}

function server(answer: (token: string, i: number) => StatusAnswer['data'][number]) {
  const calls: string[][] = [];
  const puts: VoucherRecord[] = [];
  return {
    calls,
    puts,
    deps: {
      async fetchStatuses(tokens: string[]): Promise<HttpResult<StatusAnswer>> {
        calls.push(tokens);
        return { ok: true, data: { data: tokens.map(answer) } };
      },
      async putRecord(r: VoucherRecord) {
        puts.push(r);
      },
      now: () => NOW,
    },
  };
}

const idOf = (token: string) => `vch_${String(Number(token) - 1000).padStart(13, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();

describe('voucher status check', () => {
  it('asks about open vouchers, and about settled ones only while refunds may still come or one is pending', async () => {
    const key = await makeKey(1);
    const pending = await refundFor(key);
    const paidOut = await refundFor(key, { status: 'paid', paid_at: iso(NOW - 100 * DAY) });
    const s = server((t) => ({ voucher_id: idOf(t), status: 'paid', paid_at: null, canceled_at: null, refunds: [] }));
    await syncStatuses(
      [
        record(1),
        record(2, 'paid', { paidAt: iso(NOW - 5 * DAY) }),
        record(3, 'canceled', { canceledAt: iso(NOW - REFUND_WATCH_MS - 1) }),
        record(4, 'paid', { paidAt: iso(NOW - 100 * DAY), refunds: [pending] }),
        record(5, 'paid', { paidAt: iso(NOW - 100 * DAY), refunds: [paidOut] }),
        record(6, 'paid'), // settled at a time the phone never learned: not asked
        record(7),
      ],
      s.deps,
    );
    expect(s.calls).toEqual([['1001', '1002', '1004', '1007']]);
  });

  it('keeps asking about an expired voucher until the refund watch after its token’s expiry', async () => {
    const key = await makeKey(1);
    const claims = claimsFor(1, { expiresAt: Math.floor((NOW - 10 * DAY) / 1000) });
    const expired = record(1, 'expired', { id: voucherIdToString(claims.voucherId), token: await sign(key, claims) });
    expect(needsStatusCheck(expired, NOW)).toBe(true);
    expect(needsStatusCheck(expired, NOW - 10 * DAY + REFUND_WATCH_MS)).toBe(false);
  });

  it('asks about exactly the vouchers the caller picks, when it picks', async () => {
    const s = server((t) => ({ voucher_id: idOf(t), status: 'paid', paid_at: null, canceled_at: null, refunds: [] }));
    await syncStatuses([record(1), record(2, 'paid'), record(3, 'paid')], s.deps, (r) => r.id === record(3).id);
    expect(s.calls).toEqual([['1003']]);
  });

  it('stores the status the server reports for each token, in the order asked', async () => {
    const s = server((t, i) => ({ voucher_id: idOf(t), status: i === 0 ? 'canceled' : 'paid', paid_at: i === 0 ? null : '2030-01-01T00:00:00Z', canceled_at: null, refunds: [] }));
    const outcome = await syncStatuses([record(1), record(2)], s.deps);
    expect(outcome.reachedServer).toBe(true);
    expect(outcome.updated.map((r) => [r.id, r.status, r.statusCheckedAt])).toEqual([
      [record(1).id, 'canceled', NOW],
      [record(2).id, 'paid', NOW],
    ]);
  });

  it('stores the refunds the server lists with the voucher, replacing what the phone had', async () => {
    const key = await makeKey(1);
    const first = await refundFor(key);
    const second = await refundFor(key, { code_sent: true });
    const s = server((t) => ({
      voucher_id: idOf(t),
      status: 'paid',
      paid_at: iso(NOW - DAY),
      canceled_at: null,
      refunds: [second, { ...first, status: 'paid', paid_at: iso(NOW) }],
    }));
    const outcome = await syncStatuses([record(1, 'paid', { paidAt: iso(NOW - DAY), refunds: [first] })], s.deps);
    expect(outcome.updated).toHaveLength(1);
    expect(s.puts[0]!.refunds).toEqual([second, { ...first, status: 'paid', paid_at: iso(NOW) }]);
  });

  it('keeps no refund whose token is not a refund’s, or whose QR does not carry its token', async () => {
    const key = await makeKey(1);
    const good = await refundFor(key);
    const voucherToken = await sign(key, claimsFor(1, { amount: good.amount }));
    const s = server((t) => ({
      voucher_id: idOf(t),
      status: 'paid',
      paid_at: iso(NOW),
      canceled_at: null,
      refunds: [{ ...good, token: voucherToken }, { ...good, qr: 'HTTP://X/V/1' }, good],
    }));
    await syncStatuses([record(1)], s.deps);
    expect(s.puts[0]!.refunds).toEqual([good]);
  });

  it('sends at most the API’s batch size of tokens a call', async () => {
    const s = server((t) => ({ voucher_id: idOf(t), status: 'open', paid_at: null, canceled_at: null, refunds: [] }));
    await syncStatuses(
      Array.from({ length: STATUS_BATCH * 2 + 1 }, (_, i) => record(i)),
      s.deps,
    );
    expect(s.calls.map((c) => c.length)).toEqual([STATUS_BATCH, STATUS_BATCH, 1]);
  });

  it('leaves a record alone when the server calls its token invalid or answers for another voucher', async () => {
    const s = server((_t, i) => (i === 0 ? { error: 'invalid_token' } : { voucher_id: 'vch_someoneelse00', status: 'paid', paid_at: null, canceled_at: null, refunds: [] }));
    const outcome = await syncStatuses([record(1), record(2)], s.deps);
    expect(outcome.updated).toEqual([]);
    expect(s.puts).toEqual([]);
  });

  it('changes nothing and reports no contact when the network is down', async () => {
    const puts: VoucherRecord[] = [];
    const outcome = await syncStatuses([record(1)], {
      fetchStatuses: async () => ({ ok: false, reason: 'network' }),
      putRecord: async (r) => void puts.push(r),
      now: () => 1,
    });
    expect(outcome).toEqual({ updated: [], reachedServer: false });
    expect(puts).toEqual([]);
  });
});
