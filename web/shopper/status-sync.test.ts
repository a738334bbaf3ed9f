import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../app/http.ts';
import type { VoucherRecord } from '../offline/records.ts';
import type { VoucherStatusAnswer as StatusAnswer } from '../../core/contract/voucher-link.ts';
import { STATUS_BATCH, syncStatuses } from './status-sync.ts';

function record(n: number, status: VoucherRecord['status'] = 'open'): VoucherRecord {
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
    statusCheckedAt: null,
    savedAt: n,
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
      now: () => 42,
    },
  };
}

const idOf = (token: string) => `vch_${String(Number(token) - 1000).padStart(13, '0')}`;

describe('voucher status check', () => {
  it('asks only about vouchers still open here, since paid, expired and canceled are final', async () => {
    const s = server((t) => ({ voucher_id: idOf(t), status: 'open', paid_at: null, canceled_at: null }));
    await syncStatuses([record(1), record(2, 'paid'), record(3, 'canceled'), record(4, 'expired'), record(5)], s.deps);
    expect(s.calls).toEqual([['1001', '1005']]);
  });

  it('stores the status the server reports for each token, in the order asked', async () => {
    const s = server((t, i) => ({ voucher_id: idOf(t), status: i === 0 ? 'canceled' : 'paid', paid_at: i === 0 ? null : '2030-01-01T00:00:00Z', canceled_at: null }));
    const outcome = await syncStatuses([record(1), record(2)], s.deps);
    expect(outcome.reachedServer).toBe(true);
    expect(outcome.updated.map((r) => [r.id, r.status, r.statusCheckedAt])).toEqual([
      [record(1).id, 'canceled', 42],
      [record(2).id, 'paid', 42],
    ]);
  });

  it('sends at most the API’s batch size of tokens a call', async () => {
    const s = server((t) => ({ voucher_id: idOf(t), status: 'open', paid_at: null, canceled_at: null }));
    await syncStatuses(
      Array.from({ length: STATUS_BATCH * 2 + 1 }, (_, i) => record(i)),
      s.deps,
    );
    expect(s.calls.map((c) => c.length)).toEqual([STATUS_BATCH, STATUS_BATCH, 1]);
  });

  it('leaves a record alone when the server calls its token invalid or answers for another voucher', async () => {
    const s = server((_t, i) => (i === 0 ? { error: 'invalid_token' } : { voucher_id: 'vch_someoneelse00', status: 'paid', paid_at: null, canceled_at: null }));
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
