/**
 * The shopper's screens read at a glance, in Debian's Chromium against the real server on
 * loopback, at a phone's 390×844 and the smallest 320×640, in English and Chinese: the amount and
 * the QR on the first screen even for the longest names the API accepts, the last hours of a
 * voucher in amber beside its status, the wallet's open vouchers first and the settled ones under
 * "History", settled vouchers that no longer ask for money, a one-page print, and a calm notice for
 * a first opening without network. Where a person looks is checked (boxes inside the viewport,
 * focus, axe), not only the text. Time comes from the page's own fixed clock, set from the
 * voucher's expiry: nothing here depends on today's date or on how fast the machine is.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { NAME_MAX_CHARS } from '../../api/network/network.service.ts';
import { MAX_ITEMS } from '../../core/contract/vouchers.ts';
import { MAX_AMOUNT, ORDER_REF_MAX_CHARS } from '../../core/token/limits.ts';
import { ROOT } from '../support/server.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { browserTierAvailable, savedVoucherCount, waitForServiceWorker } from './support/browser.ts';
import { cancelVoucher, createVoucher, type CreatedVoucher } from './support/api.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { serverAndBrowser } from './support/suite.ts';
import { newEnrolCode } from './support/till.ts';

const run = promisify(execFile);
const available = browserTierAvailable();

const SIZES = [
  { width: 390, height: 844 },
  { width: 320, height: 640 },
] as const;
const LOCALES = ['en-US', 'zh-CN'] as const;
const HOUR = 3_600_000;
/** The expiry the voucher's token signs, and so the one the phone counts down to: the API's, in whole seconds. */
const tokenExpiry = (v: CreatedVoucher) => Math.floor(Date.parse(v.expires_at) / 1000) * 1000;

/** The longest shop names the API accepts (api/network/network.service.ts), in wide letters and in Chinese. */
const LONG_NAMES = {
  'en-US': 'Wilhelmina Woodworth’s Wonderful Warehouse of Woollen Wares, Wickerwork and Whatnots, Wolverhampton'.padEnd(NAME_MAX_CHARS, 'W').slice(0, NAME_MAX_CHARS),
  'zh-CN': '北京市朝阳区望京街道阜通东大街国际家居生活用品与厨房餐具及茶叶礼品专卖旗舰店'.repeat(4).slice(0, NAME_MAX_CHARS),
};
/** The longest order number the API accepts (core/token/limits.ts), all wide characters. */
const LONG_ORDER = 'WM-'.padEnd(ORDER_REF_MAX_CHARS, 'W');

describe.skipIf(!available)('the shopper’s screens at a glance', () => {
  const suite = serverAndBrowser();

  async function phone(size: (typeof SIZES)[number], locale: string = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await (suite.browser as Browser).newContext({ viewport: size, locale, deviceScaleFactor: 2 });
    return { context, page: await context.newPage() };
  }

  /** A merchant of this test's own with the given name (the operator CLI, as an operator makes one), and its API key. */
  async function merchant(name: string): Promise<{ url: string; apiKey: string }> {
    const { server } = suite;
    const { stdout } = await run(process.execPath, ['bin/counterpay.js', 'merchant', 'create', '--name', name, '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
    });
    return { url: server.url, apiKey: (JSON.parse(stdout) as { api_key: string }).api_key };
  }

  /** The largest voucher the API accepts: the longest names, the largest amount, every item with the longest name. */
  function largestVoucher(shop: { url: string; apiKey: string }): Promise<CreatedVoucher> {
    const unit = Math.floor(MAX_AMOUNT / MAX_ITEMS);
    const items = Array.from({ length: MAX_ITEMS }, (_, i) => ({ name: `${i + 1} `.padEnd(200, 'W'), quantity: 1, unit_amount: unit }));
    return createVoucher(shop, { order_ref: LONG_ORDER, amount: unit * MAX_ITEMS, items, description: 'W'.repeat(500) });
  }

  async function box(locator: Locator) {
    const b = await locator.boundingBox();
    if (!b) throw new Error(`no box for ${locator}`);
    return { ...b, bottom: b.y + b.height, right: b.x + b.width };
  }

  /** Rendered lines of a block of text: its height over its line height. */
  const lines = (locator: Locator) => locator.evaluate((el) => Math.round(el.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(el).lineHeight)));

  /** WCAG contrast of an element's text against its own background colour. */
  const contrast = (locator: Locator) =>
    locator.evaluate((el) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: number[]) => {
        const f = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(c[0]!) + 0.7152 * f(c[1]!) + 0.0722 * f(c[2]!);
      };
      const style = getComputedStyle(el);
      const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });

  async function payAtTill(v: CreatedVoucher): Promise<void> {
    const till = await TestTill.enrol(serverConnection(suite.server.url), await newEnrolCode(suite.server));
    const [answer] = await till.outcomes([await till.record(v.token, v.amount, { currency: v.currency })]);
    expect(answer!.outcome).toBe('accepted');
  }

  for (const locale of LOCALES) {
    it(`shows the amount and, right under it, the QR on the first screen for the longest names, in ${locale}`, async () => {
      const shop = await merchant(LONG_NAMES[locale]);
      const voucher = await createVoucher(shop, { order_ref: LONG_ORDER, amount: MAX_AMOUNT, items: [{ name: 'Grand piano', quantity: 1, unit_amount: MAX_AMOUNT }] });
      for (const size of SIZES) {
        const { context, page } = await phone(size, locale);
        // The short link brings the merchant's full name (the token carries a shortened one).
        await page.goto(voucher.voucher_url);
        const qr = page.locator('svg.qr');
        await qr.waitFor();
        await page.locator('dl.details').waitFor();
        const where = `${locale} ${size.width}×${size.height}`;

        expect(await inViewport(qr), where).toBe(true);
        const amount = page.locator('.voucher-amount .amount');
        expect(await inViewport(amount), where).toBe(true);
        expect(await amount.textContent()).toContain(locale === 'zh-CN' ? '999,999.99' : '€999,999.99');
        // Large: well above the body text; and the QR comes right after it, nothing in between.
        expect(await amount.evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(32);
        const gap = (await box(qr)).y - (await box(page.locator('.voucher-amount'))).bottom;
        expect(gap, where).toBeGreaterThanOrEqual(0);
        expect(gap, where).toBeLessThanOrEqual(24);
        // The shop's name: two lines at most, the rest cut with an ellipsis; the details keep it whole.
        const name = page.locator('h1.voucher-merchant');
        expect(await lines(name), where).toBeLessThanOrEqual(2);
        expect(await name.evaluate((el) => el.scrollHeight > el.clientHeight), where).toBe(true);
        expect(await name.evaluate((el) => getComputedStyle(el).webkitLineClamp)).toBe('2');
        expect(await page.locator('dl.details dd').first().textContent()).toBe(LONG_NAMES[locale]);
        // The countdown sits beside the status badge, on the first screen too.
        const badge = await box(page.locator('.voucher-state .badge'));
        const countdown = await box(page.locator('.voucher-state .countdown'));
        expect(Math.abs(countdown.y - badge.y), where).toBeLessThanOrEqual(badge.height + 8);
        expect(await inViewport(page.locator('.voucher-state .countdown')), where).toBe(true);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), where).toBeLessThanOrEqual(size.width);
        expect(await axeFindings(page), where).toEqual([]);
        await context.close();
      }
    });
  }

  it('marks the last three hours of a voucher as expiring soon, in amber beside its status, in the wallet too', async () => {
    const voucher = await createVoucher(suite.server);
    const expiresAt = tokenExpiry(voucher);
    for (const locale of LOCALES) {
      const { context, page } = await phone(SIZES[1], locale);
      await page.clock.setFixedTime(new Date(expiresAt - 5 * HOUR));
      await page.goto(voucher.qr);
      const countdown = page.locator('.voucher-state .countdown');
      await countdown.waitFor();
      expect((await countdown.textContent())!.trim()).toBe(locale === 'zh-CN' ? '5小时0分钟后过期' : 'Expires in 5 h 0 min');
      expect(await countdown.getAttribute('class')).not.toContain('soon');

      await page.clock.setFixedTime(new Date(expiresAt - 2 * HOUR));
      await page.reload();
      await page.locator('svg.qr').waitFor();
      const soon = page.locator('.voucher-state .countdown.soon');
      await soon.waitFor();
      expect((await soon.textContent())!.trim()).toBe(locale === 'zh-CN' ? '即将过期：2小时0分钟后' : 'Expires soon: in 2 h 0 min');
      expect(await soon.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(138, 75, 0)');
      expect(await contrast(soon)).toBeGreaterThanOrEqual(4.5);
      expect(await inViewport(soon)).toBe(true);
      // Still payable: the QR is there, the badge says so.
      expect(await page.locator('article.voucher').getAttribute('data-status')).toBe('open');
      expect(await axeFindings(page)).toEqual([]);

      await page.goto(`${suite.server.url}/`);
      const item = page.locator(`li[data-voucher-id="${voucher.id}"]`);
      await item.waitFor();
      const listed = item.locator('.countdown.soon');
      expect((await listed.textContent())!.trim()).toBe(locale === 'zh-CN' ? '即将过期：2小时0分钟后' : 'Expires soon: in 2 h 0 min');
      expect(await inViewport(listed)).toBe(true);
      expect(await axeFindings(page)).toEqual([]);
      await context.close();
    }
  });

  it('lists open vouchers first, the soonest expiry first, and the settled ones under History, with Remove set apart', async () => {
    for (const [i, size] of SIZES.entries()) {
      // Saved in this order; they expire in another.
      const later = await createVoucher(suite.server, { expires_in: 5 * 86_400 });
      const soonest = await createVoucher(suite.server, { expires_in: 86_400 });
      const paid = await createVoucher(suite.server, { expires_in: 2 * 86_400 });
      const canceled = await createVoucher(suite.server, { expires_in: 3 * 86_400 });
      const { context, page } = await phone(size, LOCALES[i]);
      await page.clock.setFixedTime(new Date(tokenExpiry(soonest) - 20 * HOUR));
      for (const v of [later, soonest, paid, canceled]) {
        await page.goto(v.qr);
        await page.locator('svg.qr').waitFor();
      }
      await payAtTill(paid);
      await cancelVoucher(suite.server, canceled.id);
      await page.goto(`${suite.server.url}/`);
      const ids = (list: string) => page.locator(`${list} > li.wallet-item`).evaluateAll((els) => els.map((e) => e.getAttribute('data-voucher-id')));
      // The most recently settled first: canceled after the other was paid.
      await expect.poll(() => ids('ul.wallet-history'), { timeout: 15_000 }).toEqual([canceled.id, paid.id]);
      expect(await ids('ul.wallet:not(.wallet-history)')).toEqual([soonest.id, later.id]);
      const history = page.getByRole('heading', { level: 2, name: i === 0 ? 'History' : '历史记录' });
      expect(await history.isVisible()).toBe(true);
      // The heading names the history list, and comes after every open voucher.
      expect(await page.getByRole('list', { name: i === 0 ? 'History' : '历史记录' }).count()).toBe(1);
      expect((await box(history)).y).toBeGreaterThan((await box(page.locator(`li[data-voucher-id="${later.id}"]`))).bottom);
      // Each open voucher says when it expires.
      expect((await page.locator(`li[data-voucher-id="${soonest.id}"] .countdown`).textContent())!.trim()).toBe(i === 0 ? 'Expires in 20 h 0 min' : '20小时0分钟后过期');

      // Remove: smaller, borderless, below a rule at the card's foot, away from the card's link.
      const card = page.locator(`li[data-voucher-id="${soonest.id}"]`);
      const link = await box(card.locator('a.wallet-open'));
      const remove = card.locator('button.wallet-remove');
      const removeBox = await box(remove);
      expect(removeBox.y).toBeGreaterThanOrEqual(link.bottom + 8);
      expect(removeBox.width * removeBox.height).toBeLessThan((link.width * link.height) / 3);
      const [removeSize, linkSize] = await Promise.all([remove, card.locator('.wallet-merchant')].map((l) => l.evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))));
      expect(removeSize).toBeLessThan(linkSize!);
      expect(await remove.evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('0px');
      expect(await axeFindings(page), `${size.width}`).toEqual([]);

      // Removing one moves focus to the next voucher's link, not to the page's start.
      page.once('dialog', (d) => void d.accept());
      await remove.focus();
      await page.keyboard.press('Enter');
      await card.waitFor({ state: 'detached' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-voucher-id'))).toBe(later.id);
      expect(await page.evaluate(() => document.activeElement?.classList.contains('wallet-open'))).toBe(true);
      await context.close();
    }
  });

  it('no longer asks for money on a paid, expired or canceled voucher, nor says it works offline', async () => {
    for (const locale of LOCALES) {
      const paid = await createVoucher(suite.server);
      const expired = await createVoucher(suite.server, { expires_in: 900 });
      const canceled = await createVoucher(suite.server);
      const { context, page } = await phone(SIZES[1], locale);
      const due = locale === 'zh-CN' ? '应付金额' : 'Amount due';
      const offline = locale === 'zh-CN' ? '无网络时也能使用' : 'works without a connection';
      for (const v of [paid, expired, canceled]) {
        await page.goto(v.qr);
        await page.locator('svg.qr').waitFor();
        // An open voucher does say both.
        await page.locator('dl.details').waitFor();
        expect(await page.locator('article.voucher').textContent()).toContain(due);
        expect(await page.locator('article.voucher').textContent()).toContain(offline);
      }
      await payAtTill(paid);
      await cancelVoucher(suite.server, canceled.id);
      const cases = [
        { v: paid, status: 'paid', label: locale === 'zh-CN' ? '已付金额' : 'Amount paid' },
        { v: expired, status: 'expired', label: locale === 'zh-CN' ? '金额' : 'Amount' },
        { v: canceled, status: 'canceled', label: locale === 'zh-CN' ? '金额' : 'Amount' },
      ];
      for (const { v, status, label } of cases) {
        if (status === 'expired') await page.clock.setFixedTime(new Date(tokenExpiry(v) + 60_000));
        await page.goto(`${suite.server.url}/vouchers/${v.id}`);
        const article = page.locator('article.voucher');
        await expect.poll(() => article.getAttribute('data-status'), { timeout: 15_000 }).toBe(status);
        await page.locator('dl.details').waitFor();
        const text = (await article.textContent())!;
        expect(text, status).not.toContain(due);
        expect(text, status).not.toContain(offline);
        expect((await page.locator('.voucher-amount .label').textContent())!.trim()).toBe(label);
        expect(await page.locator('svg.qr').count()).toBe(0);
        expect(await inViewport(page.locator('.status-note'))).toBe(true);
        expect(await axeFindings(page), status).toEqual([]);
      }
      await context.close();
    }
  });

  it('shows a voucher canceled before it was first opened, from its link or its QR, without saving it', async () => {
    const fromLink = await createVoucher(suite.server);
    const fromQr = await createVoucher(suite.server);
    await cancelVoucher(suite.server, fromLink.id);
    await cancelVoucher(suite.server, fromQr.id);
    const { context, page } = await phone(SIZES[1]);

    await page.goto(fromLink.voucher_url);
    const article = page.locator(`article[data-voucher-id="${fromLink.id}"]`);
    await article.locator('dl.details').waitFor();
    expect(await article.getAttribute('data-status')).toBe('canceled');
    expect(await page.locator('.status-note').textContent()).toContain('The shop canceled this voucher. Do not pay it.');
    expect(await article.textContent()).toContain('not saved on this phone');
    expect(await page.locator('svg.qr').count()).toBe(0);
    expect(await savedVoucherCount(page)).toBe(0);
    expect(await axeFindings(page)).toEqual([]);

    // The QR opens offline-first (saved at once); the first answer from the server takes it off again.
    await page.goto(fromQr.qr);
    const fromQrArticle = page.locator(`article[data-voucher-id="${fromQr.id}"]`);
    await expect.poll(() => fromQrArticle.getAttribute('data-status'), { timeout: 15_000 }).toBe('canceled');
    await expect.poll(() => savedVoucherCount(page)).toBe(0);
    await expect.poll(() => fromQrArticle.textContent()).toContain('not saved on this phone');

    await page.goto(`${suite.server.url}/`);
    await page.locator('.empty').waitFor();
    expect(await page.locator('li.wallet-item').count()).toBe(0);
    await context.close();
  });

  for (const locale of LOCALES) {
    it(`prints the largest voucher on one page, with its expiry as a date and the digits under the barcode, in ${locale}`, async () => {
      const voucher = await largestVoucher(await merchant(LONG_NAMES[locale]));
      const { context, page } = await phone(SIZES[0], locale);
      await page.goto(voucher.voucher_url);
      await page.locator('svg.barcode').waitFor();
      expect(await page.locator('.items li:not(.print-only)').count()).toBe(MAX_ITEMS);
      await page.emulateMedia({ media: 'print' });

      for (const hidden of ['.voucher-state', '.badge', '.countdown', '.actions', 'header.bar', '.status-row']) {
        expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
      }
      const expiry = page.locator('.voucher-expiry');
      expect(await expiry.isVisible()).toBe(true);
      expect(await expiry.locator('time').getAttribute('datetime')).toBe(new Date(tokenExpiry(voucher)).toISOString());
      expect((await expiry.textContent())!).toMatch(/20\d\d/);
      const grouped = voucher.reference.replace(/(\d{4})(?=\d)/g, '$1 ');
      const digits = page.locator('.barcode-digits');
      expect(await digits.isVisible()).toBe(true);
      expect((await digits.textContent())!.trim()).toBe(grouped);
      const [bars, under] = [await box(page.locator('svg.barcode')), await box(digits)];
      expect(under.y).toBeGreaterThanOrEqual(bars.bottom - 0.5);
      expect(under.y - bars.bottom).toBeLessThan(20);
      expect(under.x < bars.right && under.right > bars.x).toBe(true);
      for (const shown of ['svg.qr', '.reference-digits', 'dl.details', '.voucher-amount']) expect(await page.locator(shown).isVisible(), shown).toBe(true);
      // The long list is cut for paper, and says how many lines it left out.
      expect((await page.locator('.items li.print-only').textContent())!.trim()).toBe(locale === 'zh-CN' ? '另有 94 件' : 'and 94 more');

      const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
      expect(pdf.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
      await context.close();
    });
  }

  it('asks calmly to connect once when a link is first opened offline, and opens it by itself when back online', async () => {
    const voucher = await createVoucher(suite.server);
    for (const [i, size] of SIZES.entries()) {
      const { context, page } = await phone(size, LOCALES[i]);
      // The app is installed (a visit to the wallet), but this link was never opened on the phone.
      await page.goto(`${suite.server.url}/`);
      await waitForServiceWorker(page);
      await context.setOffline(true);
      await page.goto(voucher.voucher_url);
      const notice = page.getByRole('status').filter({ has: page.getByRole('heading', { level: 1 }) });
      await notice.waitFor();
      expect(await notice.getAttribute('data-refusal')).toBe('link_offline');
      expect(await page.getByRole('alert').count()).toBe(0);
      expect((await notice.getByRole('heading').textContent())!.trim()).toBe(i === 0 ? 'Connect once to open this voucher' : '请联网一次以打开此付款券');
      // Neutral: the card's own colours, not the refusal's red.
      const [ground, heading] = await Promise.all([
        notice.evaluate((el) => getComputedStyle(el).backgroundColor),
        notice.getByRole('heading').evaluate((el) => getComputedStyle(el).color),
      ]);
      expect(ground).toBe('rgb(255, 255, 255)');
      expect(heading).toBe('rgb(17, 17, 17)');
      expect(await inViewport(notice.getByRole('heading'))).toBe(true);
      expect(await axeFindings(page), `${size.width}`).toEqual([]);

      await context.setOffline(false);
      await page.locator('svg.qr').waitFor({ timeout: 15_000 });
      expect(await inViewport(page.locator('svg.qr'))).toBe(true);
      expect(await savedVoucherCount(page)).toBe(1);
      await context.close();
    }
  });
});
