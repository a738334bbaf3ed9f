/**
 * The failover drill: Counterpay on a pg_auto_failover cluster (docs/operations.md), two API
 * processes, two merchants creating vouchers and two tills collecting them. Twice in the middle of
 * the traffic the primary is lost: first its postmaster alone is SIGKILLed (its keeper restarts it
 * or the standby is promoted), then the whole node (keeper and PostgreSQL: the machine is gone, and
 * the standby must take over). After the clients' own retries:
 * - every voucher a merchant got a 201 for is in the database, and paid by its one collection;
 * - every collection has exactly one outcome, the one the till was first told, and a replay of
 *   every till's records answers the same;
 * - the ledger balances; neither API process exited; writes came back within a bound (measured
 *   here, printed, and checked loosely: the figures belong to `npm run bench -- failover`);
 * - the lost node, started again, rejoins as the synchronous standby.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canBuildCluster, FailoverCluster } from '../support/failover-cluster.ts';
import { DrillTraffic } from '../support/failover-drill.ts';
import { ROOT, type RunningServer, startServer } from '../support/server.ts';

// Under CI=true this must run (a tier that cannot run fails); elsewhere it needs pg_auto_failover and root.
const canDrill = process.env.CI === 'true' || canBuildCluster();
/** Generous: measured writes return in about 1–3 s after a postmaster kill and 8–12 s after a node loss. */
const SERVED_AGAIN_WITHIN_MS = 60_000;

describe.runIf(canDrill)('failover drill on pg_auto_failover', () => {
  it('loses nothing acknowledged and settles every collection exactly once when the primary dies, twice', async () => {
    const cluster = await FailoverCluster.create();
    const servers: RunningServer[] = [];
    try {
      const env = { DATABASE_URL: cluster.databaseUrl, DATABASE_POOL_SIZE: '4', WORKER: 'off' };
      servers.push(await startServer({ env }));
      servers.push(await startServer({ env }));
      expect(servers[0]!.output()).toMatch(/database primary: 127\.0\.0\.1:\d+/);
      // A second till's code from the CLI, which finds the primary from the same DATABASE_URL.
      const cli = spawnSync(process.execPath, ['bin/counterpay.js', 'device', 'enroll-code', '--store', 'sto_demo', '--json'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect(cli.status, cli.stderr).toBe(0);
      const traffic = await DrillTraffic.start(servers, [servers[0]!.enrolCode, JSON.parse(cli.stdout).code]);
      await traffic.acknowledgedAfter(0, 30);

      const first = (await cluster.primary())!;
      const killedAt = Date.now();
      cluster.killPostmaster(first);
      await traffic.acknowledgedAfter(killedAt, 30);
      const afterPostmaster = traffic.firstWriteAfter(killedAt)!;
      await cluster.waitFor(() => cluster.synchronous(), 'synchronous replication again');
      // What the new primary acknowledged while it had no standby (wait_primary) lives on one
      // machine until the standby has it (docs/operations.md §8): the next loss comes after that.
      const acknowledgedAlone = (await cluster.currentLsn())!;
      await cluster.waitFor(() => cluster.standbyFlushed(acknowledgedAlone), 'the standby has what was acknowledged without it');

      const second = (await cluster.primary())!;
      const lostAt = Date.now();
      cluster.killNode(second);
      await traffic.acknowledgedAfter(lostAt, 30);
      const afterNode = traffic.firstWriteAfter(lostAt)!;
      const promoted = (await cluster.primary())!;
      expect(promoted.name).not.toBe(second.name);
      await traffic.stop();
      console.log(
        `failover drill: writes back ${afterPostmaster} ms after the primary's postmaster was killed, ${afterNode} ms after the primary node was lost; ${traffic.vouchers.length} vouchers, ${traffic.collections.size} collections; retried: ${JSON.stringify(Object.fromEntries(traffic.failures))}`,
      );
      expect(afterPostmaster).toBeLessThan(SERVED_AGAIN_WITHIN_MS);
      expect(afterNode).toBeLessThan(SERVED_AGAIN_WITHIN_MS);
      for (const s of servers) expect(s.process.exitCode).toBeNull();
      // What clients saw while the primary was away: 503 with Retry-After, never a 500.
      expect([...traffic.failures.keys()].filter((k) => / 5\d\d$/.test(k) && !k.endsWith(' 503'))).toEqual([]);
      for (const s of servers) expect(s.output()).not.toMatch(/unexpected error/);

      // Everything acknowledged is on the new primary.
      const q = <T>(text: string, params: unknown[] = []) => cluster.sql<T>(promoted.port, 'counterpay', text, params);
      const ids = traffic.vouchers.map((v) => v.id);
      expect(new Set(ids).size).toBe(ids.length);
      const found = await q<{ id: string; status: string }>('select id, status from vouchers where id = any($1)', [ids]);
      expect(found).toHaveLength(ids.length);
      expect(found.filter((v) => v.status !== 'paid')).toEqual([]);

      // One outcome per collection, the one the till was told; each voucher was collected once, so accepted.
      const records = [...traffic.collections.values()];
      expect(records.every((c) => c.outcome === 'accepted')).toBe(true);
      const stored = await q<{ id: string; outcome: string }>('select id, outcome from collections where id = any($1)', [records.map((c) => c.record.id)]);
      expect(stored).toHaveLength(records.length);
      expect(stored.every((c) => c.outcome === 'accepted')).toBe(true);
      for (const till of traffic.tills) {
        const mine = records.filter((c) => c.till === till).map((c) => c.record);
        for (let i = 0; i < mine.length; i += 50) {
          const replay = await till.outcomes(mine.slice(i, i + 50));
          expect(replay.map((o) => o.outcome)).toEqual(mine.slice(i, i + 50).map(() => 'accepted'));
        }
      }
      expect(await q('select transaction_id from ledger_postings group by transaction_id, currency having sum(amount) <> 0')).toEqual([]);

      // The lost node comes back as the synchronous standby.
      cluster.restartNode(second);
      await cluster.waitFor(async () => (await cluster.states()).find((s) => s.name === second.name)?.reported === 'secondary', `${second.name} to rejoin`);
      await cluster.waitFor(() => cluster.synchronous(), 'synchronous replication after the rejoin');
    } catch (err) {
      throw new Error(`${(err as Error).stack}\n${cluster.logs()}\n${servers.map((s) => s.output().split('\n').slice(-15).join('\n')).join('\n---\n')}`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await cluster.destroy();
    }
  }, 600_000);
});
