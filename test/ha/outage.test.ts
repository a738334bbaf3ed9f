/**
 * The single-database outage drill: Counterpay on one PostgreSQL, which crashes (`pg_ctl stop -m
 * immediate`) under merchants' and tills' traffic and comes back 5 s later. Every request while it is
 * away answers 503 problem+json with Retry-After (never a 500), the API processes stay up, writes
 * resume by themselves without a restart, and everything acknowledged is there afterwards.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { canBuildCluster, ScratchPostgres } from '../support/failover-cluster.ts';
import { DrillTraffic } from '../support/failover-drill.ts';
import { ROOT, type RunningServer, startServer } from '../support/server.ts';

// Under CI=true this must run (a tier that cannot run fails); elsewhere it needs root (to run PostgreSQL as postgres).
const canDrill = process.env.CI === 'true' || canBuildCluster();

describe.runIf(canDrill)('a single PostgreSQL that crashes and comes back', () => {
  it('answers 503 with Retry-After while it is away and resumes by itself, losing nothing acknowledged', async () => {
    const database = await ScratchPostgres.create();
    const servers: RunningServer[] = [];
    try {
      const env = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '4', WORKER: 'off' };
      servers.push(await startServer({ env }));
      servers.push(await startServer({ env }));
      const code = spawnSync(process.execPath, ['bin/counterpay.js', 'device', 'enroll-code', '--store', 'sto_demo', '--json'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      const traffic = await DrillTraffic.start(servers, [servers[0]!.enrolCode, JSON.parse(code.stdout).code]);
      await traffic.acknowledgedAfter(0, 30);

      database.crash();
      const downAt = Date.now();
      // While it is away: 503 problem+json with Retry-After, on a write and on a read.
      for (const [method, path] of [
        ['POST', '/v1/vouchers'],
        ['GET', '/v1/vouchers'],
      ] as const) {
        const res = await fetch(`${servers[1]!.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${servers[0]!.apiKey}`, 'content-type': 'application/json' },
          body: method === 'POST' ? JSON.stringify({ order_ref: 'OUTAGE', amount: 100, currency: 'EUR' }) : undefined,
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect((await res.json()).type).toBe('/docs/problems#database-unavailable');
      }
      expect((await fetch(`${servers[0]!.url}/healthz`)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 5000));
      database.start();
      const upAt = Date.now();
      await traffic.acknowledgedAfter(upAt, 30);
      await traffic.stop();
      console.log(
        `outage drill: down ${upAt - downAt} ms; writes back ${traffic.firstWriteAfter(upAt)} ms after it came back; retried: ${JSON.stringify(Object.fromEntries(traffic.failures))}`,
      );

      expect([...traffic.failures.keys()].filter((k) => / 5\d\d$/.test(k) && !k.endsWith(' 503'))).toEqual([]);
      for (const s of servers) {
        expect(s.process.exitCode).toBeNull();
        expect(s.output()).not.toMatch(/unexpected error/);
        expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const ids = traffic.vouchers.map((v) => v.id);
        const paid = await client.query('select count(*)::int as n from vouchers where id = any($1) and status = $2', [ids, 'paid']);
        expect(paid.rows[0].n).toBe(ids.length);
        const records = [...traffic.collections.values()];
        expect(records.every((c) => c.outcome === 'accepted')).toBe(true);
        const stored = await client.query('select count(*)::int as n from collections where id = any($1)', [records.map((c) => c.record.id)]);
        expect(stored.rows[0].n).toBe(records.length);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      database.destroy();
    }
  }, 300_000);
});
