/**
 * Webhooks: deliveries per second to a local receiver with two `counterpay worker` processes,
 * against plain HTTP POSTs of the same bodies to the same receiver from one Node process (the
 * receiver's and the HTTP stack's own limit) in the same run; and the time from a collection's
 * acceptance (the till's answer) to its voucher.paid delivery, p50 and p99.
 */
import { spawn } from 'node:child_process';
import { startServer, ROOT } from '../../test/support/server.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';
import { startReceiver } from '../../test/support/receiver.ts';
import { serverConnection, TestTill } from '../../test/support/till.ts';
import { openDatabase } from '../../api/db/client.ts';
import { createServices } from '../../api/context.ts';
import { recordEvent } from '../../api/outbox/events.ts';
import { fmt, load } from '../load.ts';

const EVENTS = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 100);

export async function benchWebhooks() {
  const db = await freshPostgresDatabase();
  const receiver = await startReceiver(() => 200);
  const database = await openDatabase({ databaseUrl: db.url, poolSize: 8 });
  try {
    const services = await createServices(database, { publicUrl: 'http://localhost:8080' });
    await services.keys.ensureCurrent();
    const m = (await services.network.createMerchant('Bench Shop'))!;
    await services.webhooks.create(m.id, { url: `${receiver.url}/hooks`, events: ['voucher.canceled', 'voucher.paid'] });
    const now = new Date();
    for (let i = 0; i < EVENTS; i += 200) {
      await database.db.transaction(async (tx) => {
        for (let j = i; j < Math.min(EVENTS, i + 200); j++) {
          await recordEvent(tx, {
            merchantId: m.id,
            type: 'voucher.canceled',
            data: { object: { object: 'voucher', id: `vch_bench${j}`, status: 'canceled', order_ref: `B-${j}` } },
            now,
          });
        }
      });
    }
    // Baseline: the same receiver, POSTed to directly with the concurrency two workers use.
    const sample = JSON.stringify({ type: 'voucher.canceled', timestamp: now.toISOString(), data: { object: { object: 'voucher', id: 'vch_bench0', status: 'canceled' } } });
    const direct = await load({
      seconds: 3,
      concurrency: 40,
      send: () => fetch(`${receiver.url}/hooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'evt_direct' }, body: sample }),
    });
    receiver.reset();

    const env = { ...process.env, DATABASE_URL: db.url, WORKER_INTERVAL_MS: '50' };
    const started = performance.now();
    const workers = [0, 1].map(() => spawn(process.execPath, ['bin/counterpay.js', 'worker'], { cwd: ROOT, env, stdio: 'ignore' }));
    try {
      while (receiver.received.length < EVENTS) {
        if (performance.now() - started > 120_000) throw new Error(`only ${receiver.received.length} of ${EVENTS} webhooks arrived in 120 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      for (const w of workers) w.kill('SIGTERM');
    }
    // From the first delivery to the last: the workers' start-up (tsx, connecting) is not delivery.
    const seconds = (receiver.received.at(-1)!.at - receiver.received[0]!.at) / 1000;
    const rate = (EVENTS - 1) / seconds;
    console.log(
      `webhooks, 2 workers: ${fmt(rate)} deliveries/s (${EVENTS} events, first to last in ${fmt(seconds, 2)} s; at most ${receiver.maxConcurrentPerId()} delivery of one event at a time)`,
    );
    console.log(`webhooks, direct POSTs to the same receiver: ${fmt(direct.rps)} req/s; ratio ${fmt(rate / direct.rps, 2)}`);
  } finally {
    await database.close();
    await receiver.close();
    await db.drop();
  }

  // Latency: a server with its own worker; one till paying vouchers one at a time.
  const db2 = await freshPostgresDatabase();
  const receiver2 = await startReceiver(() => 200);
  const server = await startServer({ env: { DATABASE_URL: db2.url } });
  try {
    const request = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(server.url + p, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.apiKey}`, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    await request('POST', '/v1/webhook_endpoints', { url: `${receiver2.url}/hooks`, events: ['voucher.paid'] });
    const till = await TestTill.enrol(serverConnection(server.url), server.enrolCode);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const v = await (await request('POST', '/v1/vouchers', { order_ref: `LAT-${i}`, amount: 100, currency: 'EUR' })).json();
      const record = await till.record(v.token, 100);
      const [answer] = await till.outcomes([record]);
      const accepted = performance.now();
      if (answer!.outcome !== 'accepted') throw new Error(`collection was ${answer!.outcome}`);
      while (!receiver2.received.some((r) => r.body.includes(v.id))) {
        if (performance.now() - accepted > 10_000) throw new Error('voucher.paid did not arrive within 10 s');
        await new Promise((r) => setImmediate(r));
      }
      latencies.push(performance.now() - accepted);
    }
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`webhooks, collection accepted → voucher.paid delivered: p50 ${fmt(p(0.5), 1)} ms, p99 ${fmt(p(0.99), 1)} ms over ${SAMPLES} collections`);
  } finally {
    await server.stop();
    await receiver2.close();
    await db2.drop();
  }
}
