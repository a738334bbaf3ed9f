/**
 * `npm run bench -- failover`: how long writes stop when the primary is lost, and whether anything
 * acknowledged is lost, on the pg_auto_failover cluster the `ha` tier builds
 * (test/support/failover-cluster.ts, docs/operations.md). Several drills in one run: each SIGKILLs
 * the whole primary node (keeper and PostgreSQL) under merchants' and tills' traffic, measures from
 * the kill to the first acknowledged write sent after it, then starts the lost node again and waits
 * until it is the synchronous standby. The baseline, from the same run, is a write's own round trip
 * while nothing fails. Needs root and `postgresql-15-auto-failover`.
 */
import { spawnSync } from 'node:child_process';
import { canBuildCluster, FailoverCluster } from '../../test/support/failover-cluster.ts';
import { DrillTraffic } from '../../test/support/failover-drill.ts';
import { median } from '../load.ts';
import { ROOT, type RunningServer, startServer } from '../../test/support/server.ts';

const DRILLS = 4;

export async function benchFailover(): Promise<void> {
  if (!canBuildCluster()) {
    console.log('failover: skipped (needs root and postgresql-15-auto-failover: apt-get install postgresql-15-auto-failover)');
    return;
  }
  const cluster = await FailoverCluster.create();
  const servers: RunningServer[] = [];
  try {
    const env = { DATABASE_URL: cluster.databaseUrl, DATABASE_POOL_SIZE: '4', WORKER: 'off' };
    servers.push(await startServer({ env }), await startServer({ env }));
    const cli = spawnSync(process.execPath, ['bin/counterpay.js', 'device', 'enroll-code', '--store', 'sto_demo', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    const traffic = await DrillTraffic.start(servers, [servers[0]!.enrolCode, JSON.parse(cli.stdout).code]);
    const quietFrom = Date.now();
    await traffic.acknowledgedAfter(quietFrom, 200);
    const roundTrips = traffic.writes.filter((w) => w.sentAt >= quietFrom).map((w) => w.answeredAt - w.sentAt);
    const baseline = median(roundTrips);

    const gaps: number[] = [];
    for (let i = 0; i < DRILLS; i++) {
      await cluster.waitFor(() => cluster.synchronous(), 'synchronous replication');
      const primary = (await cluster.primary())!;
      const lostAt = Date.now();
      cluster.killNode(primary);
      await traffic.acknowledgedAfter(lostAt, 20);
      gaps.push(traffic.firstWriteAfter(lostAt)!);
      cluster.restartNode(primary);
      await cluster.waitFor(async () => (await cluster.states()).find((s) => s.name === primary.name)?.reported === 'secondary', 'the lost node to rejoin');
    }
    await traffic.stop();

    const promoted = (await cluster.primary())!;
    const ids = traffic.vouchers.map((v) => v.id);
    const found = await cluster.sql<{ n: number }>(promoted.port, 'counterpay', 'select count(*)::int as n from vouchers where id = any($1)', [ids]);
    const records = [...traffic.collections.values()];
    const settled = await cluster.sql<{ n: number }>(promoted.port, 'counterpay', 'select count(*)::int as n from collections where id = any($1)', [
      records.map((c) => c.record.id),
    ]);
    const lost = ids.length - found[0]!.n + (records.length - settled[0]!.n);

    const med = median(gaps);
    const max = Math.max(...gaps);
    console.log(
      `failover (primary node SIGKILLed, ${DRILLS} drills): first acknowledged write after ${fmt(med)} ms median, ${fmt(max)} ms max; a write's round trip meanwhile ${fmt(baseline, 1)} ms (median ${fmt(med / baseline)}× a round trip)`,
    );
    console.log(
      `failover: acknowledged writes lost ${lost} of ${ids.length} vouchers and ${records.length} collections (goal 0); each gap: ${gaps.map((g) => fmt(g)).join(', ')} ms`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await cluster.destroy();
  }
}

const fmt = (x: number, digits = 0) => x.toFixed(digits);
