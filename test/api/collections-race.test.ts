/**
 * Exactly once under real concurrency (PGlite serialises transactions, so this runs on PostgreSQL):
 * 200 collections with distinct ids for one voucher, from 4 processes through 2 API processes; and
 * whole batches that share vouchers, or are the same batch, decided at once (each batch is one
 * transaction, api/till-api/collections.service.ts, which gives way to deciding its records alone
 * when it meets another).
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../support/server.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { MAX_BATCH } from '../../core/contract/till.ts';
import { Account } from '../../core/ledger/ledger-rules.ts';

const cli = (args: string[], env: Record<string, string>) => {
  const r = spawnSync(process.execPath, ['bin/counterpay.js', ...args, '--json'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  return JSON.parse(r.stdout);
};

function sender(args: string[]): Promise<{ device: string; first: Array<{ id: string; outcome: string }>; replay: Array<{ id: string; outcome: string }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/race-sender.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sender exited ${code}: ${err}`))));
  });
}

describe.runIf(postgresUrl)('exactly once on PostgreSQL', () => {
  it('accepts exactly one of 200 collections of one voucher sent at once from 4 processes, and a replay answers the same', async () => {
    const db = await freshPostgresDatabase();
    const env = { DATABASE_URL: db.url };
    const merchant = cli(['merchant', 'create', '--name', 'Race Shop'], env);
    const store = cli(['store', 'create', '--name', 'Race Store'], env);
    const codes = [0, 1, 2, 3].map(() => cli(['device', 'enroll-code', '--store', store.id], env).code);
    const servers = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const res = await fetch(`${servers[0]!.url}/v1/vouchers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ order_ref: 'RACE-1', amount: 1500, currency: 'EUR' }),
      });
      const voucher = await res.json();
      const results = await Promise.all(codes.map((code, i) => sender([servers[i % 2]!.url, code, voucher.token, '1500', '50', '10'])));
      const first = results.flatMap((r) => r.first);
      expect(first).toHaveLength(200);
      expect(new Set(first.map((o) => o.id)).size).toBe(200);
      expect(first.filter((o) => o.outcome === 'accepted')).toHaveLength(1);
      expect(first.filter((o) => o.outcome === 'duplicate')).toHaveLength(199);
      for (const r of results) expect(r.replay).toEqual(r.first);
      const paid = await (await fetch(`${servers[1]!.url}/v1/vouchers/${voucher.id}`, { headers: { authorization: `Bearer ${merchant.api_key}` } })).json();
      expect(paid.status).toBe('paid');
      expect(first.find((o) => o.outcome === 'accepted')!.id).toBeDefined();
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
    }
  });

  it('pays each of 40 vouchers once when two tills send batches of all of them at once in opposite orders, and the same batch sent twice at once answers the same', async () => {
    const db = await freshPostgresDatabase();
    const env = { DATABASE_URL: db.url };
    const merchant = cli(['merchant', 'create', '--name', 'Batch Race Shop'], env);
    const store = cli(['store', 'create', '--name', 'Batch Race Store'], env);
    const servers = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const tills = await Promise.all(servers.map((s) => TestTill.enrol(serverConnection(s.url), cli(['device', 'enroll-code', '--store', store.id], env).code)));
      const vouchers: Array<{ id: string; token: string }> = [];
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${servers[0]!.url}/v1/vouchers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ order_ref: `BATCH-${i}`, amount: 700, currency: 'EUR' }),
        });
        vouchers.push(await res.json());
      }
      // Till A collects them first to last, till B last to first: their batches lock the same rows.
      const a = [];
      for (const v of vouchers) a.push(await tills[0]!.record(v.token, 700));
      const b = [];
      for (const v of [...vouchers].reverse()) b.push(await tills[1]!.record(v.token, 700));
      expect(a.length).toBeLessThanOrEqual(MAX_BATCH);
      const [fromA, fromB, again] = await Promise.all([tills[0]!.outcomes(a), tills[1]!.outcomes(b), tills[0]!.outcomes(a)]);
      const all = [...fromA, ...fromB];
      expect(all.filter((o) => o.outcome === 'accepted')).toHaveLength(40);
      expect(all.filter((o) => o.outcome === 'duplicate')).toHaveLength(40);
      expect(new Set(all.filter((o) => o.outcome === 'accepted').map((o) => o.voucher_id)).size).toBe(40);
      // The same batch twice at once: one copy decided it, the other answers what was stored.
      expect(again).toEqual(fromA);
      expect(await tills[0]!.outcomes(a)).toEqual(fromA);
      expect(await tills[1]!.outcomes(b)).toEqual(fromB);
      for (const v of vouchers) {
        const paid = await (await fetch(`${servers[1]!.url}/v1/vouchers/${v.id}`, { headers: { authorization: `Bearer ${merchant.api_key}` } })).json();
        expect(paid.status).toBe('paid');
      }
      // The ledger sums to zero, and the store owes 40 vouchers' cash plus 40 duplicates' (owed back to shoppers).
      const balances = cli(['ledger', 'balances'], env).data as Array<{ account: string; balance: number }>;
      expect(balances.reduce((sum, r) => sum + Number(r.balance), 0)).toBe(0);
      expect(balances.filter((r) => r.account === Account.refunds).reduce((sum, r) => sum + Number(r.balance), 0)).toBe(-40 * 700);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
    }
  });
});
