/**
 * Deploying a new version: the running app keeps its own version (old page, old files) until the
 * person accepts the update prompt, then moves over whole. The "deploy" rewrites the served copy
 * of dist/ the way a new build does: a changed index.html and a service worker whose precache revision for it changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { scratchDir } from '../support/scratch.ts';
import { DIST, ensureBuilt } from './support/build.ts';
import { browserTierAvailable, launch, waitForServiceWorker, zbar } from './support/browser.ts';
import { createVoucher } from './support/api.ts';

const available = browserTierAvailable();

describe.skipIf(!available)('app update', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  // The server serves a copy of the build (WEB_ROOT), so deploying "the next version" into it
  // never touches dist/, which other tests and `npm start` use at the same time.
  const webRoot = join(scratchDir('web-root'), 'dist');
  const files = { sw: join(webRoot, 'sw.js'), html: join(webRoot, 'index.html') };
  let original: { sw: string; html: string };

  beforeAll(async () => {
    ensureBuilt();
    await cp(DIST, webRoot, { recursive: true });
    original = { sw: await readFile(files.sw, 'utf8'), html: await readFile(files.html, 'utf8') };
    server = await startServer({ env: { WEB_ROOT: webRoot } });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function deployNewVersion(): Promise<void> {
    const html = original.html.replace('</head>', '<meta name="counterpay-build" content="next" /></head>');
    const revision = createHash('md5').update(html).digest('hex');
    const sw = original.sw.replace(/"revision":"[0-9a-f]+","url":"index\.html"/, `"revision":"${revision}","url":"index.html"`);
    expect(sw).not.toBe(original.sw);
    await writeFile(files.html, html);
    await writeFile(files.sw, sw);
  }

  const build = (page: import('playwright-core').Page) => page.evaluate(() => document.querySelector('meta[name="counterpay-build"]')?.getAttribute('content') ?? 'first');

  it('keeps serving the running version until the update is accepted, then switches every part at once', async () => {
    const voucher = await createVoucher(server);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(voucher.qr);
    await page.locator('svg.qr').waitFor();
    await waitForServiceWorker(page);
    expect(await page.getByText('A new version of Counterpay is ready.').count()).toBe(0);

    await deployNewVersion();
    // The browser checks for a new worker on navigation; it installs and waits.
    await page.reload();
    const prompt = page.getByRole('alert').filter({ hasText: 'A new version of Counterpay is ready.' });
    await prompt.waitFor({ timeout: 30_000 });
    // Still the old page, from the old worker's cache, though the server now has the new one.
    expect(await build(page)).toBe('first');
    await page.reload();
    await prompt.waitFor();
    expect(await build(page)).toBe('first');

    await prompt.getByRole('button', { name: 'Update now' }).click();
    await expect.poll(() => build(page).catch(() => 'reloading'), { timeout: 30_000 }).toBe('next');
    await page.locator('svg.qr').waitFor();
    expect(zbar(await page.locator('svg.qr').screenshot())).toEqual([`QR-Code:${voucher.qr}`]);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
    await context.close();
  });
});
