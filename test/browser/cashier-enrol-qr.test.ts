/**
 * Enrolling a till from the console's QR or link, in Chromium against the real server: the QR of
 * `enrol_url` (`${PUBLIC_URL}/cashier?enrol=CODE`) in front of the fake camera enrols the till at
 * once; opening the link fills the code in and puts focus on the till's name, so Enter enrols; a
 * QR that is not an enrolment code (a voucher's) says so in view and enrols nothing; a camera
 * that cannot start says so and the typed code still enrols. Afterwards the address has no `enrol`
 * query, so a reload never shows a used code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { ROOT, startServer, type RunningServer } from '../support/server.ts';
import { ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch } from './support/browser.ts';
import { createVoucher } from './support/api.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { launchWithCamera, newEnrolCode, TABLET, waitForSync } from './support/till.ts';

const run = promisify(execFile);
const available = browserTierAvailable() && ffmpegAvailable();

/** Whether `element` has focus. */
const hasFocus = (element: Locator) => element.evaluate((el) => el === document.activeElement);

/** The link the console shows as a QR, exactly as `POST /v1/operator/stores/{id}/enrolment_codes` makes its `enrol_url`. */
const enrolUrl = (server: RunningServer, code: string) => `${server.url}/cashier?enrol=${encodeURIComponent(code)}`;

interface ListedTill {
  id: string;
  store_id: string;
  name: string;
  status: string;
}

/** The tills the server knows, through the operator CLI (services.devices.list(), as the console's Tills page). */
async function listedTills(server: RunningServer): Promise<ListedTill[]> {
  const { stdout } = await run(process.execPath, ['bin/counterpay.js', 'device', 'list', '--json'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
  });
  return (JSON.parse(stdout) as { data: ListedTill[] }).data;
}

describe.skipIf(!available)('enrolling a till from the console’s QR or link', () => {
  let server: RunningServer;

  beforeAll(async () => {
    ensureBuilt();
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function tabletPage(browser: Browser, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: TABLET, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${server.url}${path}`);
    await page.getByRole('button', { name: 'Scan the code from the console' }).waitFor();
    return page;
  }

  /**
   * Starts the camera and waits for `shown`. html5-qrcode never reports a failed decode, and under
   * load the fake camera sometimes yields nothing: like a cashier, stop and start it once more.
   */
  async function scan(page: Page, shown: Locator): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await page.getByRole('button', { name: 'Scan the code from the console' }).click();
      try {
        await shown.waitFor({ timeout: 20_000 });
        return;
      } catch (err) {
        if (attempt === 2) throw err;
        await page.getByRole('button', { name: 'Stop the camera' }).click();
      }
    }
  }

  it('enrols the till at once from the QR of the console’s link, then drops the code from the address', async () => {
    const code = await newEnrolCode(server);
    const browser = await launchWithCamera(await qrVideo(enrolUrl(server, code)));
    try {
      // Opened from a mistyped link: the QR's code replaces what the link filled in.
      const page = await tabletPage(browser, '/cashier?enrol=ZZZZ-ZZZZ');
      expect(await page.getByLabel('Enrolment code').inputValue()).toBe('ZZZZ-ZZZZ');
      await page.getByLabel('Name of this till (optional)').fill('QR till');

      await scan(page, page.locator('.sync-bar'));
      await waitForSync(page);
      expect(await page.locator('.till').getAttribute('data-phase')).toBe('ready');
      expect(await page.locator('.sync-store').textContent()).toContain('Demo Store');
      // The read stopped the camera; focus is on the till's camera button, the next action.
      const start = page.getByRole('button', { name: 'Start the camera' });
      await expect.poll(() => hasFocus(start)).toBe(true);
      expect(await inViewport(start)).toBe(true);
      await expect.poll(() => new URL(page.url()).search).toBe('');
      expect(new URL(page.url()).pathname).toBe('/cashier');

      const device = await page.evaluate(() => (globalThis as unknown as { counterpayTill: { device: { deviceId: string } | null } }).counterpayTill.device?.deviceId);
      expect((await listedTills(server)).find((t) => t.id === device)).toMatchObject({ name: 'QR till', store_id: 'sto_demo', status: 'active' });

      // A reload is the enrolled till, with no code anywhere in view.
      await page.reload();
      await page.locator('.sync-bar').waitFor();
      expect(page.url()).toBe(`${server.url}/cashier`);
      expect(await page.getByLabel('Enrolment code').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('fills the code in from the console’s link and puts focus on the till’s name, so Enter enrols', async () => {
    const code = await newEnrolCode(server);
    const browser = await launch();
    try {
      const page = await browser.newContext({ viewport: TABLET, locale: 'en-US' }).then((c) => c.newPage());
      await page.goto(enrolUrl(server, code));
      const field = page.getByLabel('Enrolment code');
      await expect.poll(() => field.inputValue()).toBe(code);
      const name = page.getByLabel('Name of this till (optional)');
      await expect.poll(() => hasFocus(name)).toBe(true);
      expect(await inViewport(name)).toBe(true);
      expect(await inViewport(field)).toBe(true);
      // Not enrolled by opening the link alone.
      expect(await page.locator('.till').getAttribute('data-phase')).toBe('enrol');

      await page.keyboard.type('Link till');
      await page.keyboard.press('Enter');
      await waitForSync(page);
      await expect.poll(() => new URL(page.url()).search).toBe('');
      expect((await listedTills(server)).filter((t) => t.name === 'Link till')).toMatchObject([{ store_id: 'sto_demo', status: 'active' }]);
      await page.reload();
      await page.locator('.sync-bar').waitFor();
      expect(page.url()).toBe(`${server.url}/cashier`);
    } finally {
      await browser.close();
    }
  });

  it('says in view that a voucher’s QR is not an enrolment code, keeps the camera on, and enrols nothing', async () => {
    const voucher = await createVoucher(server);
    const browser = await launchWithCamera(await qrVideo(voucher.qr));
    try {
      const before = (await listedTills(server)).length;
      const page = await tabletPage(browser, '/cashier');
      expect(await axeFindings(page)).toEqual([]);

      const sentence = page.locator('[data-refusal="not_enrolment"]');
      await scan(page, sentence);
      expect(await sentence.textContent()).toBe('This QR is not a till enrolment code: show the enrolment QR from the console’s Stores page.');
      expect(await sentence.getAttribute('role')).toBe('alert');
      expect(await inViewport(sentence)).toBe(true);
      // The camera keeps reading, for the right code.
      expect(await page.locator('#enrol-camera').getAttribute('data-scanning')).toBe('true');
      expect(await inViewport(page.getByRole('button', { name: 'Stop the camera' }))).toBe(true);
      expect(await page.locator('.till').getAttribute('data-phase')).toBe('enrol');
      expect(await page.getByLabel('Enrolment code').inputValue()).toBe('');
      expect((await listedTills(server)).length).toBe(before);
      expect(await axeFindings(page)).toEqual([]);

      // Stopping the camera clears the sentence; the screen is as before.
      await page.getByRole('button', { name: 'Stop the camera' }).click();
      await page.getByRole('button', { name: 'Scan the code from the console' }).waitFor();
      expect(await sentence.count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('says so when the camera cannot start, and the typed code still enrols', async () => {
    const code = await newEnrolCode(server);
    // No fake camera: this browser has none.
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: TABLET, locale: 'en-US', permissions: ['camera'] });
      const page = await context.newPage();
      await page.goto(`${server.url}/cashier`);
      await page.getByRole('button', { name: 'Scan the code from the console' }).click();
      const failed = page.locator('[data-refusal="camera"]');
      await failed.waitFor();
      expect(await failed.textContent()).toMatch(/^The camera could not be started: .+\. Allow camera access for this site, or type the enrolment code above\.$/);
      expect(await inViewport(failed)).toBe(true);

      await page.getByLabel('Enrolment code').fill(code);
      await page.getByLabel('Name of this till (optional)').fill('No camera till');
      await page.getByRole('button', { name: 'Enrol' }).click();
      await waitForSync(page);
      expect((await listedTills(server)).filter((t) => t.name === 'No camera till')).toHaveLength(1);
    } finally {
      await browser.close();
    }
  });
});
