/** Helpers for the cashier view's browser tests and figures: tills with a fake camera, enrolment, the journal. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../../support/server.ts';
import { guardBrowser, guardContext, launchOptions } from './browser.ts';
import { cameraArgs } from './camera.ts';

const run = promisify(execFile);

/** A tablet-sized window: the camera view needs 640 px and the voucher sits beside it. */
export const TABLET = { width: 1280, height: 900 };

/**
 * Starts the camera and waits for `shown` (what a read puts on the counter). html5-qrcode never
 * reports a failed decode, and under load the fake camera sometimes yields nothing: like a cashier,
 * stop and start the camera once more before giving up.
 */
export async function scanUntil(page: Page, shown: Locator, timeout = 20_000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: 'Start the camera' }).click();
    try {
      await shown.waitFor({ timeout });
      return;
    } catch (err) {
      if (attempt === 2) throw err;
      await page.getByRole('button', { name: 'Stop the camera' }).click();
    }
  }
}

export async function launchWithCamera(y4m: string): Promise<Browser> {
  return guardBrowser(await chromium.launch({ ...launchOptions, args: [...launchOptions.args!, ...cameraArgs(y4m)] }));
}

/** A till's browser profile in `dir` with `y4m` as its camera: launched again with another video, it is the same enrolled till. */
export async function launchTillProfile(dir: string, y4m: string, options: { serviceWorkers?: 'allow' | 'block' } = {}): Promise<BrowserContext> {
  return guardContext(
    await chromium.launchPersistentContext(dir, { ...launchOptions, args: [...launchOptions.args!, ...cameraArgs(y4m)], viewport: TABLET, locale: 'en-US', ...options }),
  );
}

/** The demo start prints one enrolment code; startServer() may hand it over, else it is in the output. */
export function demoEnrolCode(server: { output(): string; enrolCode?: string }): string {
  const code = server.enrolCode ?? /Demo till enrolment code: (\S+)/.exec(server.output())?.[1];
  if (!code) throw new Error(`the server printed no demo enrolment code:\n${server.output()}`);
  return code;
}

/** A fresh one-time code from the operator CLI (it talks to the running server through DATA_DIR). */
export async function newEnrolCode(server: { dataDir: string; databaseUrl?: string }, store = 'sto_demo'): Promise<string> {
  // The CLI must reach the server's own database: its PGlite folder (through the server), or its PostgreSQL.
  const { stdout } = await run(process.execPath, ['bin/counterpay.js', 'device', 'enroll-code', '--store', store, '--json'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: server.databaseUrl ?? '' },
  });
  return (JSON.parse(stdout) as { code: string }).code;
}

/** Opens /cashier and enrols with `code`; resolves once the first sync has finished. */
export async function enrol(page: Page, baseUrl: string, code: string, name = 'Counter 1'): Promise<void> {
  await page.goto(`${baseUrl}/cashier`);
  await page.getByLabel('Enrolment code').fill(code);
  await page.getByLabel('Name of this till (optional)').fill(name);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await waitForSync(page);
}

/** Waits until the sync header shows a completed sync. */
export async function waitForSync(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => (document.querySelector('.sync-bar')?.getAttribute('data-last-sync') ?? '') !== '', null, { timeout });
}

export interface JournalRow {
  id: string;
  seq: number;
  state: string;
  voucherId: string;
  outcome: string | null;
  prevHash: string;
  hash: string;
}

/** The till's journal as stored in IndexedDB, read with the browser's own API (no app code). */
export function journal(page: Page): Promise<JournalRow[]> {
  return page.evaluate(
    () =>
      new Promise<JournalRow[]>((resolve, reject) => {
        const open = indexedDB.open('counterpay');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('journal')) return resolve([]);
          const all = db.transaction('journal').objectStore('journal').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve(
              (all.result as { id: string; seq: number; state: string; voucherId: string; result: { outcome: string } | null; hash: string; record: { prev_hash: string } }[])
                .map((r) => ({ id: r.id, seq: r.seq, state: r.state, voucherId: r.voucherId, outcome: r.result?.outcome ?? null, prevHash: r.record.prev_hash, hash: r.hash }))
                .sort((a, b) => a.seq - b.seq),
            );
          };
        };
      }),
  );
}

export async function getVoucher(server: { url: string; apiKey: string }, id: string): Promise<{ id: string; status: string }> {
  const res = await fetch(`${server.url}/v1/vouchers/${id}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
  if (!res.ok) throw new Error(`GET voucher ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; status: string };
}
