import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../core/contract/till.ts';
import type { EntryResult } from '../offline/journal.store.ts';
import type { JournalEntry } from '../offline/till-records.ts';
import { backoffMs, batches, pullFeed, pushJournal, type PushPorts } from './sync.ts';
import { MAX_BATCH_BYTES } from '../../core/contract/till.ts';
import type { ApiResult } from './till.api.ts';
import type { CollectionsAnswer, FeedPage } from '../../core/contract/till.ts';

function entry(seq: number): JournalEntry {
  return {
    id: `c-${seq}`,
    deviceId: 'dev_a',
    seq,
    voucherId: `vch_${seq}`,
    record: {
      v: 1,
      id: `c-${seq}`,
      device_id: 'dev_a',
      seq,
      prev_hash: '0'.repeat(64),
      token: '1',
      amount: 100,
      currency: 'EUR',
      tender: 'cash',
      tender_reference: null,
      collected_at: '2030-01-01T00:00:00Z',
      signature: 's',
    },
    hash: 'a'.repeat(64),
    state: 'queued',
    cashGiven: null,
    result: null,
    attentionDetail: null,
    attempts: 0,
  };
}

/** A journal in memory with the same rules as the IndexedDB one: a settled row keeps its outcome. */
function journal(n: number, answer: (batch: JournalRecord[]) => ApiResult<CollectionsAnswer>) {
  const rows = new Map(Array.from({ length: n }, (_, i) => [`c-${i + 1}`, entry(i + 1)]));
  const batches: number[] = [];
  const ports: PushPorts = {
    async queued() {
      return [...rows.values()].filter((r) => r.state === 'queued');
    },
    async post(batch) {
      batches.push(batch.length);
      return answer(batch);
    },
    async apply(results: EntryResult[], at) {
      for (const r of results) {
        const row = rows.get(r.id)!;
        if (row.state === 'settled') continue;
        rows.set(r.id, r.kind === 'settle' ? { ...row, state: 'settled', result: { ...r.outcome, settledAt: at } } : { ...row, state: 'attention', attentionDetail: r.detail });
      }
    },
    async noteAttempts(ids) {
      for (const id of ids) rows.set(id, { ...rows.get(id)!, attempts: rows.get(id)!.attempts + 1 });
    },
    now: () => 1,
  };
  const states = () => [...rows.values()].map((r) => r.state);
  return { rows, batches, ports, states };
}

const accepted = (batch: JournalRecord[]): ApiResult<CollectionsAnswer> => ({
  ok: true,
  data: { data: batch.map((c, index) => ({ index, id: c.id, outcome: 'accepted', voucher_id: `vch_${c.seq}`, detail: 'paid', flags: [] })) },
});

describe('sending the journal', () => {
  it('settles every row with the outcome the server gave it, 500 rows a call at most', async () => {
    const j = journal(1001, accepted);
    const outcome = await pushJournal(j.ports, { bytes: Infinity });
    expect(j.batches).toEqual([500, 500, 1]);
    expect(outcome).toMatchObject({ status: 'done', settled: 1001 });
    expect(new Set(j.states())).toEqual(new Set(['settled']));
  });

  it('keeps each call under the API’s body limit, in chain order', () => {
    const rows = Array.from({ length: 300 }, (_, i) => entry(i + 1));
    const cut = batches(rows);
    expect(cut.flat().map((r) => r.seq)).toEqual(rows.map((r) => r.seq));
    for (const batch of cut) expect(JSON.stringify({ collections: batch.map((r) => r.record) }).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batches(rows, 500, Infinity)).toHaveLength(1);
  });

  it('keeps duplicate and late rows as final outcomes, not as failures', async () => {
    const j = journal(2, (batch) => ({
      ok: true,
      data: { data: batch.map((c, index) => ({ index, id: c.id, outcome: index ? 'late' : 'duplicate', voucher_id: 'vch_x', detail: 'owed back', flags: [] })) },
    }));
    await pushJournal(j.ports);
    expect([...j.rows.values()].map((r) => r.result?.outcome)).toEqual(['duplicate', 'late']);
  });

  it('moves a row the server calls malformed to "needs attention", never out of the journal', async () => {
    const j = journal(3, (batch) => ({
      ok: true,
      data: {
        data: batch.map((c, index) =>
          index === 1
            ? { index, id: c.id, outcome: 'rejected' as const, reason: 'malformed', voucher_id: null, detail: 'signature is not base64url', flags: [] }
            : { index, id: c.id, outcome: 'accepted' as const, voucher_id: 'v', detail: '', flags: [] },
        ),
      },
    }));
    const outcome = await pushJournal(j.ports);
    expect(j.states()).toEqual(['settled', 'attention', 'settled']);
    expect(j.rows.get('c-2')!.attentionDetail).toBe('signature is not base64url');
    expect(outcome.quarantined).toBe(1);
  });

  it('quarantines a row the server could not read far enough to name its id', async () => {
    const j = journal(1, () => ({
      ok: true,
      data: { data: [{ index: 0, id: null, outcome: 'rejected', reason: 'malformed', voucher_id: null, detail: 'not an object', flags: [] }] },
    }));
    await pushJournal(j.ports);
    expect(j.states()).toEqual(['attention']);
  });

  it('keeps every row queued when the server answers 500 or cannot be reached', async () => {
    for (const failure of [
      { ok: false, reason: 'status', status: 500, problem: null, detail: 'boom' },
      { ok: false, reason: 'network' },
    ] as const) {
      const j = journal(3, () => failure);
      const outcome = await pushJournal(j.ports);
      expect(outcome.status).toBe('retry');
      expect(j.states()).toEqual(['queued', 'queued', 'queued']);
      expect(j.rows.get('c-1')!.attempts).toBe(1);
    }
  });

  it('reports an unauthorized till and keeps its rows', async () => {
    const j = journal(1, () => ({ ok: false, reason: 'status', status: 401, problem: 'unauthorized', detail: 'no' }));
    expect((await pushJournal(j.ports)).status).toBe('unauthorized');
    expect(j.states()).toEqual(['queued']);
  });

  it('splits a batch the server refuses as a whole (413) and sends the halves, dropping nothing', async () => {
    const j = journal(8, (batch) => (batch.length > 2 ? { ok: false, reason: 'status', status: 413, problem: 'too-large', detail: 'too many' } : accepted(batch)));
    const outcome = await pushJournal(j.ports, { bytes: Infinity });
    expect(j.batches).toEqual([8, 4, 2, 2, 4, 2, 2]);
    expect(outcome).toMatchObject({ status: 'done', settled: 8 });
  });

  it('quarantines the single row a 400 points at after splitting, and settles the others', async () => {
    const j = journal(4, (batch) =>
      batch.some((c) => c.id === 'c-3') ? { ok: false, reason: 'status', status: 400, problem: 'validation', detail: 'collections[0].token: bad' } : accepted(batch),
    );
    await pushJournal(j.ports);
    expect(j.states()).toEqual(['settled', 'settled', 'attention', 'settled']);
    expect(j.rows.get('c-3')!.attentionDetail).toContain('token');
  });

  it('never settles a row with an answer that names another collection', async () => {
    const j = journal(2, (batch) => ({
      ok: true,
      data: { data: batch.map((c, index) => ({ index, id: index ? 'someone-else' : c.id, outcome: 'accepted' as const, voucher_id: 'v', detail: '', flags: [] })) },
    }));
    const outcome = await pushJournal(j.ports);
    expect(j.states()).toEqual(['settled', 'queued']);
    expect(outcome.status).toBe('retry');
  });
});

function page(n: number, hasMore: boolean): FeedPage {
  return {
    object: 'till_feed',
    changes: [{ voucher_id: `vch_${n}`, status: 'paid', changed_at: '2030-01-01T00:00:00Z' }],
    reviewed: [],
    cursor: `c${n}`,
    has_more: hasMore,
    keys: { keys: [] },
    lease: { currency: 'EUR', max_voucher_amount: 1, max_unsynced_total: 1, max_unsynced_count: 1, max_offline_seconds: 1 },
    store: { id: 'sto', name: 'S', currency: 'EUR' },
    server_time: '2030-01-01T00:00:00Z',
    server_time_proof: 'proof',
  };
}

describe('pulling the paid list', () => {
  it('pages from the stored cursor while the server has more, and marks only the last page current', async () => {
    const asked: (string | null)[] = [];
    const stored: [string, boolean][] = [];
    const outcome = await pullFeed({
      cursor: async () => 'c0',
      fetch: async (since) => {
        asked.push(since);
        const n = Number(since!.slice(1)) + 1;
        return { ok: true, data: page(n, n < 3) };
      },
      store: async (p, last) => void stored.push([p.cursor, last]),
      now: () => 1,
    });
    expect(asked).toEqual(['c0', 'c1', 'c2']);
    expect(stored).toEqual([
      ['c1', false],
      ['c2', false],
      ['c3', true],
    ]);
    expect(outcome).toMatchObject({ status: 'done', pages: 3, changes: 3 });
  });

  it('tells a withdrawn device apart from a network failure', async () => {
    const base = { cursor: async () => null, store: async () => {}, now: () => 1 };
    expect(await pullFeed({ ...base, fetch: async () => ({ ok: false, reason: 'status', status: 403, problem: 'device-revoked', detail: 'revoked' }) })).toMatchObject({
      status: 'revoked',
    });
    expect(await pullFeed({ ...base, fetch: async () => ({ ok: false, reason: 'network' }) })).toMatchObject({ status: 'retry' });
  });
});

describe('retry backoff', () => {
  it('waits longer after each failure, up to five minutes', () => {
    const mid = () => 0.5;
    expect(backoffMs(0, mid)).toBe(0);
    expect(backoffMs(1, mid)).toBe(2000);
    expect(backoffMs(3, mid)).toBe(8000);
    expect(backoffMs(30, mid)).toBe(300_000);
  });
});
