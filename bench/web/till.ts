/**
 * Till figures (docs/architecture.md §8), printed as plain lines:
 *   (1) sync: 1,000 collections journaled offline drain and settle after reconnect (goal < 5 s);
 *   (3) scan: from camera start, and from the first camera frame that holds the QR, to the voucher
 *       on screen, in headless Chromium with a fake camera (goal p95 < 300 ms from the first frame).
 */
import type { Page } from 'playwright-core';
import { launch } from '../../test/browser/support/browser.ts';
import { createVoucher, type CreatedVoucher } from '../../test/browser/support/api.ts';
import { qrVideo } from '../../test/browser/support/camera.ts';
import { enrol, launchWithCamera, newEnrolCode, TABLET } from '../../test/browser/support/till.ts';

export interface BenchServer {
  url: string;
  apiKey: string;
  dataDir: string;
}

const DRAIN_COUNT = 1_000;
const SCAN_RUNS = 20;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const stats = (xs: number[]) =>
  `median ${Math.round(quantile(xs, 0.5))} ms, p95 ${Math.round(quantile(xs, 0.95))} ms, max ${Math.round(Math.max(...xs))} ms over ${xs.length} runs`;

async function seed(server: BenchServer, count: number): Promise<CreatedVoucher[]> {
  const out: CreatedVoucher[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        next++;
        out.push(await createVoucher(server, { amount: 500, items: [{ name: 'Bench item', quantity: 1, unit_amount: 500 }] }));
      }
    }),
  );
  return out;
}

async function paidCount(server: BenchServer, vouchers: CreatedVoucher[]): Promise<number> {
  let paid = 0;
  for (let i = 0; i < vouchers.length; i += 50) {
    const res = await fetch(`${server.url}/v1/voucher-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tokens: vouchers.slice(i, i + 50).map((v) => v.token) }),
    });
    const body = (await res.json()) as { data: { status?: string }[] };
    paid += body.data.filter((d) => d.status === 'paid').length;
  }
  return paid;
}

/**
 * (1) The till journals 1,000 signed collections offline through the app's own journal code
 * (the same `record` the Collect button calls, minus the screen), then the network comes back.
 * Timed in the page: from the `online` event to the moment the till holds a final outcome for
 * every row (committed in IndexedDB and shown in its state). The server is then asked how many
 * of the vouchers read `paid`.
 */
export async function benchDrain(server: BenchServer, database = 'PGlite'): Promise<void> {
  const vouchers = await seed(server, DRAIN_COUNT);
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await enrol(page, server.url, await newEnrolCode(server), 'Bench till');
    await context.setOffline(true);
    const journalStart = Date.now();
    await page.evaluate(
      async (list) => {
        type TillHandle = { record(token: string, voucherId: string, payment: object): Promise<unknown>; reload(): Promise<void> };
        const till = (globalThis as unknown as { counterpayTill: TillHandle }).counterpayTill;
        for (const v of list) await till.record(v.token, v.id, { tender: 'cash', tenderReference: null, cashGiven: null });
        await till.reload();
      },
      vouchers.map((v) => ({ token: v.token, id: v.id })),
    );
    const journalMs = Date.now() - journalStart;

    // Page-side scripts are plain strings: tsx would wrap named inner functions in a helper the page does not have.
    await page.evaluate(`
      globalThis.drained = new Promise((resolve) => {
        addEventListener('online', () => {
          const start = performance.now();
          const tick = () => {
            const entries = globalThis.counterpayTill.entries;
            if (entries.length >= ${DRAIN_COUNT} && entries.every((e) => e.state !== 'queued')) {
              const outcomes = {};
              for (const e of entries) { const k = e.result ? e.result.outcome : e.state; outcomes[k] = (outcomes[k] || 0) + 1; }
              resolve({ ms: performance.now() - start, outcomes });
            } else setTimeout(tick, 5);
          };
          tick();
        }, { once: true });
      });
      true; // the completion value: evaluate must not wait for the promise itself
    `);
    await context.setOffline(false);
    const drained = await page.evaluate(() => (globalThis as unknown as { drained: Promise<{ ms: number; outcomes: Record<string, number> }> }).drained);
    const calls = (await page.evaluate(`performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/collections')).map((e) => [e.startTime, e.duration])`)) as [
      number,
      number,
    ][];
    const paid = await paidCount(server, vouchers);
    console.log(`till journal: ${DRAIN_COUNT} signed collections recorded offline in ${journalMs} ms (${(journalMs / DRAIN_COUNT).toFixed(1)} ms each)`);
    console.log(
      `sync drain (${database}): ${DRAIN_COUNT} offline collections settled ${Math.round(drained.ms)} ms after reconnect (goal < 5000 ms); outcomes ${JSON.stringify(drained.outcomes)}; server reads ${paid} of ${DRAIN_COUNT} paid`,
    );
    const serverMs = calls.reduce((sum, [, d]) => sum + d, 0);
    console.log(
      `  of which ${calls.length} POST /v1/collections calls (request sent → answer received) took ${Math.round(serverMs)} ms in all (median ${Math.round(
        quantile(
          calls.map(([, d]) => d),
          0.5,
        ),
      )} ms a call)`,
    );
  } finally {
    await browser.close();
  }
}

interface ScanRun {
  cameraStart: number;
  firstQrFrame: number | null;
  firstFrameBlank: boolean | null;
  decoded: number;
  shown: number;
}

/**
 * Watches the camera's <video> with requestVideoFrameCallback and notes when the first frame
 * holding the QR was presented: the fake video is black before the QR and mostly white with it,
 * so a 16×9 sample's mean brightness tells them apart. Installed before the camera starts (a
 * read stops the camera and removes the video, which may be within a frame or two): the watch
 * hooks the video as soon as html5-qrcode adds it.
 */
async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    globalThis.scanFrames = { firstQr: null, firstBlank: null };
    const canvas = document.createElement('canvas');
    canvas.width = 16;
    canvas.height = 9;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const watch = (video) => {
      const onFrame = (now, meta) => {
        ctx.drawImage(video, 0, 0, 16, 9);
        const px = ctx.getImageData(0, 0, 16, 9).data;
        let sum = 0;
        for (let i = 0; i < px.length; i += 4) sum += px[i];
        const qr = sum / (px.length / 4) > 100;
        if (globalThis.scanFrames.firstBlank === null) globalThis.scanFrames.firstBlank = !qr;
        if (qr && globalThis.scanFrames.firstQr === null) {
          globalThis.scanFrames.firstQr = meta.captureTime ?? meta.presentationTime;
          return;
        }
        if (video.isConnected) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    };
    const camera = document.getElementById('till-camera');
    const observer = new MutationObserver(() => {
      const video = camera.querySelector('video');
      if (!video) return;
      observer.disconnect();
      watch(video);
    });
    observer.observe(camera, { childList: true, subtree: true });
  })()`);
}

async function scanRuns(server: BenchServer, voucher: CreatedVoucher, video: string, watch: boolean): Promise<ScanRun[]> {
  const browser = await launchWithCamera(video);
  try {
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await enrol(page, server.url, await newEnrolCode(server), 'Scan bench');
    const runs: ScanRun[] = [];
    for (let i = 0; i < SCAN_RUNS; i++) {
      await page.evaluate(() => performance.clearMarks());
      if (watch) await watchFrames(page);
      await page.getByRole('button', { name: 'Start the camera' }).click();
      // A failed decode never throws: the time-out is the only way a run can fail.
      await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor({ timeout: 20_000 });
      runs.push(
        (await page.evaluate(`(() => {
          const mark = (name) => { const all = performance.getEntriesByName(name); return all.length ? all[all.length - 1].startTime : NaN; };
          const frames = globalThis.scanFrames;
          return { cameraStart: mark('counterpay:camera-start'), decoded: mark('counterpay:qr-decoded'), shown: mark('counterpay:voucher-shown'), firstQrFrame: frames ? frames.firstQr : null, firstFrameBlank: frames ? frames.firstBlank : null };
        })()`)) as ScanRun,
      );
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Stop the camera' }).click();
      await page.getByRole('button', { name: 'Start the camera' }).waitFor();
    }
    return runs;
  } finally {
    await browser.close();
  }
}

/**
 * (3) Scan latency, two ways, 20 runs each (camera stopped and started again between runs):
 *   - camera start → voucher on screen, with a video whose every frame holds the QR (a code is
 *     already in view when the cashier starts the camera);
 *   - first frame holding the QR → voucher on screen, with a video of 1 s black then 2 s of QR.
 *     Runs in which the camera's first frame already held the QR (the fake camera looped into the
 *     QR part) have no "first QR frame" to measure from and are left out; their count is printed.
 */
export async function benchScan(server: BenchServer): Promise<void> {
  const voucher = await createVoucher(server);
  const always = await scanRuns(server, voucher, await qrVideo(voucher.qr), false);
  console.log(`scan from camera start to voucher on screen: ${stats(always.map((r) => r.shown - r.cameraStart))}`);

  const blankFirst = await scanRuns(server, voucher, await qrVideo(voucher.qr, { blankSeconds: 1, qrSeconds: 2, fps: 15 }), true);
  const measured = blankFirst.filter((r) => r.firstFrameBlank && r.firstQrFrame !== null && r.shown >= r.firstQrFrame);
  const fromFrame = measured.map((r) => r.shown - r.firstQrFrame!);
  const decode = measured.map((r) => r.decoded - r.firstQrFrame!);
  const check = measured.map((r) => r.shown - r.decoded);
  if (fromFrame.length === 0) {
    console.log(`scan from first QR frame: no run could be measured (${blankFirst.length} runs started inside the QR part)`);
    return;
  }
  console.log(`scan from first QR frame to voucher on screen: ${stats(fromFrame)} (goal p95 < 300 ms); ${blankFirst.length - measured.length} run(s) left out`);
  console.log(
    `  of which decode (frame → QR text): median ${Math.round(quantile(decode, 0.5))} ms; check and render (text → screen): median ${Math.round(quantile(check, 0.5))} ms`,
  );
}
