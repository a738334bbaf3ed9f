/**
 * Test mode where people look (docs/test-mode.md), in Debian's Chromium against the real server:
 * a till whose fake camera sees a real test-mode voucher refuses it with a sentence the cashier
 * understands and records nothing; the shopper's voucher, its QR and its full-screen QR carry a
 * TEST mark inside the viewport, axe clean.
 */
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserTierAvailable } from './support/browser.ts';
import { createVoucher } from './support/api.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { serverAndBrowser } from './support/suite.ts';
import { enrol, journal, launchWithCamera, newEnrolCode, scanUntil, TABLET } from './support/till.ts';

const available = browserTierAvailable() && ffmpegAvailable();

describe.skipIf(!available)('test mode in Chromium', () => {
  const suite = serverAndBrowser();
  const testShop = () => ({ url: suite.server.url, apiKey: suite.server.testApiKey });

  it('refuses a test voucher the camera reads: a banner saying no money may be taken, focus on Next voucher, nothing journaled', async () => {
    expect(suite.server.testApiKey).toMatch(/^cpk_test_/);
    const voucher = await createVoucher(testShop());
    const browser: Browser = await launchWithCamera(await qrVideo(voucher.qr));
    try {
      const page = await (await browser.newContext({ viewport: TABLET, locale: 'en-US' })).newPage();
      await enrol(page, suite.server.url, await newEnrolCode(suite.server));
      const refusal = page.locator('.till-refusal[data-refusal="test_voucher"]');
      await scanUntil(page, refusal);
      expect(await refusal.locator('.refusal-sentence').textContent()).toBe('This is a test voucher: no money may be taken for it. The shop made it to try Counterpay out.');
      expect(await inViewport(refusal)).toBe(true);
      await expect.poll(() => refusal.getByRole('button', { name: 'Next voucher' }).evaluate((el) => el === document.activeElement)).toBe(true);
      // No Collect button is offered, and the till's journal holds nothing for it.
      expect(await page.getByRole('button', { name: /^Collect/ }).count()).toBe(0);
      expect((await journal(page)).filter((r) => r.voucherId === voucher.id)).toEqual([]);
      expect(await axeFindings(page)).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  for (const locale of ['en-US', 'zh-CN'] as const) {
    it(`marks a test voucher TEST beside its status, under its QR and on the full-screen QR, in ${locale}`, async () => {
      const voucher = await createVoucher(testShop());
      const live = await createVoucher(suite.server);
      const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, locale, deviceScaleFactor: 2 });
      try {
        const page = await context.newPage();
        await page.goto(voucher.voucher_url);
        await page.locator('svg.qr').waitFor();
        const mark = page.locator('.voucher-head [data-test-mark]');
        expect(await mark.textContent()).toBe(locale === 'en-US' ? 'TEST' : '测试');
        expect(await inViewport(mark)).toBe(true);
        const note = page.locator('.qr-box [data-test-note]');
        expect(await note.textContent()).toContain(locale === 'en-US' ? 'no store takes money for it' : '任何门店都不会为它收款');
        expect(await inViewport(note)).toBe(true);
        expect(await axeFindings(page)).toEqual([]);

        await page.getByRole('button', { name: locale === 'en-US' ? 'Show code full screen' : '全屏显示付款码' }).click();
        const full = page.locator('.fullscreen-qr [data-test-mark]');
        await full.waitFor();
        expect(await inViewport(full)).toBe(true);
        expect(await inViewport(page.locator('.fullscreen-qr svg.qr'))).toBe(true);

        // A live voucher has no mark.
        await page.goto(live.voucher_url);
        await page.locator('svg.qr').waitFor();
        expect(await page.locator('[data-test-mark], [data-test-note]').count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  }
});
