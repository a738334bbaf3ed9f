/**
 * The PGlite drain on its own, without a browser: 1,000 signed collections of one till, each for
 * its own open voucher, ingested in the till's batches (MAX_BATCH) by the server's ingest over
 * PGlite in a data folder (the worker thread, as `npm start` runs it). Prints the time and the
 * process's CPU time (server and PGlite threads) per collection; `npm run bench -- drain`.
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

export async function benchDrainPglite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-drain-'));
  const database = await openDatabase({ dataDir: dir });
  try {
    const services = await createServices(database, { publicUrl: 'http://127.0.0.1:8080' });
    await services.keys.ensureCurrent();
    const merchant = (await services.network.createMerchant('Drain Shop'))!;
    const store = (await services.network.createStore('Drain Store'))!;
    const app = createApp(services);
    const till = await TestTill.enrol(
      {
        clock: systemClock,
        request: (method, p, body, headers = {}) =>
          Promise.resolve(app.request(p, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })),
      },
      (await services.devices.createEnrolmentCode(store.id)).code,
    );
    const records: SignedCollection[] = [];
    for (let i = 0; i < COUNT; i++) {
      const v = await services.vouchers.create(
        { id: merchant.id, name: 'Drain Shop', livemode: true },
        { order_ref: `DR-${i}`, amount: 2500, currency: 'EUR' },
        database.db as never,
      );
      records.push(await till.record(v.token, 2500));
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    const outcomes: string[] = [];
    for (let i = 0; i < COUNT; i += MAX_BATCH) outcomes.push(...(await till.outcomes(records.slice(i, i + MAX_BATCH))).map((o) => o.outcome));
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const accepted = outcomes.filter((o) => o === 'accepted').length;
    console.log(
      `drain (PGlite, in process): ${COUNT} collections in ${Math.round(ms)} ms (${(ms / COUNT).toFixed(2)} ms each, goal < 5000 ms in all); process CPU (both threads) ${Math.round((used.user + used.system) / COUNT)} µs per collection; ${accepted} accepted`,
    );
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
