/**
 * The PGlite drain on its own, without a browser: 1,000 signed collections of one till, each for
 * its own open voucher, ingested in the till's batches (MAX_BATCH) by the server's ingest over
 * PGlite in a data folder (the worker thread, as `npm start` runs it). Prints the time and the
 * process's CPU time (server and PGlite threads) per collection, against a baseline from the same
 * run: another till's 200 records sent one per request, so each is a transaction of its own
 * (what every record cost before a batch became one transaction); `npm run bench -- drain`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../api/db/client.ts';
import { createServices } from '../../api/context.ts';
import { MAX_BATCH } from '../../core/contract/till.ts';
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import { TestTill } from '../../test/support/till.ts';
import { createApp } from '../../api/app.ts';
import { systemClock } from '../../api/clock.ts';

const COUNT = Number(process.env.BENCH_COLLECTIONS ?? 1000);
/** Records sent one per request for the baseline (fewer: each takes a transaction of its own). */
const BASELINE_COUNT = 200;

export async function benchDrainPglite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-drain-'));
  const database = await openDatabase({ dataDir: dir });
  try {
    const services = await createServices(database, { publicUrl: 'http://127.0.0.1:8080' });
    await services.keys.ensureCurrent();
    const merchant = (await services.network.createMerchant('Drain Shop'))!;
    const store = (await services.network.createStore('Drain Store'))!;
    const app = createApp(services);
    const enrol = async () =>
      TestTill.enrol(
        {
          clock: systemClock,
          request: (method, p, body, headers = {}) =>
            Promise.resolve(app.request(p, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })),
        },
        (await services.devices.createEnrolmentCode(store.id)).code,
      );
    const collected = async (till: TestTill, n: number, tag: string) => {
      const records: SignedCollection[] = [];
      for (let i = 0; i < n; i++) {
        const v = await services.vouchers.create(
          { id: merchant.id, name: 'Drain Shop', livemode: true },
          { order_ref: `DR-${tag}-${i}`, amount: 2500, currency: 'EUR' },
          database.db as never,
        );
        records.push(await till.record(v.token, 2500));
      }
      return records;
    };
    /** Sends the records in batches of `size`; the time, the CPU per record and how many were accepted. */
    const drain = async (till: TestTill, records: SignedCollection[], size: number) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const outcomes: string[] = [];
      for (let i = 0; i < records.length; i += size) outcomes.push(...(await till.outcomes(records.slice(i, i + size))).map((o) => o.outcome));
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { ms, cpu: Math.round((used.user + used.system) / records.length), accepted: outcomes.filter((o) => o === 'accepted').length };
    };
    // The baseline, in the same run: a till that sends each record alone (one request, one transaction each).
    const single = await enrol();
    const base = await drain(single, await collected(single, BASELINE_COUNT, 'one'), 1);
    const batched = await enrol();
    const run = await drain(batched, await collected(batched, COUNT, 'batch'), MAX_BATCH);
    const perBase = base.ms / BASELINE_COUNT;
    console.log(
      `drain (PGlite, in process): ${COUNT} collections in batches of ${MAX_BATCH}: ${Math.round(run.ms)} ms (${(run.ms / COUNT).toFixed(2)} ms each, goal < 5000 ms in all), process CPU (both threads) ${run.cpu} µs per collection, ${run.accepted} accepted; ` +
        `baseline, one per request: ${(perBase).toFixed(2)} ms and ${base.cpu} µs CPU each (${BASELINE_COUNT} sent, ${base.accepted} accepted); ratio ${(perBase / (run.ms / COUNT)).toFixed(1)}× faster per collection`,
    );
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
