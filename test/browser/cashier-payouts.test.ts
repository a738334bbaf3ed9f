/**
 * Refunds paid out at the counter and the drawer's close, in Debian's Chromium against the real
 * server (docs/refunds.md): a duplicate collection refunds itself; a till with a fake camera scans
 * the refund's QR, the server grants the payout, the cashier hands the cash over and the refund
 * reads paid; a second till and an offline till refuse it, each with its sentence; the shift
 * closes with a counted difference that the operator sees.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ROOT, startServer } from '../support/server.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch } from './support/browser.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { createVoucher } from './support/api.ts';
import { enrol, journal, launchTillProfile, newEnrolCode, scanUntil, TABLET, waitForSync } from './support/till.ts';

const run = promisify(execFile);
const available = browserTierAvailable() && ffmpegAvailable();

describe.skipIf(!available)('refund payouts and the shift close in Chromium', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };

  /** A voucher paid by one test till and collected again by another: Counterpay's own refund of the second payment. */
  async function duplicateRefund() {
    const voucher = await createVoucher(server);
    const [a, b] = await Promise.all([0, 1].map(async () => TestTill.enrol(serverConnection(server.url), await newEnrolCode(server))));
    expect((await a!.outcomes([await a!.record(voucher.token, voucher.amount)]))[0]!.outcome).toBe('accepted');
    expect((await b!.outcomes([await b!.record(voucher.token, voucher.amount)]))[0]!.outcome).toBe('duplicate');
    const refunds = await api(`/v1/refunds?voucher_id=${voucher.id}`);
    expect(refunds.data).toHaveLength(1);
    return refunds.data[0] as { id: string; token: string; qr: string; reference: string; amount: number; status: string };
  }

  /** Whether the element's box is inside the viewport (where the cashier looks). */
  const inView = (page: Page, selector: string) =>
    page.locator(selector).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.width > 0;
    });

  /** Types `text` into the Reference field as a handheld scanner does and waits for what the counter shows. */
  async function typeIn(page: Page, text: string) {
    await page.getByLabel('Reference').fill(text);
    await page.getByRole('button', { name: 'Check' }).click();
  }

  it('pays a duplicate collection’s refund out once, at the till that scanned it, and refuses it at a second till and offline', async () => {
    const refund = await duplicateRefund();
    expect(refund.status).toBe('pending');
    const profile = await mkdtemp(join(tmpdir(), 'counterpay-payout-'));
    const camera = await qrVideo(refund.qr);
    const context = await launchTillProfile(profile, camera);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await enrol(page, server.url, await newEnrolCode(server), 'Payout till');

      // The camera reads the refund: the server grants the payout to this till, and only then does it say "hand over".
      const granted = page.locator(`.payout-granted[data-refund-id="${refund.id}"]`);
      await scanUntil(page, granted);
      const heading = granted.getByRole('heading', { name: 'Hand over €42.50' });
      expect(await heading.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await inView(page, '.payout-granted h2')).toBe(true);
      expect((await api(`/v1/refunds/${refund.id}`)).authorized_at).not.toBeNull();
      await page.getByRole('button', { name: 'Handed over €42.50' }).click();

      const receipt = page.locator('.receipt');
      await receipt.getByRole('heading', { name: 'Refund paid out' }).waitFor();
      await expect.poll(async () => (await journal(page)).find((r) => r.voucherId === refund.id)?.outcome, { timeout: 30_000 }).toBe('accepted');
      const paid = await api(`/v1/refunds/${refund.id}`);
      expect(paid).toMatchObject({ status: 'paid', till_id: expect.stringMatching(/^dev_/), store_id: 'sto_demo' });

      // A second till, typing the refund's reference: refused, it was paid.
      const second = await (await launch()).newContext({ viewport: TABLET, locale: 'en-US' });
      try {
        const other = await second.newPage();
        await enrol(other, server.url, await newEnrolCode(server), 'Second till');
        await typeIn(other, refund.reference);
        const alert = other.locator('.till-refusal');
        await alert.waitFor({ timeout: 20_000 });
        expect(await alert.getAttribute('data-refusal')).toBe('payout_already_paid');
        expect(await alert.locator('.refusal-sentence').textContent()).toBe('This refund was already paid out. Do not hand over cash again.');

        // Offline, a fresh refund (its QR typed by a handheld scanner) is refused without asking anyone.
        const fresh = await duplicateRefund();
        await alert.getByRole('button', { name: 'Next voucher' }).click();
        await second.setOffline(true);
        await typeIn(other, fresh.qr);
        const offline = other.locator('.till-refusal[data-refusal="payout_offline"]');
        await offline.waitFor({ timeout: 20_000 });
        expect(await offline.locator('.refusal-sentence').textContent()).toBe(
          'A refund can only be paid out while the till is online. Do not hand over cash: connect the till, then scan the refund again.',
        );
        expect((await api(`/v1/refunds/${fresh.id}`)).authorized_at).toBeNull();
      } finally {
        await second.browser()?.close();
      }
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('closes the shift with the cash counted: the Z report shows the difference and the operator sees it for the store', async () => {
    const refund = await duplicateRefund();
    const voucher = await createVoucher(server, { amount: 10_000, items: [] });
    const profile = await mkdtemp(join(tmpdir(), 'counterpay-shift-'));
    const context = await launchTillProfile(profile, await qrVideo(refund.qr));
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await enrol(page, server.url, await newEnrolCode(server), 'Shift till');
      // €100.00 in cash, then €42.50 paid out: the drawer should hold €57.50.
      await typeIn(page, voucher.qr);
      await page.getByRole('button', { name: 'Collect €100.00' }).click();
      await page.locator('.receipt').getByRole('button', { name: 'Next voucher' }).click();
      await typeIn(page, refund.qr);
      await page.getByRole('button', { name: 'Handed over €42.50' }).click();
      await page.locator('.receipt').getByRole('heading', { name: 'Refund paid out' }).waitFor();
      expect(await page.locator('.shift-table tr[data-tender="payouts"] .shift-total').textContent()).toBe('-€42.50');
      expect(await page.locator('.shift-expected').textContent()).toBe('€57.50');

      await page.getByRole('button', { name: 'Count the drawer and close the shift' }).click();
      await page.getByLabel('Cash counted').fill('56.50');
      await expect.poll(() => page.locator('.shift-close .change').textContent()).toBe('Difference: -€1.00');
      await page.getByLabel('Float left for the next shift').fill('20');
      await page.getByRole('button', { name: 'Close shift' }).click();
      const z = page.locator('.z-report');
      await z.waitFor();
      expect(await z.locator('.z-difference dd').textContent()).toBe('-€1.00');
      expect(await z.locator('.z-difference').evaluate((el) => el.getBoundingClientRect().height > 0)).toBe(true);
      // The next shift opens with the float left, and nothing else.
      expect(await page.locator('.shift-expected').textContent()).toBe('€20.00');
      await waitForSync(page);
      const closeId = await z.getAttribute('data-collection-id');
      await expect.poll(async () => (await journal(page)).find((r) => r.id === closeId)?.outcome, { timeout: 30_000 }).toBe('accepted');

      const closedOn = (await z.getAttribute('data-closed-at'))!.slice(0, 10);
      const { stdout } = await run(process.execPath, ['bin/counterpay.js', 'shift', 'list', '--date', closedOn, '--store', 'sto_demo', '--json'], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
      });
      const day = JSON.parse(stdout);
      expect(day.data.find((d: { id: string }) => d.id === closeId)).toMatchObject({ till_name: 'Shift till', expected_cash: 5_750, counted_cash: 5_650, difference: -100 });
      expect(day.stores[0]).toMatchObject({ store_id: 'sto_demo', currency: 'EUR' });
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});
