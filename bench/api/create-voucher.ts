/**
 * POST /v1/vouchers on PostgreSQL against the database's own limit: pgbench replaying the same
 * statements the API runs for one request (the API-key lookup, then the voucher INSERT in its
 * transaction), in the same run on the same machine. Also the PGlite figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startServer } from '../../test/support/server.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';
import { fmt, median } from '../load.ts';
import { processCpuMicros } from '../cpu.ts';
import { httpLoad } from '../wrk.ts';
import { hashApiKey } from '../../api/network/network.service.ts';
import { TEST_TWIN_SUFFIX } from '../../api/network/network.repository.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 32;
// This machine's throughput drifts by a third from one ten-second run to the next, so the API and
// pgbench take turns, ROUNDS times, and the ratio is the median of each round's own ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('BENCH_ROUNDS must be a whole number of at least 1');
const body = JSON.stringify({
  order_ref: 'BENCH-1',
  amount: 4990,
  currency: 'EUR',
  items: [{ name: 'Mug', quantity: 2, unit_amount: 2495 }],
  customer: { email: 'shopper@example.com' },
});

/** A server under wrk: `load()` measures one run of SECONDS and the server's CPU per request in it. */
async function apiUnderLoad(env: Record<string, string>) {
  const server = await startServer({ env });
  const request = {
    url: `${server.url}/v1/vouchers`,
    method: 'POST' as const,
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    body,
    connections: CONCURRENCY,
  };
  await httpLoad({ ...request, seconds: 2 }); // warm-up: JIT, pool connections
  return {
    apiKey: server.apiKey,
    async load() {
      const before = processCpuMicros(server.process.pid!);
      const result = await httpLoad({ ...request, seconds: SECONDS });
      return { result, cpuPerRequest: (processCpuMicros(server.process.pid!) - before) / (result.rps * SECONDS) };
    },
    stop: () => server.stop(),
  };
}

function pgbench(dbUrl: string, script: string): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-bench-'));
  const file = path.join(dir, 'create-voucher.sql');
  writeFileSync(file, script);
  const r = spawnSync('pgbench', ['-n', '-c', String(CONCURRENCY), '-j', '2', '-T', String(SECONDS), '-f', file, dbUrl], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(r.stdout)?.[1];
  if (!tps) throw new Error(`pgbench failed: ${r.stderr || r.stdout}`);
  return Number(tps);
}

export async function benchCreateVoucher(_postgresUrl: string) {
  const db = await freshPostgresDatabase();
  try {
    const server = await apiUnderLoad({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: String(CONCURRENCY) });
    const rounds: { api: Awaited<ReturnType<typeof server.load>>; tps: number }[] = [];
    try {
      await server.load(); // the first run fills the table's first pages, so rounds compare like with like
      // The statements one request runs, as the server logs them (log_statement = all): the API-key
      // lookup (api/network/network.repository.ts keyByHash, read on every request so that a revoked
      // key stops at once), then the voucher INSERT (vouchers.repository insert; a request without
      // Idempotency-Key that queues no message needs no transaction), with values of the same sizes.
      // The key's last_used_at is written at most once a minute, so it is left out.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const sample = (await client.query('select * from vouchers limit 1')).rows[0];
      await client.end();
      const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
      const script = `\\set n random(1, 999999999999)
select "api_keys"."id", "api_keys"."merchant_id", "api_keys"."hash", "api_keys"."access", "api_keys"."mode", "api_keys"."prefix", "api_keys"."last4", "api_keys"."created_at", "api_keys"."last_used_at", "api_keys"."expires_at", "api_keys"."revoked_at", "merchants"."id", "merchants"."name", "merchants"."default_notify", "merchants"."test_of"
from "api_keys" inner join "merchants" on "merchants"."id" = case when "api_keys"."mode" = 'test' then "api_keys"."merchant_id" || '${TEST_TWIN_SUFFIX}' else "api_keys"."merchant_id" end
where "api_keys"."hash" = '${hashApiKey(server.apiKey)}' limit 1;
insert into "vouchers" ("id", "merchant_id", "status", "livemode", "order_ref", "amount", "currency", "items", "description", "customer", "metadata", "reference", "link_code", "token", "kid", "expires_at", "created_at", "paid_at", "canceled_at", "paid_collection_id", "paid_store_id", "status_changed_at")
values ('vch_b' || :n, 'mer_demo', 'open', true, 'BENCH-1', 4990, 'EUR', ${q(JSON.stringify(sample.items))}, null, ${q(JSON.stringify(sample.customer))}, '{}', lpad(:n::text, 12, '0'), 'link' || :n, ${q(sample.token)}, ${sample.kid}, now() + interval '3 days', now(), null, null, null, null, null)
on conflict do nothing returning "id";
`;
      for (let i = 0; i < ROUNDS; i++) rounds.push({ api: await server.load(), tps: pgbench(db.url, script) });
    } finally {
      await server.stop();
    }
    for (const [i, { api: r, tps: t }] of rounds.entries()) {
      console.log(
        `create voucher, PostgreSQL round ${i + 1}: ${fmt(r.result.rps)} req/s at concurrency ${CONCURRENCY}, p50 ${fmt(r.result.p50, 1)} ms, p99 ${fmt(r.result.p99, 1)} ms (${r.result.errors} errors; load from ${r.result.client}); server CPU ${fmt(r.cpuPerRequest)} µs per voucher; pgbench replay of the same SQL ${fmt(t)} tx/s; ratio ${fmt(r.result.rps / t, 2)}`,
      );
    }
    console.log(`create voucher, server CPU per voucher: median ${fmt(median(rounds.map((r) => r.api.cpuPerRequest)))} µs over ${ROUNDS} rounds`);
    console.log(`create voucher, ratio API / pgbench: median ${fmt(median(rounds.map((r) => r.api.result.rps / r.tps)), 2)} over ${ROUNDS} rounds (goal ≥ 0.50)`);
    const pgliteServer = await apiUnderLoad({});
    const { result: pglite, cpuPerRequest: pgliteCpu } = await pgliteServer.load().finally(() => pgliteServer.stop());
    console.log(
      `create voucher, PGlite: ${fmt(pglite.rps)} req/s, p50 ${fmt(pglite.p50, 1)} ms, p99 ${fmt(pglite.p99, 1)} ms (${pglite.errors} errors); server CPU (PGlite in process) ${fmt(pgliteCpu)} µs per voucher`,
    );
  } finally {
    await db.drop();
  }
}
