/**
 * The app under its own security headers (api/http/security-headers.ts), in Debian's Chromium
 * against the real server on loopback: every view renders with no policy violation (the browser
 * tier fails a test that has one, test/support/csp.setup.ts), and no page on another origin can
 * show the till in a frame.
 */
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { scratchDir } from '../support/scratch.ts';
import { serverAndBrowser } from './support/suite.ts';
import { browserTierAvailable, launchProfile, takePolicyViolations, waitForServiceWorker } from './support/browser.ts';
import { ffmpegAvailable, qrVideo } from './support/camera.ts';
import { createVoucher } from './support/api.ts';
import { launchTillProfile, launchWithCamera, TABLET } from './support/till.ts';

const available = browserTierAvailable();

describe.skipIf(!available)('security headers in Chromium', () => {
  const s = serverAndBrowser();

  /** Takes the recorded violations until each pattern matched one (so the test's guard finds none left). */
  async function violationsMatching(...patterns: RegExp[]): Promise<string[]> {
    const seen: string[] = [];
    await expect
      .poll(
        () => {
          seen.push(...takePolicyViolations());
          return patterns.every((p) => seen.some((v) => p.test(v)));
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    return seen;
  }

  it('renders the shopper view, its service worker, the cashier view and /docs under the CSP', async () => {
    const context = await s.browser.newContext({ viewport: TABLET, locale: 'en-US' });
    try {
      const page = await context.newPage();
      const voucher = await createVoucher(s.server);
      const shopper = await page.goto(voucher.qr);
      expect(shopper!.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval';");
      await page.locator('svg.qr').waitFor();
      await waitForServiceWorker(page);

      await page.goto(`${s.server.url}/`);
      await page.getByRole('heading', { name: 'My vouchers' }).waitFor();
      await page.locator(`li[data-voucher-id="${voucher.id}"]`).waitFor();

      await page.goto(`${s.server.url}/cashier`);
      await page.getByLabel('Enrolment code').waitFor();
      await page.getByRole('button', { name: 'Enrol' }).waitFor();

      const docs = await page.goto(`${s.server.url}/docs`);
      expect(docs!.headers()['content-security-policy']).toContain("default-src 'none'");
      await page.getByRole('heading', { name: 'Counterpay API', level: 1 }).waitFor();
      // The page's inline stylesheet applied: its hash is in style-src.
      expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('960px');
    } finally {
      await context.close();
    }
  });

  /** An inline script added by hand: the CSP refuses it, and the guard must hear of it. */
  async function breakThePolicy(page: Page): Promise<void> {
    await page.goto(`${s.server.url}/docs`);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineScriptRan = true';
      document.head.append(script);
    });
    // Both of the guard's ears hear it: Chromium's console report and the page's violation event.
    const seen = await violationsMatching(
      /violates the following Content Security Policy directive 'script-src 'self' 'wasm-unsafe-eval''/,
      /\[securitypolicyviolation\] script-src-elem/,
    );
    expect(seen).toHaveLength(2);
    expect(await page.evaluate(() => (window as unknown as { inlineScriptRan?: boolean }).inlineScriptRan ?? false)).toBe(false);
  }

  const camera = ffmpegAvailable();
  const launchers: Array<[string, () => Promise<{ page: Page; close(): Promise<unknown> }>]> = [
    ['launch() + newPage()', async () => ({ page: await s.browser.newPage(), close: () => Promise.resolve() })],
    [
      'launch() + newContext()',
      async () => {
        const context = await s.browser.newContext();
        return { page: await context.newPage(), close: () => context.close() };
      },
    ],
    [
      'launchProfile()',
      async () => {
        const context = await launchProfile(scratchDir('csp-profile'));
        return { page: context.pages()[0] ?? (await context.newPage()), close: () => context.close() };
      },
    ],
    ...(camera
      ? ([
          [
            'launchWithCamera()',
            async () => {
              const withCamera = await launchWithCamera(await qrVideo('not a voucher'));
              return { page: await (await withCamera.newContext()).newPage(), close: () => withCamera.close() };
            },
          ],
          [
            'launchTillProfile()',
            async () => {
              const context = await launchTillProfile(scratchDir('csp-till'), await qrVideo('not a voucher'));
              return { page: context.pages()[0] ?? (await context.newPage()), close: () => context.close() };
            },
          ],
        ] as typeof launchers)
      : []),
  ];

  it.each(launchers)('records a violation in a page from %s, so the guard is not silent', async (_name, open) => {
    const { page, close } = await open();
    try {
      await breakThePolicy(page);
    } finally {
      await page.close();
      await close();
    }
  });

  it('records a violation in the service worker too', async () => {
    const context = await s.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${s.server.url}/`);
      await waitForServiceWorker(page);
      const [worker] = context.serviceWorkers();
      // connect-src 'self' holds in the worker as well (its own CSP comes with /sw.js).
      expect(
        await worker!.evaluate(() =>
          fetch('http://127.0.0.1:9/').then(
            () => 'fetched',
            () => 'refused',
          ),
        ),
      ).toBe('refused');
      const seen = await violationsMatching(/^service worker .*\[securitypolicyviolation\] connect-src refused http:\/\/127\.0\.0\.1:9\//);
      expect(seen.every((v) => /connect-src/.test(v))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows no till in a frame on another origin', async () => {
    // Another origin on loopback: same host, another port. Its own frame shows that frames work here.
    const foreign = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        req.url === '/own'
          ? '<!doctype html><p id="own">framed by its own origin</p>'
          : `<!doctype html><title>Not Counterpay</title><iframe id="own" src="/own"></iframe><iframe id="till" src="${s.server.url}/cashier" width="1000" height="700"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const page = await s.browser.newPage({ viewport: TABLET });
    try {
      await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
      await page.frameLocator('#own').locator('#own').waitFor();
      // Chromium refuses the till's document for its frame-ancestors 'none' and says so.
      await violationsMatching(/Framing 'http:\/\/127\.0\.0\.1:\d+\/' violates the following Content Security Policy directive: "frame-ancestors 'none'"/);
      const till = page.frame({ url: (u) => u.port === new URL(s.server.url).port });
      expect(till, 'no frame holds a Counterpay document').toBeNull();
      expect(await page.frameLocator('#till').getByLabel('Enrolment code').count()).toBe(0);
      expect(await page.frameLocator('#till').locator('#app').count()).toBe(0);
    } finally {
      await page.context().close();
      foreign.closeAllConnections();
      await new Promise((resolve) => foreign.close(resolve));
    }
  });
});
