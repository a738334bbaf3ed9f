/**
 * Refunds in the shopper's wallet, in Debian's Chromium against the real server on loopback: a
 * voucher paid at one till, refunded by the merchant, shows the refund as its own card with its
 * own QR (decoding to the API's `qr`), brought into view and focused when the refund's link is
 * opened; the card and its QR still show offline; once a second till has paid the refund out and
 * the phone is back online, the wallet says so and shows no QR for it.
 */
import { inViewport } from './support/look.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch, waitForServiceWorker, zbar } from './support/browser.ts';
import { createVoucher, type CreatedVoucher } from './support/api.ts';
import { newEnrolCode } from './support/till.ts';

type Server = Awaited<ReturnType<typeof startServer>>;

interface CreatedRefund {
  id: string;
  status: string;
  amount: number;
  currency: string;
  reference: string;
  token: string;
  qr: string;
  refund_url: string;
  payout_code_sent_to: string[];
  reason?: string;
  expires_at: string;
}

const available = browserTierAvailable();
const PHONE = { width: 390, height: 844 };
const grouped = (reference: string) => reference.replace(/(\d{4})(?=\d)/g, '$1 ');

describe.skipIf(!available)('refunds in the shopper view in Chromium', () => {
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

  async function phone(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: PHONE, locale, deviceScaleFactor: 2 });
    return { context, page: await context.newPage() };
  }

  /** A voucher of €49.90 for a shopper with an e-mail address (so the refund's code is sent, and may be asked). */
  function voucher49(): Promise<CreatedVoucher> {
    return createVoucher(server, { amount: 4_990, items: [{ name: 'Desk lamp', quantity: 1, unit_amount: 4_990 }], customer: { email: 'shopper@example.com' } });
  }

  async function till(name: string): Promise<TestTill> {
    return TestTill.enrol(serverConnection(server.url), await newEnrolCode(server), name);
  }

  async function payAtTill(v: CreatedVoucher): Promise<void> {
    const t = await till('Counter A');
    const [answer] = await t.outcomes([await t.record(v.token, v.amount, { currency: v.currency })]);
    expect(answer!.outcome).toBe('accepted');
  }

  async function refund(voucherId: string): Promise<CreatedRefund> {
    const res = await fetch(`${server.url}/v1/refunds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `browser-refund-${voucherId}` },
      body: JSON.stringify({ voucher_id: voucherId }),
    });
    if (res.status !== 201) throw new Error(`create refund: ${res.status} ${await res.text()}`);
    return (await res.json()) as CreatedRefund;
  }

  /** A second till collects the paid voucher again: Counterpay's own refund of that duplicate payment. */
  async function duplicateRefund(v: CreatedVoucher): Promise<CreatedRefund> {
    const t = await till('Counter B');
    const [answer] = await t.outcomes([await t.record(v.token, v.amount, { currency: v.currency })]);
    expect(answer!.outcome).toBe('duplicate');
    const res = await fetch(`${server.url}/v1/refunds?voucher_id=${v.id}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    const list = (await res.json()) as { data: CreatedRefund[] };
    expect(list.data).toHaveLength(1);
    return list.data[0]!;
  }

  /** WCAG contrast of each text element in `root` against the first opaque background behind it; the lowest one. */
  function lowestContrast(root: Locator): Promise<{ ratio: number; text: string }> {
    return root.evaluate((el) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const background = (node: Element | null): number[] => {
        for (let n = node; n; n = n.parentElement) {
          const c = rgb(getComputedStyle(n).backgroundColor);
          if (c.length >= 3 && (c[3] ?? 1) > 0) return c;
        }
        return [255, 255, 255];
      };
      let worst = { ratio: 21, text: '' };
      for (const node of [el, ...el.querySelectorAll('*')]) {
        const own = [...node.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent?.trim());
        if (!own) continue;
        const [a, b] = [lum(rgb(getComputedStyle(node).color)), lum(background(node))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < worst.ratio) worst = { ratio, text: node.textContent!.trim().slice(0, 60) };
      }
      return worst;
    });
  }

  async function decode(locator: Locator): Promise<string[]> {
    return zbar(await locator.screenshot())
      .filter((l) => l.startsWith('QR-Code:'))
      .map((l) => l.slice(8));
  }

  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

  it('shows the refund of a duplicate collection with its own QR, at its link, offline too, and as paid out once a till paid it', async () => {
    const v = await voucher49();
    const { context, page } = await phone();
    // The shopper saved the voucher when ordering, long before any refund.
    await page.goto(v.voucher_url);
    await page.locator('svg.qr').waitFor();
    await waitForServiceWorker(page);

    // Paid twice, at two tills: the second payment refunds itself.
    await payAtTill(v);
    const r = await duplicateRefund(v);
    expect(r).toMatchObject({ status: 'pending', amount: 4_990, currency: 'EUR', payout_code_sent_to: ['email'], reason: 'duplicate' });
    expect(r.refund_url).toBe(`${v.voucher_url}?refund=${r.id}`);

    // The refund's link (in its e-mail and SMS) opens the voucher at the refund.
    await page.goto(r.refund_url);
    const card = page.locator(`article[data-refund-id="${r.id}"]`);
    await card.waitFor({ timeout: 15_000 });
    const heading = card.getByRole('heading', { level: 2 });
    expect(await heading.textContent()).toContain('Collect €49.90 at any Counterpay store');
    await expect.poll(() => focusedId(page)).toBe(`refund-title-${r.id}`);
    const qr = card.locator('svg.qr');
    await expect.poll(() => inViewport(qr)).toBe(true);
    expect(await inViewport(heading)).toBe(true);
    expect(await decode(qr)).toEqual([r.qr]);
    expect(await qr.getAttribute('aria-label')).toBe(`QR code of the refund. Reference ${grouped(r.reference)}.`);
    expect(await card.locator('.reference-digits').textContent()).toBe(grouped(r.reference));
    const text = (await card.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/You can collect it until .*20\d\d/);
    expect(text).toContain('The cashier may ask for the six-digit code we sent you.');
    // The voucher itself is paid: no code to pay it again, only the refund's.
    expect(await page.locator('article.voucher[data-voucher-id]').getAttribute('data-status')).toBe('paid');
    expect(await page.locator('svg.qr').count()).toBe(1);
    // The stable address keeps the refund, so a reload comes back to it.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/vouchers/${v.id}?refund=${r.id}`);

    // Accessible as the rest of the screen: one h1, the card named by its heading, every image and
    // control labelled, text contrast at least 4.5:1, nothing wider than the phone.
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.getByRole('article', { name: 'Collect €49.90 at any Counterpay store' }).count()).toBe(1);
    const unlabeled = await card.evaluate((el) =>
      [...el.querySelectorAll('a, button, svg[role="img"]')].filter((c) => !(c.getAttribute('aria-label') || c.textContent?.trim())).map((c) => c.outerHTML.slice(0, 80)),
    );
    expect(unlabeled).toEqual([]);
    const contrast = await lowestContrast(card);
    expect(contrast.ratio, contrast.text).toBeGreaterThanOrEqual(4.5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await card.screenshot({ path: '/tmp/counterpay-refund-card.png' });

    // The refund's own full-screen QR, by keyboard: it decodes, and Escape gives focus back.
    const full = card.getByRole('button', { name: 'Show refund code full screen' });
    await full.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Show refund code full screen' });
    await dialog.waitFor();
    expect(await decode(dialog.locator('svg.qr'))).toEqual([r.qr]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Show refund code full screen');

    // The wallet's list says there is money to collect.
    await page.goto(`${server.url}/`);
    const item = page.locator(`li[data-voucher-id="${v.id}"]`);
    await item.waitFor();
    const ready = item.locator('.wallet-refund');
    expect(await ready.textContent()).toBe('Refund ready: €49.90');
    expect(await inViewport(ready)).toBe(true);
    await item.screenshot({ path: '/tmp/counterpay-wallet-refund-ready.png' });

    // Offline, the reloaded page still shows the card and its QR, from the phone alone.
    await page.goto(`${server.url}/vouchers/${v.id}?refund=${r.id}`);
    await card.waitFor();
    await context.setOffline(true);
    await page.reload();
    await card.locator('svg.qr').waitFor();
    expect(await decode(card.locator('svg.qr'))).toEqual([r.qr]);
    await expect.poll(() => focusedId(page)).toBe(`refund-title-${r.id}`);
    expect(await inViewport(card.locator('svg.qr'))).toBe(true);
    await page.screenshot({ path: '/tmp/counterpay-refund-offline.png' });

    // A second till pays it out meanwhile; the phone, offline, cannot know yet.
    const b = await till('Counter B');
    const grant = await b.granted(r.token);
    const [paid] = await b.outcomes([await b.payout(r.token, grant)]);
    expect(paid).toMatchObject({ outcome: 'accepted', refund_id: r.id });
    expect(await card.getAttribute('data-status')).toBe('pending');

    // Back online, the wallet learns it: paid out, and no QR left to show for it.
    await context.setOffline(false);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('paid');
    expect((await card.locator('.status-note').textContent())!.trim()).toMatch(/^Paid out on .*20\d\d/);
    expect(await card.locator('svg.qr').count()).toBe(0);
    expect(await page.locator('svg.qr').count()).toBe(0);
    const paidContrast = await lowestContrast(card);
    expect(paidContrast.ratio, paidContrast.text).toBeGreaterThanOrEqual(4.5);
    await card.screenshot({ path: '/tmp/counterpay-refund-paid.png' });
    await page.goto(`${server.url}/`);
    await item.waitFor();
    expect(await item.locator('.wallet-refund').count()).toBe(0);
    await context.close();
  });

  it('opens a refund’s link on a phone that never saw the voucher, at the refund, in Chinese', async () => {
    const v = await voucher49();
    await payAtTill(v);
    const r = await refund(v.id);
    const { context, page } = await phone('zh-CN');
    await page.goto(r.refund_url);
    const card = page.locator(`article[data-refund-id="${r.id}"]`);
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByRole('heading', { level: 2 }).textContent()).toContain('在任意 Counterpay 门店领取');
    await expect.poll(() => focusedId(page)).toBe(`refund-title-${r.id}`);
    await expect.poll(() => inViewport(card.locator('svg.qr'))).toBe(true);
    expect(await decode(card.locator('svg.qr'))).toEqual([r.qr]);
    expect(await card.textContent()).toContain('收银员可能会询问我们发给您的六位数验证码。');
    await context.close();
  });

  it('does not save a refund’s QR opened on the phone as a voucher to pay', async () => {
    const v = await voucher49();
    await payAtTill(v);
    const r = await refund(v.id);
    const { context, page } = await phone();
    await page.goto(r.qr);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.getAttribute('data-refusal')).toBe('refund_token');
    expect(await alert.textContent()).toContain('This is a refund’s code, not a voucher to pay');
    await page.goto(`${server.url}/`);
    await page.locator('.empty').waitFor();
    await context.close();
  });
});
