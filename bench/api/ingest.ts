/**
 * Collection ingest on PostgreSQL: tills sending batches of signed collections (each for its own
 * open voucher, so each is settled) against pgbench replaying, in the same run, the statements one
 * collection needs when it is decided alone (a transaction of its own, as a record that meets a
 * concurrent batch is, and as every record was before a batch became one transaction): the lookup by id, the chain neighbours, then BEGIN, the guarded UPDATE of the
 * voucher, the INSERT of the collection, the ledger transaction and its five postings (checked for
 * balance at commit), the voucher.paid event, COMMIT. (The API reads the merchant's fees and
 * webhook endpoints once per batch; those two reads are left out of the replay.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startServer } from '../../test/support/server.ts';
import { processCpuMicros } from '../cpu.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';
import { serverConnection, TestTill } from '../../test/support/till.ts';
import { openDatabase } from '../../api/db/client.ts';
import { createServices } from '../../api/context.ts';
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import { fmt } from '../load.ts';

const TILLS = 4;
const PER_TILL = Number(process.env.BENCH_COLLECTIONS ?? 1000);
const BATCH = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The API server's connection pool, and as many pgbench clients: the same number of transactions in flight. */
const POOL = 32;
const PGBENCH_CLIENTS = POOL;

export async function benchIngest() {
  const db = await freshPostgresDatabase();
  const server = await startServer({ env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: String(POOL) } });
  const database = await openDatabase({ databaseUrl: db.url, poolSize: 8 });
  try {
    const services = await createServices(database, { publicUrl: server.url });
    const merchant = { id: 'mer_demo', name: 'Demo Shop', livemode: true };

    const tills = await Promise.all(
      Array.from({ length: TILLS }, async () => TestTill.enrol(serverConnection(server.url), (await services.devices.createEnrolmentCode('sto_demo')).code)),
    );
    const journals: SignedCollection[][] = [];
    for (const till of tills) {
      const records: SignedCollection[] = [];
      for (let i = 0; i < PER_TILL; i++) {
        const v = await services.vouchers.create(merchant, { order_ref: `ING-${i}`, amount: 2500, currency: 'EUR' }, database.db as never);
        records.push(await till.record(v.token, 2500));
      }
      journals.push(records);
    }
    const started = performance.now();
    const cpuBefore = processCpuMicros(server.process.pid!);
    const outcomes = await Promise.all(
      tills.map(async (till, t) => {
        const answers = [];
        for (let i = 0; i < PER_TILL; i += BATCH) answers.push(...(await till.outcomes(journals[t]!.slice(i, i + BATCH))));
        return answers;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = TILLS * PER_TILL;
    const cpuPerCollection = (processCpuMicros(server.process.pid!) - cpuBefore) / total;
    const accepted = outcomes.flat().filter((o) => o.outcome === 'accepted').length;
    const apiRate = total / seconds;

    // The same statements for pgbench, against vouchers and a device made for it.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const sample = (await client.query(`select * from collections limit 1`)).rows[0];
    const sampleEvent = (await client.query(`select data from events where type = 'voucher.paid' limit 1`)).rows[0].data;
    await client.query(`insert into devices (id, store_id, name, public_jwk, credential_hash, enrolled_at) values ('dev_bench', 'sto_demo', 'bench', '{}', 'bench', now())`);
    await client.query(
      `insert into vouchers (id, merchant_id, status, order_ref, amount, currency, items, metadata, reference, link_code, token, kid, expires_at, created_at)
       select 'vch_pb' || n, 'mer_demo', 'open', 'PB', 2500, 'EUR', '[]', '{}', 'pb' || n, 'pbl' || n, $1, 1, now() + interval '3 days', now() from generate_series(1, 200000) n`,
      [sample.token],
    );
    await client.end();
    const q = (s: string) => `'${String(s).replace(/'/g, "''")}'`;
    const script = `\\set n random(1, 200000)
\\set c random(1, 999999999999)
select * from collections where id = 'pbc' || :c limit 1;
select seq, hash from collections where device_id = 'dev_bench' and seq in (:n - 1, :n);
begin;
update vouchers set status = 'paid', paid_at = now(), paid_collection_id = 'pbc' || :c, paid_store_id = 'sto_demo', status_changed_at = now() where id = 'vch_pb' || :n and status = 'open' and expires_at > now() and amount = 2500 and currency = 'EUR' returning id;
insert into collections (id, device_id, store_id, seq, prev_hash, hash, voucher_id, token, amount, currency, tender, tender_reference, collected_at, received_at, outcome, reason, detail, flags, signature)
values ('pbc' || :c, 'dev_bench', 'sto_demo', :n, ${q(sample.prev_hash)}, ${q(sample.hash)}, 'vch_pb' || :n, ${q(sample.token)}, 2500, 'EUR', 'cash', null, now(), now(), 'accepted', null, ${q(sample.detail)}, '[]', ${q(sample.signature)})
on conflict (id) do nothing returning id;
insert into ledger_transactions (id, kind, collection_id, store_id, merchant_id, currency, memo, created_at) values ('ltx_pb' || :c, 'collection', null, 'sto_demo', 'mer_demo', 'EUR', 'collection bench', now());
insert into ledger_postings (transaction_id, account, amount, currency) values ('ltx_pb' || :c, 'store:sto_demo', 2500, 'EUR'), ('ltx_pb' || :c, 'merchant:mer_demo', -2438, 'EUR'), ('ltx_pb' || :c, 'operator:revenue', -62, 'EUR'), ('ltx_pb' || :c, 'operator:commission', 25, 'EUR'), ('ltx_pb' || :c, 'store:sto_demo', -25, 'EUR');
insert into events (id, merchant_id, type, data, created_at) values ('evt_pb' || :c, 'mer_demo', 'voucher.paid', ${q(JSON.stringify(sampleEvent))}, now());
commit;
`;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-bench-'));
    writeFileSync(path.join(dir, 'ingest.sql'), script);
    const r = spawnSync('pgbench', ['-n', '-c', String(PGBENCH_CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', path.join(dir, 'ingest.sql'), db.url], { encoding: 'utf8' });
    const tps = Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]);
    if (!tps) throw new Error(`pgbench failed: ${r.stderr || r.stdout}`);
    console.log(
      `collection ingest, PostgreSQL: ${fmt(apiRate)} collections/s (${total} from ${TILLS} tills in batches of ${BATCH}, ${accepted} accepted, ${fmt(seconds, 2)} s); server CPU ${fmt(cpuPerCollection)} µs per collection`,
    );
    console.log(`collection ingest, pgbench replay of one collection's statements in its own transaction at ${PGBENCH_CLIENTS} clients: ${fmt(tps)} collections/s`);
    console.log(`collection ingest, ratio API / pgbench: ${fmt(apiRate / tps, 2)} (goal ≥ 0.50)`);
  } finally {
    await database.close();
    await server.stop();
    await db.drop();
  }
}
