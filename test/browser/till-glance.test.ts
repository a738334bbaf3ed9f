/**
 * The till as a cashier sees it, in Chromium at the tablet sizes stores use (1024×768 and
 * 768×1024): after a scan the amount due and Collect are on the screen without scrolling and the
 * camera is off; focus is where the next action is; a refusal is a banner with the voucher's
 * facts; the receipt leads with the outcome and the change; offline is a banner with the count;
 * a handheld scanner works voucher after voucher; the receipt fits an 80 mm roll; the till has
 * its own manifest; axe finds nothing, in English and in Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch } from './support/browser.ts';
import { createVoucher, type CreatedVoucher } from './support/api.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { enrol, launchWithCamera, newEnrolCode } from './support/till.ts';

const available = browserTierAvailable() && ffmpegAvailable();
const LANDSCAPE = { width: 1024, height: 768 };
const PORTRAIT = { width: 768, height: 1024 };

/** Whether `element` has focus. */
const hasFocus = (element: Locator) => element.evaluate((el) => el === document.activeElement);

describe.skipIf(!available)('the till at a glance', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh browser with `voucher`'s QR in front of its camera, and an enrolled till at `viewport`. */
  async function tillWithCamera(voucher: CreatedVoucher, viewport: { width: number; height: number }, locale = 'en-US') {
    const browser = await launchWithCamera(await qrVideo(voucher.qr));
    const context = await browser.newContext({ viewport, locale });
    const page = await context.newPage();
    await enrol(page, server.url, await newEnrolCode(server));
    return { browser, context, page };
  }

  /** Starts the camera and waits for the voucher on the counter (twice at most: a decode can miss under load). */
  async function scan(page: Page, voucherId: string): Promise<Locator> {
    const due = page.locator(`.voucher-due[data-voucher-id="${voucherId}"]`);
    for (let attempt = 1; ; attempt++) {
      await page.getByRole('button', { name: 'Start the camera' }).click();
      try {
        await due.waitFor({ timeout: 20_000 });
        return due;
      } catch (err) {
        if (attempt === 2) throw err;
        await page.getByRole('button', { name: 'Stop the camera' }).click();
      }
    }
  }

  for (const [name, viewport] of [
    ['1024×768', LANDSCAPE],
    ['768×1024', PORTRAIT],
  ] as const) {
    it(`shows a scanned voucher's amount and Collect on screen at ${name}, with the camera off and focus on the voucher; the receipt leads with the change`, async () => {
      const voucher = await createVoucher(server);
      const { browser, page } = await tillWithCamera(voucher, viewport);
      try {
        // After enrolment: the camera button, the first thing to press.
        expect(await hasFocus(page.getByRole('button', { name: 'Start the camera' }))).toBe(true);
        expect(await axeFindings(page)).toEqual([]);

        const due = await scan(page, voucher.id);
        expect(await inViewport(due.locator('.due-amount'))).toBe(true);
        expect(await due.locator('.due-amount').textContent()).toBe('€42.50');
        const collect = page.getByRole('button', { name: 'Collect €42.50' });
        expect(await inViewport(collect)).toBe(true);
        await expect.poll(() => hasFocus(due)).toBe(true);
        // The read stopped the camera: nothing moving competes with the answer.
        await expect.poll(() => page.locator('.camera-frame').getAttribute('data-scanning')).toBe('false');
        expect(await page.locator('#till-camera video').count()).toBe(0);
        expect(await axeFindings(page)).toEqual([]);

        // Exact amount and the next round notes; Cancel at the other end of the row from Collect.
        const quick = page.getByRole('group', { name: 'Amounts handed over often' }).getByRole('button');
        expect(await quick.allTextContents()).toEqual(['Exact €42.50', '€45.00', '€50.00', '€60.00']);
        const cancel = page.getByRole('button', { name: 'Cancel' });
        const [collectBox, cancelBox] = [await collect.boundingBox(), await cancel.boundingBox()];
        expect(cancelBox!.x - (collectBox!.x + collectBox!.width)).toBeGreaterThan(100);
        await page.getByRole('button', { name: '€50.00' }).click();
        expect(await page.getByLabel('Cash handed over').inputValue()).toBe('50.00');
        expect(await page.locator('.change').textContent()).toBe('Change due: €7.50');
        await collect.click();

        const receipt = page.locator('.receipt');
        await receipt.waitFor();
        const lead = receipt.locator('.receipt-lead');
        expect(await lead.textContent()).toMatch(/^(Recorded|Accepted) — give €7\.50 change$/);
        expect(await inViewport(lead)).toBe(true);
        expect(await receipt.locator('.receipt-number').textContent()).toMatch(/^[A-Z0-9]{4}-1$/);
        const next = receipt.getByRole('button', { name: 'Next voucher' });
        await expect.poll(() => hasFocus(next)).toBe(true);
        expect(await inViewport(next)).toBe(true);
        expect(await axeFindings(page)).toEqual([]);

        const collectedIso = (await receipt.locator('time').getAttribute('datetime'))!;

        // Next voucher: the Reference field, and the camera on again for the next shopper.
        await next.click();
        await expect.poll(() => hasFocus(page.getByLabel('Reference'))).toBe(true);
        await expect.poll(() => page.locator('.camera-frame').getAttribute('data-scanning')).toBe('true');
        // The code still in front of the camera is not read again by itself.
        expect(await page.locator('.counter').count()).toBe(0);

        // The same voucher on purpose (the camera started by hand reads what is in view): this till took it.
        await page.getByRole('button', { name: 'Stop the camera' }).click();
        await page.getByRole('button', { name: 'Start the camera' }).click();
        const refusal = page.locator('.till-refusal[data-refusal="collected_here"]');
        await refusal.waitFor({ timeout: 40_000 });
        const collectedAt = await page.evaluate((time) => new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(new Date(time)), collectedIso);
        expect(await refusal.locator('.refusal-sentence').textContent()).toBe(
          `This till collected this voucher at ${collectedAt}. Do not take payment again; the receipt is in this shift’s list.`,
        );
        expect(await refusal.locator('.refusal-voucher').textContent()).toBe(`Demo Shop · Order number ${voucher.order_ref} · €42.50`);
        const box = await refusal.boundingBox();
        const grid = await page.locator('.till-grid').boundingBox();
        expect(box!.width).toBeCloseTo(grid!.width, 0);
        expect(await inViewport(refusal)).toBe(true);
        await expect.poll(() => hasFocus(refusal.getByRole('button', { name: 'Next voucher' }))).toBe(true);
        expect(await axeFindings(page)).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }

  describe('without a camera', () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function till(viewport: { width: number; height: number }, language?: 'zh') {
      context = await browser.newContext({ viewport, locale: 'en-US' });
      page = await context.newPage();
      await enrol(page, server.url, await newEnrolCode(server));
      // The cashier's own choice of language, as the picker in the header keeps it.
      if (language) await page.getByLabel('Language').selectOption(language);
    }

    it('takes voucher after voucher from a handheld scanner that types each code and presses Enter, wherever focus was', async () => {
      await till(LANDSCAPE);
      try {
        const vouchers = [await createVoucher(server), await createVoucher(server, { amount: 1_990, items: [{ name: 'Tea', quantity: 1, unit_amount: 1_990 }] })];
        await page.getByLabel('Reference').focus();
        for (const [i, voucher] of vouchers.entries()) {
          // The scanner types the reference's digits and Enter, with no one touching the screen.
          await page.keyboard.type(voucher.reference.replace(/\D/g, ''));
          await page.keyboard.press('Enter');
          const due = page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`);
          await due.waitFor();
          await expect.poll(() => hasFocus(due)).toBe(true);
          expect(await inViewport(page.getByRole('button', { name: /^Collect / }))).toBe(true);
          await page.getByRole('button', { name: /^Collect / }).click();
          await page.locator(`.receipt[data-voucher-id="${voucher.id}"]`).waitFor();
          expect(await page.locator('.receipt-lead').textContent()).toMatch(/^(Recorded|Accepted) — no change to give$/);
          await expect.poll(() => hasFocus(page.locator('.receipt').getByRole('button', { name: 'Next voucher' }))).toBe(true);
          expect(await page.locator('.receipt-number').textContent()).toMatch(new RegExp(`-${i + 1}$`));
        }
        // A mistyped reference: the banner, and the field cleared and focused for the next code.
        await page.keyboard.type('123456789012');
        await page.keyboard.press('Enter');
        const refusal = page.locator('.till-refusal');
        await refusal.waitFor();
        expect(await refusal.getAttribute('data-refusal')).toBe('reference_check_digit');
        await expect.poll(() => hasFocus(page.getByLabel('Reference'))).toBe(true);
        expect(await page.getByLabel('Reference').inputValue()).toBe('');
        expect(await inViewport(refusal)).toBe(true);
        expect(await axeFindings(page)).toEqual([]);
        // Next voucher: the Reference field.
        await refusal.getByRole('button', { name: 'Next voucher' }).click();
        await expect.poll(() => hasFocus(page.getByLabel('Reference'))).toBe(true);
      } finally {
        await context.close();
      }
    });

    it('shows a full-width offline banner with the number of collections waiting, and the payment-type focus ring round the whole control', async () => {
      await till(PORTRAIT);
      try {
        const voucher = await createVoucher(server);
        await context.setOffline(true);
        const banner = page.locator('.till-offline');
        await banner.waitFor();
        expect(await banner.textContent()).toBe('This till is offline. Collections waiting to send: 0. Keep collecting: they are sent as soon as the connection is back.');
        expect(await inViewport(banner)).toBe(true);
        const bar = await page.locator('.sync-bar').boundingBox();
        expect((await banner.boundingBox())!.width).toBeGreaterThan(bar!.width * 0.9);
        // A handheld scanner reads the QR and types its text: checked offline against the cached keys.
        await page.getByLabel('Reference').fill(voucher.qr);
        await page.getByLabel('Reference').press('Enter');
        await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor();

        // Keyboard on the payment type: the ring goes round the label, not only the small radio.
        await page.getByRole('radio', { name: 'Cash' }).focus();
        await page.keyboard.press('ArrowRight');
        const ring = await page.locator('.tender:has(input:focus-visible)').evaluate((el) => getComputedStyle(el).outlineStyle);
        expect(ring).toBe('solid');
        await page.getByRole('radio', { name: 'Cash' }).check();
        await page.getByRole('button', { name: 'Collect €42.50' }).click();
        await page.locator('.receipt[data-outcome="queued"]').waitFor();
        expect(await page.locator('.receipt-lead').textContent()).toBe('Recorded — no change to give');
        await expect.poll(() => banner.textContent()).toContain('Collections waiting to send: 1.');
        expect(await axeFindings(page)).toEqual([]);

        // The receipt on an 80 mm roll: every label on one line, one page 80 mm wide.
        await page.evaluate(() => {
          document.body.dataset.print = 'receipt';
        });
        await page.emulateMedia({ media: 'print' });
        await page.setViewportSize({ width: 302, height: 600 });
        const wrapped = await page
          .locator('.receipt .due dt')
          .evaluateAll((labels) =>
            labels
              .filter((dt) => dt.getBoundingClientRect().height > parseFloat(getComputedStyle(dt).lineHeight) * 1.5 || dt.scrollWidth > dt.clientWidth)
              .map((dt) => dt.textContent),
          );
        expect(wrapped).toEqual([]);
        const pdf = (await page.pdf({ preferCSSPageSize: true })).toString('latin1');
        expect(pdf.match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
        const [, width] = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+[\d.]+\s*\]/.exec(pdf) ?? [];
        expect(Number(width)).toBeCloseTo((80 / 25.4) * 72, 0);
        await context.setOffline(false);
      } finally {
        await context.close();
      }
    });

    it('in Chinese, keeps every button label on one line and stays axe clean', async () => {
      await till(PORTRAIT, 'zh');
      try {
        const voucher = await createVoucher(server);
        await page.getByLabel('参考号').fill(voucher.qr);
        await page.getByLabel('参考号').press('Enter');
        await page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`).waitFor();
        const wrapped = await page.locator('.till button:visible').evaluateAll((buttons) =>
          buttons
            .filter((b) => {
              // The lines its text takes: one rectangle per line box, told apart by their tops.
              const text = document.createRange();
              text.selectNodeContents(b);
              const lines = new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size;
              return lines > 1 || b.scrollWidth > b.clientWidth;
            })
            .map((b) => b.textContent),
        );
        expect(wrapped).toEqual([]);
        expect(await axeFindings(page)).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('installs as its own app: the till links its own manifest (start URL /cashier, any orientation, its own name and icon), and its header has no link into the wallet', async () => {
      context = await browser.newContext({ viewport: LANDSCAPE, locale: 'en-US' });
      page = await context.newPage();
      try {
        await page.goto(`${server.url}/cashier`);
        await page.getByLabel('Enrolment code').waitFor();
        expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/cashier.webmanifest');
        expect(await page.title()).toBe('Counterpay Till');
        const res = await fetch(`${server.url}/cashier.webmanifest`);
        expect(res.status).toBe(200);
        const manifest = (await res.json()) as { id: string; name: string; start_url: string; orientation: string; icons: { src: string }[] };
        expect(manifest).toMatchObject({ id: '/cashier', name: 'Counterpay Till', start_url: '/cashier', orientation: 'any' });
        const wallet = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as { icons: { src: string }[] };
        for (const icon of manifest.icons) {
          const image = await fetch(`${server.url}${icon.src}`);
          expect(image.headers.get('content-type'), icon.src).toBe('image/png');
          expect(wallet.icons.map((i) => i.src)).not.toContain(icon.src);
        }
        expect(await page.locator('header a[href="/"]').count()).toBe(0);
        expect(await page.locator('header').getByRole('link', { name: 'My vouchers' }).count()).toBe(0);
        expect(await axeFindings(page)).toEqual([]);
        // The wallet keeps its own.
        await page.goto(`${server.url}/`);
        expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/manifest.webmanifest');
      } finally {
        await context.close();
      }
    });
  });
});
