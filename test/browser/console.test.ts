/**
 * The console in Chromium (docs/console.md), on a real server over PostgreSQL with e-mail through a
 * real SMTP server on 127.0.0.1 and passkeys through Chromium's virtual authenticator (DevTools
 * protocol): an operator made by the CLI signs in with an e-mailed link, adds a passkey, signs out
 * and back in with it, creates a store and shows a till enrolment QR that decodes to the enrol
 * link; a cross-site form post changes nothing; a session left idle is refused; axe finds nothing.
 *
 * The server's PUBLIC_URL is http://localhost:PORT: WebAuthn takes no IP address as relying party,
 * and the browser maps localhost to 127.0.0.1 (nothing leaves the machine).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { startServer, ROOT, type RunningServer } from '../support/server.ts';
import { freshPostgresDatabase } from '../support/databases.ts';
import { startSmtp, type Smtp } from '../support/smtp.ts';
import { browserTierAvailable, guardBrowser, launchOptions, takePolicyViolations, zbar } from './support/browser.ts';
import { ensureBuilt } from './support/build.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { pictureVideo } from './support/camera.ts';
import { launchWithCamera, TABLET, waitForSync } from './support/till.ts';
import { scratchDir } from '../support/scratch.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { createVoucher } from './support/api.ts';
import { newEnrolCode } from './support/till.ts';

const run = promisify(execFile);
const OPERATOR = 'ops@example.com';

describe.runIf(browserTierAvailable())('the console', () => {
  let smtp: Smtp;
  let db: { url: string; drop(): Promise<void> };
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['bin/counterpay.js', ...args, '--json'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
    return JSON.parse(stdout);
  };
  const sql = async (text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  /** The sign-in link in the newest e-mail to `to`. */
  const linkFor = (to: string, after: number) => {
    const mail = smtp.received.slice(after).find((r) => r.envelope.to.includes(to));
    return mail ? /http:\/\/localhost:\d+\/console\/sign-in#token=[0-9a-z]+/.exec(mail.mail.text ?? '')?.[0] : undefined;
  };
  const heading = () => page.getByRole('heading', { level: 1 });

  beforeAll(async () => {
    ensureBuilt();
    smtp = await startSmtp();
    db = await freshPostgresDatabase();
    server = await startServer({ host: 'localhost', env: { DATABASE_URL: db.url, SMTP_URL: smtp.url(), SMTP_FROM: 'Counterpay <console@counterpay.test>' } });
    browser = guardBrowser(await chromium.launch(launchOptions));
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    // Chromium's virtual authenticator: a platform authenticator with resident keys and user verification.
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    }));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
    await smtp?.close();
  });

  it('signs a command-line operator in with an e-mailed link, adds a passkey, and signs in with it after signing out', async () => {
    expect(await cli('user', 'create', '--operator', '--email', OPERATOR)).toMatchObject({ email: OPERATOR, operator: true });
    await page.goto(`${server.url}/console`);
    await expect.poll(() => heading().textContent()).toBe('Sign in to the Counterpay console');
    expect(await axeFindings(page)).toEqual([]);

    const before = smtp.received.length;
    await page.getByLabel('E-mail address').fill(OPERATOR);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    const sent = page.getByRole('status').filter({ hasText: 'sign-in link is on its way' });
    await sent.waitFor();
    expect(await inViewport(sent)).toBe(true);
    await expect.poll(() => linkFor(OPERATOR, before)).toBeDefined();

    await page.goto(linkFor(OPERATOR, before)!);
    await expect.poll(() => heading().textContent()).toBe('Console');
    expect(new URL(page.url()).hash, 'the token is taken off the address bar').toBe('');
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-counterpay_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie), 'no script reads the session').toBe('');
    expect(await axeFindings(page)).toEqual([]);

    await page.getByRole('link', { name: 'Your account' }).click();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const added = page.getByRole('status').filter({ hasText: 'Passkey added' });
    await added.waitFor();
    expect(await page.getByText('Passkeys: 1').isVisible()).toBe(true);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
    expect(await axeFindings(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => heading().textContent()).toBe('Sign in to the Counterpay console');
    const mails = smtp.received.length;
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => heading().textContent()).toBe('Console');
    expect(smtp.received.length, 'no e-mail was needed').toBe(mails);
    expect(takePolicyViolations()).toEqual([]);
  });

  it('creates a store and shows a till enrolment QR, which a cashier view scans with its camera to enrol', async () => {
    await page.getByRole('link', { name: 'Stores' }).click();
    await expect.poll(() => heading().textContent()).toBe('Stores');
    await page.getByLabel('Store name').fill('Console Corner');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('status').filter({ hasText: 'Created store Console Corner' }).waitFor();
    await page.getByRole('button', { name: 'Enrol a till for Console Corner' }).click();
    const qr = page.getByRole('img', { name: 'Enrolment QR for Console Corner' });
    await qr.waitFor();
    expect(await inViewport(qr), 'the QR is where a cashier holds the tablet up to').toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id), 'focus moves to the code').toBe('enrolment');
    const code = (await page.locator('.enrolment strong.code').textContent())!.trim();
    expect(zbar(await qr.screenshot())).toEqual([`QR-Code:${server.url}/cashier?enrol=${encodeURIComponent(code)}`]);
    expect(await axeFindings(page)).toEqual([]);
    const stores = (await cli('store', 'list')) as { data: { id: string; name: string }[] };
    const store = stores.data.find((s) => s.name === 'Console Corner')!;

    // The cashier view scans that very QR (the console's picture as the till's fake camera) and is enrolled.
    const png = join(scratchDir('console-qr'), 'enrol.png');
    writeFileSync(png, await qr.screenshot());
    const tillBrowser = await launchWithCamera(pictureVideo(png));
    try {
      const till = await (await tillBrowser.newContext({ viewport: TABLET, locale: 'en-US' })).newPage();
      await till.goto(`${server.url}/cashier`);
      await till.getByRole('button', { name: 'Scan the code from the console' }).click();
      await waitForSync(till);
      expect(new URL(till.url()).search).toBe('');
    } finally {
      await tillBrowser.close();
    }
    const tills = (await cli('device', 'list')) as { data: { store_id: string; status: string }[] };
    expect(tills.data.filter((t) => t.store_id === store.id).map((t) => t.status)).toEqual(['active']);
    await page.getByRole('link', { name: 'Tills' }).click();
    await expect.poll(() => page.locator('tbody').innerText()).toContain(store.id);
  });

  it('decides a collection held for review, and the till that recorded it sees the decision in its feed', async () => {
    // A till (the till protocol, as any till speaks it) records a voucher for less than it is worth: a mismatch, held.
    const voucher = await createVoucher(server, { order_ref: 'REVIEW-1' });
    const till = await TestTill.enrol(serverConnection(server.url), await newEnrolCode({ dataDir: server.dataDir, databaseUrl: db.url }), 'Review till');
    const [held] = await till.outcomes([await till.record(voucher.token, voucher.amount - 100, { currency: voucher.currency })]);
    expect(held).toMatchObject({ outcome: 'mismatch' });

    await page.getByRole('link', { name: 'Review' }).click();
    await expect.poll(() => heading().textContent()).toBe('Review queue');
    const row = page.locator('tbody tr').filter({ hasText: 'Review till' });
    await row.waitFor();
    expect(await axeFindings(page)).toEqual([]);
    await row.getByLabel('Decision').selectOption('write_off');
    await row.getByRole('button', { name: `Decide collection ${held!.id}` }).click();
    const refused = page.getByRole('alert');
    await refused.waitFor();
    expect(await refused.textContent(), 'a write-off needs a reason').toContain('reason');
    await row.getByLabel('Reason').fill('the shopper took the goods back');
    await row.getByRole('button', { name: `Decide collection ${held!.id}` }).click();
    const decided = page.getByRole('status').filter({ hasText: `Collection ${held!.id}` });
    await decided.waitFor();
    expect(await inViewport(decided)).toBe(true);
    expect(await page.locator('tbody tr').filter({ hasText: 'Review till' }).count()).toBe(0);

    const feed = (await (await till.feed()).json()) as { reviewed: { collection_id: string; decision: string }[] };
    expect(feed.reviewed).toContainEqual(expect.objectContaining({ collection_id: held!.id, decision: 'write_off' }));
  });

  it('shows today on the overview, with a chart of collections per day and the same figures as a table', async () => {
    const voucher = await createVoucher(server, { order_ref: 'OVERVIEW-1' });
    const till = await TestTill.enrol(serverConnection(server.url), await newEnrolCode({ dataDir: server.dataDir, databaseUrl: db.url }), 'Overview till');
    expect((await till.outcomes([await till.record(voucher.token, voucher.amount, { currency: voucher.currency })]))[0]).toMatchObject({ outcome: 'accepted' });
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => heading().textContent()).toBe('Console');
    const figure = page.getByRole('figure');
    await figure.waitFor();
    const canvas = figure.locator('canvas');
    expect((await canvas.boundingBox())!.height, 'Chart.js drew into its box').toBeGreaterThan(100);
    // The day the server calls today (its clock, not this test's), and its row in the chart's table.
    const today = /Today, (\d{4}-\d{2}-\d{2})/.exec((await page.getByRole('heading', { name: /^Today, / }).textContent())!)![1]!;
    expect(await figure.getByRole('table').innerText()).toContain(today);
    expect(await page.getByText(/^1 for €/).count()).toBe(1);
    expect(await axeFindings(page)).toEqual([]);
    expect(takePolicyViolations(), 'the chart needs nothing the CSP refuses').toEqual([]);
  });

  it('lists tills and reads the audit log, with the sign-ins and the store it made', async () => {
    await page.getByRole('link', { name: 'Tills' }).click();
    await expect.poll(() => heading().textContent()).toBe('Tills');
    expect(await axeFindings(page)).toEqual([]);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => heading().textContent()).toBe('Audit log');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    const text = await page.locator('tbody').innerText();
    expect(text).toContain('POST /v1/operator/stores');
    expect(text).toContain('session.create');
    expect(text).toContain('user create');
    expect(text).toContain('POST /v1/operator/review/{id}/decision');
    expect(await axeFindings(page)).toEqual([]);
  });

  it('refuses a form another site posts with the operator’s browser, and changes nothing', async () => {
    const users = async () => ((await cli('user', 'list')) as { data: unknown[] }).data.length;
    const count = await users();
    // Another origin (the same machine under its address, not its name): a page with a form that
    // posts an invitation to the console's API the moment it loads.
    const attacker = `http://127.0.0.1:${new URL(server.url).port}/attack.html`;
    const other = await context.newPage();
    await other.route(attacker, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form id="f" method="post" action="${server.url}/v1/console/invitations" enctype="text/plain"><input name='{"email":"evil@example.com","operator":true,"x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`,
      }),
    );
    const answered = other.waitForResponse((r) => r.url() === `${server.url}/v1/console/invitations`);
    await other.goto(attacker);
    const response = await answered;
    expect(response.status()).toBeGreaterThanOrEqual(400);
    expect(response.status()).toBeLessThan(500);
    expect(await users()).toBe(count);
    await other.close();
  });

  it('refuses a session left idle past its expiry: the console says so and asks to sign in again', async () => {
    await page.getByRole('link', { name: 'Stores' }).click();
    await expect.poll(() => heading().textContent()).toBe('Stores');
    // The session's last request an hour ago (its idle expiry is 30 minutes): the database's record is moved, not the clock.
    await sql(`update console_sessions set last_seen_at = last_seen_at - interval '1 hour' where ended_at is null`);
    await page.getByLabel('Store name').fill('Too late');
    await page.getByRole('button', { name: 'Create store' }).click();
    await expect.poll(() => heading().textContent()).toBe('Sign in to the Counterpay console');
    const said = page.getByRole('alert');
    expect(await said.textContent()).toContain('30 minutes without use');
    expect(await inViewport(said)).toBe(true);
    const stores = (await cli('store', 'list')) as { data: { name: string }[] };
    expect(stores.data.map((s) => s.name)).not.toContain('Too late');
    expect(await axeFindings(page)).toEqual([]);
  });
});
