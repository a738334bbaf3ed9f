/**
 * The till reads what a real camera sees of a phone screen (issue 16), in Debian's Chromium
 * against the real server, through the real camera path: a fake camera shows one picture of the
 * densest voucher QR the wallet draws, blurred, rotated, tilted, washed out, noisy, under glare,
 * small in the frame, or several at once (./support/distorted.ts), and the voucher must come up
 * on the counter where the cashier looks. zbarimg reads every picture first, so the set is fair.
 * The decoder (web/cashier/scanner.ts) is ZXing-C++ in WebAssembly behind html5-qrcode's
 * BarcodeDetector hook; its .wasm comes from our origin, from the service worker's cache offline,
 * and a till that cannot get it still reads a sharp code with html5-qrcode's own decoder. The
 * app compiles the .wasm under its own CSP ('wasm-unsafe-eval', api/http/security-headers.ts):
 * the browser tier fails any test in which the page reports a policy violation
 * (test/support/csp.setup.ts), so each read here is also that proof.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { QR_MAX_VERSION } from '../../core/token/limits.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { scratchDir } from '../support/scratch.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, waitForServiceWorker } from './support/browser.ts';
import { createVoucher, type CreatedVoucher } from './support/api.ts';
import { ffmpegAvailable, pictureVideo, qrVideo } from './support/camera.ts';
import { DENSE_ORDER, DISTORTIONS, densestVoucher, distortedSet, type Picture, walletQrVersion, zbarRead } from './support/distorted.ts';
import { inViewport } from './support/look.ts';
import { enrol, launchTillProfile, launchWithCamera, newEnrolCode, scanUntil, TABLET } from './support/till.ts';

const available = browserTierAvailable() && ffmpegAvailable();

/** Whether the page has a BarcodeDetector: html5-qrcode decodes with it when there is one. */
const hasBarcodeDetector = (page: Page) => page.evaluate(() => typeof (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector === 'function');

/** Every request the context makes, page and service worker alike, by URL. */
function requestsOf(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return urls;
}

describe.skipIf(!available)('the till reads the densest voucher QR as a camera sees it', () => {
  let server: RunningServer;
  let voucher: CreatedVoucher;
  let pictures: Picture[];
  /** One till, enrolled once: its profile is launched again with each picture as its camera (the server allows 20 enrolments per address in 15 minutes). */
  let profile: string;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
    voucher = await densestVoucher(server);
    pictures = await distortedSet(voucher.qr);
    profile = scratchDir('till-distorted');
    const context = await launchTillProfile(profile, pictureVideo(pictures[0]!.png));
    try {
      await enrol(context.pages()[0] ?? (await context.newPage()), server.url, await newEnrolCode(server));
    } finally {
      await context.close();
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('draws the densest voucher as the wallet does, at the largest QR a voucher may need (version 10-M)', () => {
    expect(walletQrVersion(voucher.qr)).toBe(QR_MAX_VERSION);
  });

  it('is a fair set: zbarimg reads the voucher in every picture', () => {
    expect(pictures.map((p) => [p.name, zbarRead(p.png)])).toEqual(pictures.map((p) => [p.name, voucher.qr]));
  });

  for (const { name, what } of DISTORTIONS) {
    it(`puts the voucher on the counter when the QR in front of the camera is ${what}`, async () => {
      const picture = pictures.find((p) => p.name === name)!;
      const context = await launchTillProfile(profile, pictureVideo(picture.png));
      try {
        const requests = requestsOf(context);
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${server.url}/cashier`);
        const due = page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`);
        await scanUntil(page, due);
        expect(await inViewport(due.locator('.due-amount'))).toBe(true);
        expect(await due.locator('.due-amount').textContent()).toBe('€999,999.99');
        expect(await due.locator('.due-order').textContent()).toBe(DENSE_ORDER);
        // The app's decoder read it, with its .wasm from our origin: nothing was asked of any other.
        expect(await hasBarcodeDetector(page)).toBe(true);
        expect(requests.some((u) => u.startsWith(`${server.url}/assets/`) && u.endsWith('.wasm'))).toBe(true);
        expect(requests.filter((u) => new URL(u).origin !== server.url)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('decodes offline with the .wasm from the service worker’s cache: a till that never scanned online reads a blurred code', async () => {
    const small = await createVoucher(server);
    const [blurred] = await distortedSet(small.qr, ['blur-mild']);
    const context = await launchTillProfile(scratchDir('till-offline'), pictureVideo(blurred!.png));
    try {
      const requests = requestsOf(context);
      const page = context.pages()[0] ?? (await context.newPage());
      await enrol(page, server.url, await newEnrolCode(server));
      await waitForServiceWorker(page);
      await context.setOffline(true);
      // A fresh page, offline: the decoder has never loaded in it, so the .wasm can only come from the cache.
      await page.reload();
      await page.getByRole('button', { name: 'Start the camera' }).waitFor();
      const due = page.locator(`.voucher-due[data-voucher-id="${small.id}"]`);
      await scanUntil(page, due);
      expect(await inViewport(due.locator('.due-amount'))).toBe(true);
      expect(await due.locator('.due-amount').textContent()).toBe('€42.50');
      expect(await hasBarcodeDetector(page)).toBe(true);
      expect(requests.filter((u) => new URL(u).origin !== server.url)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('still reads a sharp code with html5-qrcode’s own decoder when the .wasm cannot be had', async () => {
    const sharp = await createVoucher(server);
    const browser = await launchWithCamera(await qrVideo(sharp.qr));
    try {
      // No service worker (it would answer from its cache): the network refuses the .wasm.
      const context = await browser.newContext({ viewport: TABLET, locale: 'en-US', serviceWorkers: 'block' });
      let refused = 0;
      await context.route('**/*.wasm', (route) => {
        refused++;
        return route.abort();
      });
      const page = await context.newPage();
      await enrol(page, server.url, await newEnrolCode(server));
      const due = page.locator(`.voucher-due[data-voucher-id="${sharp.id}"]`);
      await scanUntil(page, due);
      expect(await due.locator('.due-amount').textContent()).toBe('€42.50');
      expect(refused).toBeGreaterThan(0);
      expect(await hasBarcodeDetector(page)).toBe(false);
    } finally {
      await browser.close();
    }
  });
});
