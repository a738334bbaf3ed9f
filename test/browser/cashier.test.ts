/**
 * The cashier view in Debian's Chromium against the real server, with a fake camera fed a Y4M
 * video of a real voucher's QR: a collection made offline survives a browser restart and settles
 * once online; two tills that collect the same voucher offline end with one `accepted` and one
 * `duplicate`, and both tills say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, startServer } from '../support/server.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, waitForServiceWorker, zbar } from './support/browser.ts';
import { createVoucher } from './support/api.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { enrol, getVoucher, journal, launchTillProfile, launchWithCamera, newEnrolCode, TABLET } from './support/till.ts';
import { launch } from './support/browser.ts';

type Server = Awaited<ReturnType<typeof startServer>>;

const available = browserTierAvailable() && ffmpegAvailable();
const GENESIS = '0'.repeat(64);

describe.skipIf(!available)('cashier view in Chromium', () => {
  let server: Server;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  /**
   * Starts the camera and waits for the scanned voucher on the counter. A failed decode never
   * throws, hence the time-out; on failure the error says what the camera showed (zbarimg's reading
   * of the camera box, beside the QR the fake camera was given) and what the page said, and keeps a
   * screenshot of the page under .tmp/artifacts/.
   */
  async function scan(page: Page, voucher: { id: string; qr: string }) {
    const due = page.locator(`.voucher-due[data-voucher-id="${voucher.id}"]`);
    // html5-qrcode never reports a failed decode, and under load the fake camera sometimes yields
    // nothing: do what a cashier would, stop and start the camera once.
    for (let attempt = 1; ; attempt++) {
      await page.getByRole('button', { name: 'Start the camera' }).click();
      try {
        await due.waitFor({ timeout: 20_000 });
        return due;
      } catch (err) {
        if (attempt === 2) throw new Error(await whatTheCameraShowed(page, voucher), { cause: err });
        await page.getByRole('button', { name: 'Stop the camera' }).click();
        await page.getByRole('button', { name: 'Start the camera' }).waitFor();
      }
    }
  }

  async function whatTheCameraShowed(page: Page, voucher: { id: string; qr: string }): Promise<string> {
    const video = page.locator('video').first();
    const seen = (await video.count()) > 0 ? zbar(await video.screenshot()) : null;
    const camera =
      seen === null
        ? 'no camera picture was on the page'
        : seen.length === 0
          ? 'zbarimg reads no code in the camera picture'
          : seen.includes(`QR-Code:${voucher.qr}`)
            ? "zbarimg reads the voucher's QR in the camera picture, so the till's decoder missed a readable code"
            : `zbarimg reads other codes in the camera picture: ${seen.join(', ')}`;
    const artifacts = join(ROOT, '.tmp', 'artifacts');
    await mkdir(artifacts, { recursive: true });
    const shot = join(artifacts, `scan-${voucher.id}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    return `no voucher on the counter after two camera starts; ${camera} (the fake camera shows ${voucher.qr}); screenshot ${shot}; the page said: ${(await page.locator('body').innerText()).slice(0, 600)}`;
  }

  const shiftRow = (page: Page, voucherId: string) => page.locator(`.shift-list li[data-voucher-id="${voucherId}"]`);

  it('keeps a cash collection made offline through a browser restart, then settles it as accepted and the voucher reads paid', async () => {
    const voucher = await createVoucher(server);
    const camera = await qrVideo(voucher.qr);
    const profile = await mkdtemp(join(tmpdir(), 'counterpay-till-'));
    try {
      let context = await launchTillProfile(profile, camera);
      let page = context.pages()[0] ?? (await context.newPage());
      // Each try enrols with a code of its own: a retry must not depend on what an earlier try used up.
      await enrol(page, server.url, await newEnrolCode(server));
      await waitForServiceWorker(page);

      await context.setOffline(true);
      const due = await scan(page, voucher);
      expect(await due.locator('.due-amount').textContent()).toBe('€42.50');
      expect(await due.locator('.due-order').textContent()).toBe(voucher.order_ref);
      expect(await due.locator('.due-merchant').textContent()).toBe('Demo Shop');
      await page.getByLabel('Cash handed over').fill('50');
      await expect.poll(() => page.locator('.change').textContent()).toBe('Change due: €7.50');
      await page.getByRole('button', { name: 'Collect €42.50' }).click();

      const receipt = page.locator('.receipt');
      await receipt.waitFor();
      expect(await receipt.getAttribute('data-outcome')).toBe('queued');
      expect(await receipt.locator('.receipt-change').textContent()).toBe('€7.50');
      expect(await journal(page)).toMatchObject([{ seq: 1, state: 'queued', voucherId: voucher.id, prevHash: GENESIS, outcome: null }]);
      expect(await page.locator('.sync-bar').getAttribute('data-queued')).toBe('1');
      const cash = page.locator('.shift-table tr[data-tender="cash"]');
      expect(await cash.locator('.shift-count').textContent()).toBe('1');
      expect(await cash.locator('.shift-total').textContent()).toBe('€42.50');
      // Nothing reached the server while offline.
      expect((await getVoucher(server, voucher.id)).status).toBe('open');
      await context.close();

      // The tablet restarts, still offline: the journal is still there, and still queued.
      context = await launchTillProfile(profile, camera);
      await context.setOffline(true);
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${server.url}/cashier`);
      await shiftRow(page, voucher.id).waitFor();
      expect(await shiftRow(page, voucher.id).getAttribute('data-outcome')).toBe('queued');
      expect(await page.locator('.sync-bar').getAttribute('data-queued')).toBe('1');

      await context.setOffline(false);
      await expect.poll(() => shiftRow(page, voucher.id).getAttribute('data-outcome'), { timeout: 30_000 }).toBe('accepted');
      expect(await page.locator('.sync-bar').getAttribute('data-queued')).toBe('0');
      expect(await journal(page)).toMatchObject([{ seq: 1, state: 'settled', outcome: 'accepted' }]);
      expect((await getVoucher(server, voucher.id)).status).toBe('paid');
      await context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('settles the same voucher collected by two offline tills as one accepted and one duplicate, and both tills show which', async () => {
    const voucher = await createVoucher(server, { amount: 1_999, items: [{ name: 'Notebook', quantity: 1, unit_amount: 1_999 }] });
    const browser = await launchWithCamera(await qrVideo(voucher.qr));
    try {
      const tills = [];
      for (const name of ['North till', 'South till']) {
        const context = await browser.newContext({ viewport: TABLET });
        const page = await context.newPage();
        await enrol(page, server.url, await newEnrolCode(server), name);
        tills.push({ context, page });
      }
      for (const { context, page } of tills) {
        await context.setOffline(true);
        await scan(page, voucher);
        await page.getByRole('button', { name: 'Collect €19.99' }).click();
        await page.locator('.receipt[data-outcome="queued"]').waitFor();
        // The read stopped the camera (it starts again only after Next voucher), so the code still
        // in front of it is not read again, and the other till can open the camera.
        await page.getByRole('button', { name: 'Start the camera' }).waitFor();
      }
      for (const { context } of tills) await context.setOffline(false);

      const outcome = (page: Page) => page.locator('.receipt').getAttribute('data-outcome');
      for (const { page } of tills) await expect.poll(() => outcome(page), { timeout: 30_000 }).not.toBe('queued');
      const outcomes = await Promise.all(tills.map(({ page }) => outcome(page)));
      expect([...outcomes].sort()).toEqual(['accepted', 'duplicate']);
      const loser = tills[outcomes.indexOf('duplicate')]!.page;
      expect(await loser.locator('.receipt-status').textContent()).toContain('Duplicate: paid elsewhere, refund the shopper');
      expect(await loser.locator('.shift-notes').textContent()).toContain('Owed back to shoppers: 1 (€19.99)');
      expect(await shiftRow(loser, voucher.id).getAttribute('data-outcome')).toBe('duplicate');
      expect((await getVoucher(server, voucher.id)).status).toBe('paid');
    } finally {
      await browser.close();
    }
  });

  it('never gives two collections the same sequence number when two tabs of one till record at once, and keeps one hash chain', async () => {
    const vouchers = await Promise.all(Array.from({ length: 12 }, () => createVoucher(server, { amount: 700, items: [{ name: 'Pen', quantity: 1, unit_amount: 700 }] })));
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: TABLET });
      const first = await context.newPage();
      await enrol(first, server.url, await newEnrolCode(server), 'Two tabs');
      const second = await context.newPage();
      await second.goto(`${server.url}/cashier`);
      await second.locator('.sync-bar').waitFor();
      await context.setOffline(true);
      // Both tabs append through the app's own journal code, interleaved.
      const record = (page: Page, list: { token: string; id: string }[]) =>
        page.evaluate(async (items) => {
          const till = (globalThis as unknown as { counterpayTill: { record(token: string, id: string, payment: object): Promise<unknown> } }).counterpayTill;
          await Promise.all(items.map((v) => till.record(v.token, v.id, { tender: 'cash', tenderReference: null, cashGiven: null })));
        }, list);
      const half = vouchers.map((v) => ({ token: v.token, id: v.id }));
      await Promise.all([record(first, half.slice(0, 6)), record(second, half.slice(6))]);

      const rows = await journal(first);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(rows[0]!.prevHash).toBe(GENESIS);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash, `seq ${rows[i]!.seq}`).toBe(rows[i - 1]!.hash);

      await context.setOffline(false);
      await expect.poll(async () => (await journal(first)).map((r) => r.outcome), { timeout: 30_000 }).toEqual(Array(12).fill('accepted'));
    } finally {
      await browser.close();
    }
  });

  it('upgrades a database written by the shopper-only version (1) to the till’s stores without losing a saved voucher', async () => {
    const voucher = await createVoucher(server);
    const browser = await launch();
    try {
      const page = await browser.newPage();
      // Any same-origin page will do to write the old database by hand, exactly as version 1 did.
      await page.goto(`${server.url}/healthz`);
      await page.evaluate(
        (row) =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open('counterpay', 1);
            open.onupgradeneeded = () => {
              const vouchers = open.result.createObjectStore('vouchers', { keyPath: 'id' });
              vouchers.createIndex('bySavedAt', 'savedAt');
              vouchers.createIndex('byLinkCode', 'linkCode');
              open.result.createObjectStore('keys', { keyPath: 'id' });
            };
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction('vouchers', 'readwrite');
              tx.objectStore('vouchers').put(row);
              tx.oncomplete = () => {
                open.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
          }),
        {
          id: voucher.id,
          token: voucher.token,
          qr: voucher.qr,
          items: null,
          merchantName: null,
          linkCode: null,
          status: 'open',
          paidAt: null,
          canceledAt: null,
          statusCheckedAt: null,
          savedAt: 1,
        },
      );
      await page.goto(`${server.url}/cashier`);
      await page.getByRole('button', { name: 'Enrol' }).waitFor();
      const stores = await page.evaluate(
        () =>
          new Promise<{ version: number; stores: string[] }>((resolve) => {
            const open = indexedDB.open('counterpay');
            open.onsuccess = () => {
              resolve({ version: open.result.version, stores: [...open.result.objectStoreNames].sort() });
              open.result.close();
            };
          }),
      );
      expect(stores).toEqual({ version: 2, stores: ['journal', 'keys', 'paidList', 'till', 'vouchers'] });
      await page.goto(`${server.url}/`);
      await page.locator(`li[data-voucher-id="${voucher.id}"]`).waitFor();
    } finally {
      await browser.close();
    }
  });
});
