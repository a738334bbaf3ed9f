/**
 * Exactly once under real concurrency (PGlite serialises transactions, so this runs on PostgreSQL):
 * 200 collections with distinct ids for one voucher, from 4 processes through 2 API processes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../support/server.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';

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
});
