/**
 * The API reference at /docs in Chromium, under its own Content-Security-Policy (a violation fails
 * the test, test/support/csp.setup.ts): axe finds nothing (landmarks, one h1, heading order, lang,
 * title, contrast), every table-of-contents link lands on an element, and the first operation's
 * curl example shows.
 */
import { describe, expect, it } from 'vitest';
import { serverAndBrowser } from './support/suite.ts';
import { browserTierAvailable } from './support/browser.ts';
import { axeFindings } from './support/look.ts';

const available = browserTierAvailable();

describe.skipIf(!available)('the API reference in Chromium', () => {
  const s = serverAndBrowser();

  it('is clean for axe, its contents links land, and the first curl example shows', async () => {
    const context = await s.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const page = await context.newPage();
      const answer = await page.goto(`${s.server.url}/docs`);
      expect(answer!.status()).toBe(200);
      await page.getByRole('heading', { name: 'Counterpay API', level: 1 }).waitFor();
      expect(await page.title()).toBe('Counterpay API reference');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');

      expect(await axeFindings(page)).toEqual([]);

      const nav = page.getByRole('navigation', { name: 'Contents' });
      await nav.waitFor();
      expect(await page.getByRole('banner').count()).toBe(1);
      expect(await page.getByRole('main').count()).toBe(1);
      const targets = await nav.locator('a[href^="#"]').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
      expect(targets.length).toBeGreaterThan(20);
      const missing = await page.evaluate((ids) => ids.filter((id) => !document.getElementById(id)), targets);
      expect(missing).toEqual([]);

      // Following the first operation's link brings its section, and its curl example, into view.
      const first = nav.locator('a[href^="#op-"]').first();
      const id = (await first.getAttribute('href'))!.slice(1);
      await first.click();
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#${id}`);
      const curl = page.locator(`section[id="${id}"] pre.curl`);
      expect(await curl.isVisible()).toBe(true);
      // Where a person looks after following the link: the example starts on screen (a long body
      // may run below the fold), with no scrolling of the test's own.
      const top = await curl.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, left: r.left, right: r.right, height: window.innerHeight, width: window.innerWidth };
      });
      expect(top.top).toBeGreaterThanOrEqual(0);
      expect(top.top).toBeLessThan(top.height - 40);
      expect(top.left).toBeGreaterThanOrEqual(0);
      expect(top.right).toBeLessThanOrEqual(top.width);
      expect(await curl.innerText()).toMatch(/^curl (-X [A-Z]+ )?'http:\/\/[^']+\/v1\//);
      expect(await page.locator('body').innerText()).not.toContain('`');
    } finally {
      await context.close();
    }
  });
});
