/**
 * The shopper view in Debian's Chromium against the real server on loopback: the voucher must
 * come up offline, its QR must decode to the API's `qr`, altered tokens must be refused, and
 * statuses must follow the server once the phone is back online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch, launchProfile, savedVoucherCount, waitForServiceWorker, zbar } from './support/browser.ts';
import { cancelVoucher, createVoucher, type CreatedVoucher } from './support/api.ts';
import { newEnrolCode } from './support/till.ts';

type Server = Awaited<ReturnType<typeof startServer>>;

const available = browserTierAvailable();

describe.skipIf(!available)('shopper view in Chromium', () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh phone: its own storage, a phone-sized screen, English unless told otherwise. */
  async function phone(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale, deviceScaleFactor: 2 });
    return { context, page: await context.newPage() };
  }

  async function openAndInstall(page: Page, voucher: CreatedVoucher, via: 'qr' | 'voucher_url' = 'qr') {
    await page.goto(voucher[via]);
    await page.locator('svg.qr').waitFor();
    await waitForServiceWorker(page);
  }

  async function decodeQr(page: Page): Promise<string[]> {
    return zbar(await page.locator('svg.qr').first().screenshot())
      .filter((l) => l.startsWith('QR-Code:'))
      .map((l) => l.slice(8));
  }

  it('shows a voucher opened from its QR URL again after going offline and reloading, with a QR that decodes to the API’s qr', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone();
    await openAndInstall(page, voucher);
    // The token leaves the address bar once the voucher is saved.
    expect(new URL(page.url()).pathname).toBe(`/vouchers/${voucher.id}`);

    await context.setOffline(true);
    await page.reload();
    await page.locator('svg.qr').waitFor();
    await expect.poll(() => page.locator('.order-ref').textContent()).toBe(voucher.order_ref);
    expect(await page.locator('.reference-digits').getAttribute('data-reference')).toBe(voucher.reference);
    expect(await page.locator('.amount').first().textContent()).toBe('€42.50');
    expect(await page.locator('svg.qr').getAttribute('aria-label')).toContain(voucher.reference.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(await decodeQr(page)).toEqual([voucher.qr]);
    expect(Number(await page.locator('svg.qr').getAttribute('data-qr-version'))).toBeLessThanOrEqual(10);

    // The 1D barcode carries the reference for scanners that read only Code 128.
    const bars = zbar(await page.locator('svg.barcode').screenshot(), 'code128');
    expect(bars).toEqual([`CODE-128:${voucher.reference}`]);

    // The QR URL itself opens offline too (the service worker serves the app for /V/<token>).
    await page.goto(voucher.qr);
    expect(await decodeQr(page)).toEqual([voucher.qr]);
    await context.close();
  });

  it('opens a short link with its full items and reopens the same link offline', async () => {
    const voucher = await createVoucher(server, {
      items: [
        { name: 'Walnut tray', quantity: 1, unit_amount: 3_000 },
        { name: 'Linen napkin', quantity: 5, unit_amount: 250 },
      ],
    });
    const { context, page } = await phone();
    await openAndInstall(page, voucher, 'voucher_url');
    const items = async () => (await page.locator('.items li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await expect.poll(items).toEqual(['1 × Walnut tray €30.00', '5 × Linen napkin €12.50']);

    await context.setOffline(true);
    await page.goto(voucher.voucher_url);
    await page.locator('svg.qr').waitFor();
    await expect.poll(() => page.locator('.items li').count()).toBe(2);
    expect(await decodeQr(page)).toEqual([voucher.qr]);
    await context.close();
  });

  it('refuses an altered or truncated token with a sentence the shopper can act on, and stores nothing', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone();
    const at = voucher.token.length - 20; // inside the signature
    const altered = voucher.token.slice(0, at) + (voucher.token[at] === '1' ? '2' : '1') + voucher.token.slice(at + 1);
    await page.goto(`${server.url}/V/${altered}`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.getAttribute('data-refusal')).toMatch(/^(bad_signature|malformed)$/);
    expect(await alert.textContent()).toMatch(/not saved|not a complete/);
    expect(await page.locator('svg.qr').count()).toBe(0);
    expect(await savedVoucherCount(page)).toBe(0);

    await page.goto(`${server.url}/V/${voucher.token.slice(0, -7)}`);
    await expect.poll(() => page.getByRole('alert').getAttribute('data-refusal')).toBe('malformed');
    expect(await page.getByRole('alert').textContent()).toContain('Open the original message from the shop again');
    expect(await savedVoucherCount(page)).toBe(0);

    await page.goto(`${server.url}/v/0000000000000000000000zzzz`);
    await expect.poll(() => page.getByRole('alert').getAttribute('data-refusal')).toBe('link_not_found');
    expect(await savedVoucherCount(page)).toBe(0);
    await context.close();
  });

  it('flips a saved voucher to canceled in the wallet once the phone is back online', async () => {
    // Expiries are whole seconds: kept's is a day sooner, so the order below does not hang on a tie.
    const kept = await createVoucher(server, { expires_in: 2 * 86_400 });
    const canceled = await createVoucher(server);
    const { context, page } = await phone();
    await openAndInstall(page, kept);
    await page.goto(canceled.qr);
    await page.locator('svg.qr').waitFor();

    await context.setOffline(true);
    await cancelVoucher(server, canceled.id);
    await page.goto(`${server.url}/`);
    const item = (id: string) => page.locator(`li[data-voucher-id="${id}"]`);
    await item(canceled.id).waitFor();
    // Both open, the soonest expiry first; offline, the wallet can only show what it last knew.
    const order = (list: string) => page.locator(`${list} li.wallet-item`).evaluateAll((els) => els.map((e) => e.getAttribute('data-voucher-id')));
    expect(await order('ul.wallet')).toEqual([kept.id, canceled.id]);
    expect(await item(canceled.id).getAttribute('data-status')).toBe('open');

    await context.setOffline(false);
    await expect.poll(() => item(canceled.id).getAttribute('data-status'), { timeout: 15_000 }).toBe('canceled');
    expect(await item(canceled.id).locator('.badge').textContent()).toBe('Canceled');
    expect(await item(kept.id).getAttribute('data-status')).toBe('open');
    // Settled, it moves under "History", below the voucher still to pay.
    expect(await order('ul.wallet:not(.wallet-history)')).toEqual([kept.id]);
    expect(await order('ul.wallet-history')).toEqual([canceled.id]);
    expect(await page.getByRole('heading', { level: 2, name: 'History' }).isVisible()).toBe(true);

    // The voucher screen says not to pay it and shows no code to scan.
    await item(canceled.id).locator('a').click();
    await page.locator('.status-note').waitFor();
    expect(await page.locator('svg.qr').count()).toBe(0);

    // Removing a voucher takes it off the phone.
    await page.goto(`${server.url}/`);
    page.once('dialog', (d) => void d.accept());
    await item(canceled.id)
      .getByRole('button', { name: /Remove the voucher/ })
      .click();
    await item(canceled.id).waitFor({ state: 'detached' });
    expect(await savedVoucherCount(page)).toBe(1);
    await context.close();
  });

  it('flips a saved voucher to paid in the wallet once a till has collected it and the phone is back online', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone();
    await openAndInstall(page, voucher);
    await context.setOffline(true);

    // A till collects it and its collection is accepted (the till API as tests drive it).
    const { serverConnection, TestTill } = await import('../support/till.ts');
    // A code of this try's own, so that a retry can enrol too.
    const till = await TestTill.enrol(serverConnection(server.url), await newEnrolCode(server));
    const [answer] = await till.outcomes([await till.record(voucher.token, voucher.amount, { currency: voucher.currency })]);
    expect(answer!.outcome).toBe('accepted');

    await page.goto(`${server.url}/`);
    const item = page.locator(`li[data-voucher-id="${voucher.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('open');
    await context.setOffline(false);
    await expect.poll(() => item.getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    expect(await item.locator('.badge').textContent()).toBe('Paid');
    await context.close();
  });

  it('keeps the voucher through closing and reopening a persistent browser profile while offline', async () => {
    const voucher = await createVoucher(server);
    const profile = await mkdtemp(join(tmpdir(), 'counterpay-profile-'));
    try {
      let context = await launchProfile(profile);
      let page = context.pages()[0] ?? (await context.newPage());
      await openAndInstall(page, voucher);
      await context.close();

      context = await launchProfile(profile);
      await context.setOffline(true);
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(voucher.qr);
      await page.locator('svg.qr').waitFor();
      expect(zbar(await page.locator('svg.qr').screenshot())).toEqual([`QR-Code:${voucher.qr}`]);
      await page.goto(`${server.url}/`);
      await page.locator(`li[data-voucher-id="${voucher.id}"]`).waitFor();
      await context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('leaves the API, its documents and the health check to the network, even under the service worker', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone();
    await openAndInstall(page, voucher);
    for (const path of ['/v1/keys', '/healthz']) {
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.fromServiceWorker(), path).toBe(false);
      expect(response?.headers()['content-type'], path).not.toContain('text/html');
    }
    await page.goto(`${server.url}/`);
    await waitForServiceWorker(page);
    await context.setOffline(true);
    // Offline, an app route still opens from the precache, while a server path is never answered
    // with the app: it fails like any request without network (or comes from the HTTP cache when
    // the server allowed caching it).
    expect((await page.goto(`${server.url}/cashier`))?.fromServiceWorker()).toBe(true);
    for (const path of ['/v1/keys', '/openapi.json', '/docs', '/healthz']) {
      const outcome = await page.goto(`${server.url}${path}`).then(
        (response) => (response?.fromServiceWorker() ? 'service worker' : 'http cache'),
        (error: Error) => (/ERR_INTERNET_DISCONNECTED/.test(error.message) ? 'network error' : error.message),
      );
      expect(['network error', 'http cache'], path).toContain(outcome);
    }
    await context.close();
  });

  it('speaks Chinese to a Chinese browser, switches language by hand and remembers the choice', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone('zh-CN');
    await page.goto(voucher.qr);
    await page.locator('svg.qr').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hans');
    expect(await page.locator('dl.details').textContent()).toContain('订单号');
    expect(await page.locator('.badge').textContent()).toBe('待付款');

    await page.getByLabel('语言').selectOption('en');
    await expect.poll(() => page.locator('.badge').textContent()).toBe('Ready to pay');
    await page.reload();
    await page.locator('svg.qr').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await context.close();
  });

  it('works from 320 px wide by keyboard alone, with a label on every control, and its full-screen QR still decodes', async () => {
    const voucher = await createVoucher(server);
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(voucher.qr);
    await page.locator('svg.qr').waitFor();

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll('a, button, select, input, svg[role="img"]')]
        .filter((el) => {
          const labelled =
            el.getAttribute('aria-label') || el.textContent?.trim() || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label')?.textContent?.trim();
          return !labelled;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabeled).toEqual([]);

    // Tab from the top until the full-screen button has focus, then open it with Enter.
    let focused = '';
    for (let i = 0; i < 15 && focused !== 'Show code full screen'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    expect(focused).toBe('Show code full screen');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(zbar(await dialog.locator('svg.qr').screenshot())).toEqual([`QR-Code:${voucher.qr}`]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Show code full screen');
    await context.close();
  });

  it('prints the QR, the reference and the order details on a single page', async () => {
    const voucher = await createVoucher(server);
    const { context, page } = await phone();
    await page.goto(voucher.qr);
    await page.locator('svg.barcode').waitFor();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.bar').isVisible()).toBe(false);
    expect(await page.locator('.actions').isVisible()).toBe(false);
    for (const selector of ['svg.qr', '.reference-digits', 'dl.details', 'svg.barcode']) expect(await page.locator(selector).isVisible(), selector).toBe(true);
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    await context.close();
  });
});
