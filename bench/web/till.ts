/**
 * Till figures (docs/architecture.md §8), printed as plain lines:
 *   (1) sync: 1,000 collections journaled offline drain and settle after reconnect (goal < 5 s);
 *   (3) scan: from camera start, and from the first camera frame that holds the QR, to the voucher
 *       on screen, in headless Chromium with a fake camera (goal p95 < 300 ms from the first frame);
 *   (4) scan, distorted set: the densest voucher QR blurred, rotated, tilted, washed out, noisy,
 *       under glare and small (test/browser/support/distorted.ts), read through the camera by the
 *       app's decoder and, in the same run, by html5-qrcode's own ZXing-js decoder (the baseline).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { launch } from '../../test/browser/support/browser.ts';
import { createVoucher, type CreatedVoucher } from '../../test/browser/support/api.ts';
import { pictureVideo, qrVideo } from '../../test/browser/support/camera.ts';
import { densestVoucher, distortedSet, walletQrVersion, zbarRead } from '../../test/browser/support/distorted.ts';
import { enrol, launchTillProfile, launchWithCamera, newEnrolCode, TABLET } from '../../test/browser/support/till.ts';
import { scratchDir } from '../../test/support/scratch.ts';

export interface BenchServer {
  url: string;
  apiKey: string;
  dataDir: string;
}

const DRAIN_COUNT = 1_000;
const SCAN_RUNS = 20;
/** Camera starts per picture and decoder in (4), and how long one waits for the voucher. */
const DISTORTED_RUNS = 5;
const DISTORTED_TIMEOUT_MS = 6_000;

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

type DecoderUnderTest = 'app' | 'zxing-js';

/**
 * One enrolled till per decoder, in a browser profile launched again for each video (the fake
 * camera is a launch flag): the server allows 20 enrolments from one address in 15 minutes.
 */
interface BenchTill {
  name: string;
  decoder: DecoderUnderTest;
  profile: string;
  enrolled: boolean;
}

const benchTill = (decoder: DecoderUnderTest, bench: string): BenchTill => ({
  name: `${bench} bench ${decoder}`,
  decoder,
  profile: scratchDir(`bench-${bench}-${decoder}`),
  enrolled: false,
});

/**
 * The till's profile launched with `video` as its camera, on the counter screen (enrolled the
 * first time). `zxing-js`: the app with its decoder's .wasm refused at the network, so
 * web/cashier/scanner.ts installs no BarcodeDetector and html5-qrcode decodes with its own
 * ZXing-js, as the till did before issue 16. The service worker is off for both decoders (it would
 * answer the .wasm from its cache), so that is the only difference.
 */
async function openTill(server: BenchServer, till: BenchTill, video: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchTillProfile(till.profile, video, { serviceWorkers: 'block' });
  if (till.decoder === 'zxing-js') await context.route('**/*.wasm', (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  if (till.enrolled) await page.goto(`${server.url}/cashier`);
  else {
    await enrol(page, server.url, await newEnrolCode(server), till.name);
    till.enrolled = true;
  }
  await page.getByRole('button', { name: 'Start the camera' }).waitFor();
  return { context, page };
}

/** Reads the run's marks and the frame watcher's notes, as milliseconds on the page's clock. */
const readRun = (page: Page) =>
  page.evaluate(`(() => {
    const mark = (name) => { const all = performance.getEntriesByName(name); return all.length ? all[all.length - 1].startTime : NaN; };
    const frames = globalThis.scanFrames;
    return { cameraStart: mark('counterpay:camera-start'), decoded: mark('counterpay:qr-decoded'), shown: mark('counterpay:voucher-shown'), firstQrFrame: frames ? frames.firstQr : null, firstFrameBlank: frames ? frames.firstBlank : null };
  })()`) as Promise<ScanRun>;

/** SCAN_RUNS camera starts in one browser, in front of a video whose every frame holds the QR. */
async function scanRunsInView(server: BenchServer, voucher: CreatedVoucher, video: string): Promise<ScanRun[]> {
  const browser = await launchWithCamera(video);
  try {
    const context = await browser.newContext({ viewport: TABLET });
    const page = await context.newPage();
    await enrol(page, server.url, await newEnrolCode(server), 'Scan bench');
    const runs: ScanRun[] = [];
    for (let i = 0; i < SCAN_RUNS; i++) {
      await page.evaluate(() => performance.clearMarks());
      await page.getByRole('button', { name: 'Start the camera' }).click();
      // A failed decode never throws: the time-out is the only way a run can fail.
      await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor({ timeout: 20_000 });
      runs.push(await readRun(page));
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
 * SCAN_RUNS camera starts in front of a video that is black before the QR, each in a browser of
 * its own: Chromium's fake camera plays its file once from the start when the browser opens it,
 * then holds the last frame, so only a fresh browser shows the black part first.
 */
async function scanRunsFromFirstFrame(server: BenchServer, voucher: CreatedVoucher, video: string, decoder: DecoderUnderTest): Promise<ScanRun[]> {
  const till = benchTill(decoder, 'scan');
  const runs: ScanRun[] = [];
  for (let i = 0; i < SCAN_RUNS; i++) {
    const { context, page } = await openTill(server, till, video);
    try {
      await page.evaluate(() => performance.clearMarks());
      await watchFrames(page);
      await page.getByRole('button', { name: 'Start the camera' }).click();
      await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor({ timeout: 20_000 });
      runs.push(await readRun(page));
    } finally {
      await context.close();
    }
  }
  return runs;
}

/**
 * (3) Scan latency, two ways, 20 runs each:
 *   - camera start → voucher on screen, with a video whose every frame holds the QR (a code is
 *     already in view when the cashier starts the camera), the camera stopped and started again
 *     between runs;
 *   - first frame holding the QR → voucher on screen, with a video of 1 s black then the QR, a
 *     fresh browser each run; for the app's decoder and, as the baseline, html5-qrcode's ZXing-js.
 *     A run whose first frame already held the QR has no "first QR frame" to measure from and is
 *     left out; their count is printed.
 */
export async function benchScan(server: BenchServer): Promise<void> {
  const voucher = await createVoucher(server);
  const always = await scanRunsInView(server, voucher, await qrVideo(voucher.qr));
  console.log(`scan from camera start to voucher on screen: ${stats(always.map((r) => r.shown - r.cameraStart))}`);

  const video = await qrVideo(voucher.qr, { blankSeconds: 1, qrSeconds: 2, fps: 15 });
  for (const [decoder, label] of [
    ['app', "the app's decoder"],
    ['zxing-js', "html5-qrcode's ZXing-js (baseline)"],
  ] as const) {
    const runs = await scanRunsFromFirstFrame(server, voucher, video, decoder);
    const measured = runs.filter((r) => r.firstFrameBlank && r.firstQrFrame !== null && r.shown >= r.firstQrFrame);
    if (measured.length === 0) {
      console.log(`scan from first QR frame, ${label}: no run could be measured (${runs.length} runs started inside the QR part)`);
      continue;
    }
    const fromFrame = measured.map((r) => r.shown - r.firstQrFrame!);
    const decode = measured.map((r) => r.decoded - r.firstQrFrame!);
    const check = measured.map((r) => r.shown - r.decoded);
    console.log(
      `scan from first QR frame to voucher on screen, ${label}: ${stats(fromFrame)}${decoder === 'app' ? ' (goal p95 < 300 ms)' : ''}; ${runs.length - measured.length} run(s) left out`,
    );
    console.log(
      `  of which decode (frame → QR text): median ${Math.round(quantile(decode, 0.5))} ms; check and render (text → screen): median ${Math.round(quantile(check, 0.5))} ms`,
    );
  }
}

interface DistortedRun {
  read: boolean;
  /** Camera start (every frame holds the picture) → voucher on screen, and → QR text. */
  shown: number | null;
  decoded: number | null;
}

/** DISTORTED_RUNS camera starts in front of one picture; the runs, and whether the page had a BarcodeDetector. */
async function distortedRuns(server: BenchServer, voucher: CreatedVoucher, video: string, till: BenchTill): Promise<{ runs: DistortedRun[]; detector: boolean }> {
  const { context, page } = await openTill(server, till, video);
  try {
    const due = page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`);
    const runs: DistortedRun[] = [];
    for (let i = 0; i < DISTORTED_RUNS; i++) {
      await page.getByRole('button', { name: 'Start the camera' }).waitFor();
      await page.evaluate(() => performance.clearMarks());
      await page.getByRole('button', { name: 'Start the camera' }).click();
      const read = await due.waitFor({ timeout: DISTORTED_TIMEOUT_MS }).then(
        () => true,
        () => false,
      );
      const r = await readRun(page);
      const t = { shown: read ? r.shown - r.cameraStart : null, decoded: read ? r.decoded - r.cameraStart : null };
      runs.push({ read, ...t });
      if (read) await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Stop the camera' }).click();
      await page.getByRole('button', { name: 'Start the camera' }).waitFor();
    }
    return { runs, detector: await page.evaluate(() => typeof (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector === 'function') };
  } finally {
    await context.close();
  }
}

/**
 * (4) The distorted set, picture by picture: how many of DISTORTED_RUNS camera starts put the
 * voucher on screen within DISTORTED_TIMEOUT_MS, and the median time from the first camera frame
 * (each frame holds the picture) to the voucher on screen, for the app's decoder and for
 * html5-qrcode's ZXing-js. A picture counts as read when every start read it. The densest voucher
 * is above the offline lease, so "on screen" includes the till's online confirmation; "decode" is
 * the frame → QR text part alone.
 */
export async function benchScanDistorted(server: BenchServer): Promise<void> {
  const voucher = await densestVoucher(server);
  const pictures = await distortedSet(voucher.qr);
  const fair = pictures.filter((p) => zbarRead(p.png) === voucher.qr);
  if (fair.length < pictures.length)
    console.log(`scan, distorted set: zbarimg misses ${pictures.length - fair.length} picture(s), left out: ${pictures.filter((p) => !fair.includes(p)).map((p) => p.name)}`);
  const decoders: { decoder: DecoderUnderTest; label: string }[] = [
    { decoder: 'app', label: 'app decoder' },
    { decoder: 'zxing-js', label: "html5-qrcode's ZXing-js" },
  ];
  const tills = decoders.map(({ decoder }) => benchTill(decoder, 'distorted'));
  const results = new Map<DecoderUnderTest, { name: string; runs: DistortedRun[]; detector: boolean }[]>(decoders.map((d) => [d.decoder, []]));
  for (const picture of fair) {
    const video = pictureVideo(picture.png);
    for (const till of tills) results.get(till.decoder)!.push({ name: picture.name, ...(await distortedRuns(server, voucher, video, till)) });
  }
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x)} ms`);
  const summary = (label: string, rows: { runs: DistortedRun[]; detector: boolean }[]) => {
    const times = rows.flatMap((r) => r.runs.filter((x) => x.read && x.shown !== null).map((x) => x.shown!));
    const read = rows.filter((r) => r.runs.every((x) => x.read)).length;
    const detector = rows.every((r) => r.detector) ? 'BarcodeDetector' : rows.some((r) => r.detector) ? 'BarcodeDetector in some runs' : 'no BarcodeDetector';
    return `${label} [${detector}] read ${read}/${rows.length}${times.length ? ` (median ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))} from camera start to voucher on screen)` : ''}`;
  };
  console.log(
    `scan, distorted set (densest voucher QR, version ${walletQrVersion(voucher.qr)}-M, ${DISTORTED_RUNS} camera starts per picture, ${DISTORTED_TIMEOUT_MS / 1000} s each): ${decoders.map((d) => summary(d.label, results.get(d.decoder)!)).join('; ')}`,
  );
  for (const [i, picture] of fair.entries()) {
    const cells = decoders.map(({ decoder, label }) => {
      const { runs } = results.get(decoder)![i]!;
      const read = runs.filter((r) => r.read);
      const shown = read.flatMap((r) => (r.shown === null ? [] : [r.shown]));
      const decoded = read.flatMap((r) => (r.decoded === null ? [] : [r.decoded]));
      return `${label} ${read.length}/${runs.length}${shown.length ? ` (median ${ms(quantile(shown, 0.5))} to screen, ${ms(quantile(decoded, 0.5))} to QR text)` : ''}`;
    });
    console.log(`  ${picture.name} (${picture.what}): ${cells.join('; ')}`);
  }
}
