/** Debian's Chromium through playwright-core: never a downloaded browser. */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type LaunchOptions, type Page, type Worker } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // `localhost` (the console tests' PUBLIC_URL: WebAuthn takes no IP address) is 127.0.0.1, where the test servers listen.
  '--host-resolver-rules=MAP localhost 127.0.0.1',
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

export async function launch(): Promise<Browser> {
  return guardBrowser(await chromium.launch(launchOptions));
}

export async function launchProfile(dir: string, options: { locale?: string } = {}): Promise<BrowserContext> {
  return guardContext(await chromium.launchPersistentContext(dir, { ...launchOptions, viewport: { width: 390, height: 844 }, ...options }));
}

/**
 * Policy violations (Content-Security-Policy, Permissions-Policy) seen in any browser context the
 * helpers made, in this test file. test/support/csp.setup.ts fails the test during which one was
 * recorded: the app must work under the headers it is served with. A test that provokes one on
 * purpose takes it with takePolicyViolations().
 */
const violations: string[] = [];

export function takePolicyViolations(): string[] {
  return violations.splice(0);
}

/** Chromium's own console report of a blocked load, a refused frame or a refused feature. */
const POLICY_MESSAGE = /Content[- ]Security[- ]Policy|Permissions[- ]Policy/i;
const EVENT_TAG = '[securitypolicyviolation]';

/** In every document (and service worker) before its own code: each violation event, to the console. */
function reportViolationEvents(tag: string): void {
  self.addEventListener(
    'securitypolicyviolation',
    (e) => console.error(`${tag} ${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} in ${e.documentURI} at ${e.sourceFile || '?'}:${e.lineNumber} (${e.disposition})`),
    true,
  );
}

function record(from: string) {
  return (message: ConsoleMessage) => {
    const text = message.text();
    if (POLICY_MESSAGE.test(text) || text.startsWith(EVENT_TAG)) violations.push(`${from} ${message.location().url || message.page()?.url() || ''}: ${text}`);
  };
}

function guardWorker(worker: Worker): void {
  worker.on('console', record('service worker'));
  void worker.evaluate(reportViolationEvents, EVENT_TAG).catch(() => undefined);
}

/** Makes every context of `browser` (newContext, and newPage, which goes through it) record violations. */
export function guardBrowser(browser: Browser): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    if (options?.bypassCSP) throw new Error('bypassCSP would hide the CSP the app is served with');
    return guardContext(await newContext(options));
  };
  return browser;
}

/**
 * With COUNTERPAY_CLOCK_SHIFT_DAYS set (test/support/shifted-clock.mjs), pages read the same
 * shifted time as the Node processes: `Date` is replaced before any page script runs.
 */
const CLOCK_SHIFT_MS = Number(process.env.COUNTERPAY_CLOCK_SHIFT_DAYS ?? 0) * 86_400_000 || 0;
function shiftPageClock(offset: number) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args: ConstructorParameters<DateConstructor> | []) {
      if (args.length === 0) super(realNow() + offset);
      else super(...(args as ConstructorParameters<DateConstructor>));
    }
    static now() {
      return realNow() + offset;
    }
  }
  (globalThis as { Date: DateConstructor }).Date = ShiftedDate as DateConstructor;
}

/** Makes `context` (its pages, frames and service workers) record policy violations. */
export async function guardContext(context: BrowserContext): Promise<BrowserContext> {
  if (CLOCK_SHIFT_MS !== 0) await context.addInitScript(shiftPageClock, CLOCK_SHIFT_MS);
  await context.addInitScript(reportViolationEvents, EVENT_TAG);
  context.on('console', record('page'));
  context.on('serviceworker', guardWorker);
  context.serviceWorkers().forEach(guardWorker);
  return context;
}

/** Waits until a service worker controls the page: from then on the app works offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, null, { timeout: 30_000 });
}

/**
 * Decodes every symbol of one kind zbarimg finds in a PNG; one line per symbol, `QR-Code:text` or
 * `CODE-128:text`. Only the asked kind is on: a QR's modules can also read as a short Codabar.
 */
export function zbar(png: Buffer, symbology: 'qrcode' | 'code128' = 'qrcode'): string[] {
  const run = spawnSync('zbarimg', ['--nodbus', '-q', '-Sdisable', `-S${symbology}.enable`, '-'], { input: png });
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
