/**
 * Payout authorisation at the till, on PostgreSQL (docs/refunds.md): how long a till waits for the
 * server's grant before the cashier may hand cash over, p50 and p99. Two tills, each through its
 * own connection, ask for every refund at the same moment (one is granted, one refused), so the
 * figure includes the race the guard decides. The baseline, measured in the same run against the
 * same server, is the round trip of GET /healthz (HTTP and one `select 1`).
 */
import { startServer } from '../../test/support/server.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';
import { serverConnection, TestTill } from '../../test/support/till.ts';
import { openDatabase } from '../../api/db/client.ts';
import { createServices } from '../../api/context.ts';
import { fmt } from '../load.ts';

const REFUNDS = Number(process.env.BENCH_PAYOUTS ?? 300);

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function benchPayouts() {
  const db = await freshPostgresDatabase();
  const server = await startServer({ env: { DATABASE_URL: db.url } });
  const database = await openDatabase({ databaseUrl: db.url, poolSize: 4 });
  try {
    const services = await createServices(database, { publicUrl: server.url });
    const merchant = { id: 'mer_demo', name: 'Demo Shop', livemode: true };
    const [a, b] = await Promise.all([0, 1].map(async () => TestTill.enrol(serverConnection(server.url), (await services.devices.createEnrolmentCode('sto_demo')).code)));
    const tokens: string[] = [];
    for (let i = 0; i < REFUNDS; i += 100) {
      const vouchers = await Promise.all(
        Array.from({ length: Math.min(100, REFUNDS - i) }, (_, j) =>
          services.vouchers.create(merchant, { order_ref: `PAY-${i + j}`, amount: 2500, currency: 'EUR' }, database.db as never),
        ),
      );
      const records = [];
      for (const v of vouchers) records.push(await a!.record(v.token, 2500));
      await a!.outcomes(records);
      for (const v of vouchers) tokens.push((await database.db.transaction((tx) => services.refunds.create(merchant, { voucher_id: v.id, reason: 'customer_request' }, tx))).token);
    }

    const grant: number[] = [];
    let granted = 0;
    for (const token of tokens) {
      const timed = async (till: TestTill) => {
        const t0 = performance.now();
        const res = await till.authorize(token);
        await res.arrayBuffer();
        return { ms: performance.now() - t0, ok: res.status === 200 };
      };
      const answers = await Promise.all([timed(a!), timed(b!)]);
      for (const x of answers) grant.push(x.ms);
      granted += answers.filter((x) => x.ok).length;
    }
    const health: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t0 = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      health.push(performance.now() - t0);
    }
    grant.sort((x, y) => x - y);
    health.sort((x, y) => x - y);
    const [g50, g99, h50, h99] = [percentile(grant, 0.5), percentile(grant, 0.99), percentile(health, 0.5), percentile(health, 0.99)];
    if (granted !== tokens.length) throw new Error(`expected exactly one grant per refund, got ${granted} for ${tokens.length}`);
    console.log(
      `payout authorisation at the till, PostgreSQL: p50 ${fmt(g50, 1)} ms, p99 ${fmt(g99, 1)} ms (${tokens.length} refunds, two tills asking at once, ${granted} granted)`,
    );
    console.log(`payout authorisation, baseline GET /healthz round trip: p50 ${fmt(h50, 1)} ms, p99 ${fmt(h99, 1)} ms; ratio p50 ${fmt(g50 / h50, 1)}×, p99 ${fmt(g99 / h99, 1)}×`);
  } finally {
    await database.close();
    await server.stop();
    await db.drop();
  }
}
