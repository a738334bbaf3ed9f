/**
 * Shopper view figures (docs/architecture.md §8), printed as plain lines:
 *   - the JavaScript the shopper view loads before the QR shows, gzipped (goal ≤ 60 KB), the
 *     cashier chunk that only /cashier loads, and the till's QR decoder (WebAssembly);
 *   - navigation to QR on screen for an offline cold start with the service worker's cache warm,
 *     in headless Chromium: a fresh browser process each run, median of several (goal < 1 s);
 *   - the till's figures (./till.ts): 1,000 offline collections drained after reconnect, scan
 *     latency with a fake camera, and the distorted set read by the app's decoder against
 *     html5-qrcode's own.
 *
 *   node --import tsx bench/web/run.ts      (builds dist/ first when it is stale)
 */
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { DIST, ensureBuilt } from '../../test/browser/support/build.ts';
import { launch, launchProfile, waitForServiceWorker } from '../../test/browser/support/browser.ts';
import { createVoucher } from '../../test/browser/support/api.ts';
import { benchDrain, benchScan, benchScanDistorted, type BenchServer } from './till.ts';
import { median } from '../load.ts';

type StartServer = (opts?: { env?: Record<string, string> }) => Promise<BenchServer & { stop(): Promise<void> }>;

const COLD_RUNS = 7;
const QR_MARK = 'counterpay:qr-shown';
// A string html5-qrcode builds into its DOM; it survives minification.
const SCANNER_MARK = 'qr-shaded-region';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** Same-origin scripts whose fetch started before the QR mark, as dist/ paths. */
async function scriptsBeforeQr(page: Page): Promise<string[]> {
  return page.evaluate((mark) => {
    const qrAt = performance.getEntriesByName(mark)[0]!.startTime;
    return performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime < qrAt && new URL(e.name).origin === location.origin && new URL(e.name).pathname.endsWith('.js'))
      .map((e) => new URL(e.name).pathname);
  }, QR_MARK);
}

async function qrShownAt(page: Page): Promise<number> {
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, QR_MARK);
  return page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, QR_MARK);
}

export async function runWebBench(startServer: StartServer): Promise<void> {
  ensureBuilt();
  const server = await startServer();
  const profile = await mkdtemp(join(tmpdir(), 'counterpay-bench-'));
  try {
    const voucher = await createVoucher(server);

    // 1. Size: a first visit on a fresh browser, as a shopper opening the SMS link's QR page.
    const browser = await launch();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(voucher.qr);
    await qrShownAt(page);
    const shopperScripts = await scriptsBeforeQr(page);
    const shopperBytes = shopperScripts.reduce((sum, path) => sum + gzipped(join(DIST, path)), 0);
    const scannerLeak = shopperScripts.filter((p) => readFileSync(join(DIST, p), 'utf8').includes(SCANNER_MARK));
    await page.goto(`${server.url}/cashier`);
    await page.getByRole('button', { name: 'Enrol' }).waitFor();
    const allScripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith('.js')),
    );
    const cashierOnly = [...new Set(allScripts)].filter((p) => !shopperScripts.includes(p) && readFileSync(join(DIST, p), 'utf8').includes(SCANNER_MARK));
    await browser.close();

    console.log(`shopper JS gzipped: ${kb(shopperBytes)} (goal ≤ 60 KB) in ${shopperScripts.length} file(s): ${shopperScripts.join(', ')}`);
    console.log(`camera scanner in shopper JS: ${scannerLeak.length === 0 ? 'no' : `YES (${scannerLeak.join(', ')})`} (goal: no)`);
    console.log(`cashier scanner chunk gzipped: ${kb(cashierOnly.reduce((s, p) => s + gzipped(join(DIST, p)), 0))}, loaded only by /cashier`);
    // The QR decoder's WebAssembly (web/cashier/scanner.ts): fetched when the camera first starts, and precached.
    for (const wasm of readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.wasm'))) {
      const file = join(DIST, 'assets', wasm);
      console.log(`cashier QR decoder WebAssembly: ${kb(statSync(file).size)}, ${kb(gzipped(file))} gzipped (/assets/${wasm}), fetched when the camera first starts`);
    }

    // 2. Offline cold start: install once online, then relaunch the browser offline each run.
    let warm = await launchProfile(profile);
    const first = warm.pages()[0] ?? (await warm.newPage());
    await first.goto(voucher.qr);
    await qrShownAt(first);
    await waitForServiceWorker(first);
    await warm.close();

    const times: number[] = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      warm = await launchProfile(profile);
      await warm.setOffline(true);
      const cold = warm.pages()[0] ?? (await warm.newPage());
      await cold.goto(voucher.qr);
      times.push(await qrShownAt(cold));
      await warm.close();
    }
    console.log(
      `offline cold start to QR: median ${Math.round(median(times))} ms over ${COLD_RUNS} runs (min ${Math.round(Math.min(...times))}, max ${Math.round(Math.max(...times))}) (goal < 1000 ms)`,
    );

    await benchDrain(server, 'PGlite');
    if (process.env.DATABASE_URL) {
      // The same drain against PostgreSQL, where collections settle side by side (PGlite serialises them).
      const { freshPostgresDatabase } = await import('../../test/support/databases.ts');
      const db = await freshPostgresDatabase();
      const pg = await startServer({ env: { DATABASE_URL: db.url } });
      try {
        await benchDrain(pg, 'PostgreSQL');
      } finally {
        await pg.stop();
        await db.drop();
      }
    }
    await benchScan(server);
    await benchScanDistorted(server);
  } finally {
    await server.stop();
    await rm(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { startServer } = await import('../../test/support/server.ts');
  await runWebBench(startServer);
}
