/** Debian's Chromium through playwright-core: never a downloaded browser. */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const launchOptions: LaunchOptions = { executablePath: CHROMIUM, args: ARGS, headless: true };

/**
 * Whether this tier can run. Under CI=true a missing browser or zbarimg is a failure, not a skip:
 * a green CI run must mean the offline rules were proven.
 */
export function browserTierAvailable(): boolean {
  const ok = existsSync(CHROMIUM) && spawnSync('zbarimg', ['--version']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error(`browser tier cannot run: need ${CHROMIUM} and zbarimg (apt-get install -y chromium zbar-tools)`);
  return ok;
}

export function launch(): Promise<Browser> {
  return chromium.launch(launchOptions);
}

export function launchProfile(dir: string, options: { locale?: string } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, { ...launchOptions, viewport: { width: 390, height: 844 }, ...options });
}

/** Waits until a service worker controls the page: from then on the app works offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, null, { timeout: 30_000 });
}

/** Decodes every barcode zbarimg finds in a PNG; one line per symbol, `TYPE:text`. */
export function zbar(png: Buffer): string[] {
  const run = spawnSync('zbarimg', ['--nodbus', '-q', '-'], { input: png });
  // zbarimg exits 4 when it finds nothing; that is an empty answer, not an error.
  if (run.status !== 0 && run.status !== 4) throw new Error(`zbarimg failed: ${run.stderr.toString()}`);
  return run.stdout.toString().split('\n').filter(Boolean);
}

/** The number of voucher rows in the app's IndexedDB. */
export function savedVoucherCount(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('counterpay');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('vouchers')) return resolve(0);
          const count = db.transaction('vouchers').objectStore('vouchers').count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
      }),
  );
}
