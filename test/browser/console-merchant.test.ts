/**
 * The console for a merchant's users, in Chromium against a real server on PostgreSQL with e-mail
 * through a real SMTP server and webhooks to a real receiver, all on 127.0.0.1: an operator invites
 * an admin and a viewer of the demo merchant from the Users page; each signs in with the link in
 * their invitation. The viewer is offered no refund and the server refuses one (403). The admin
 * finds a paid voucher by its order number, reads its timeline (the till's collection, the webhook
 * delivery with the receiver's answer), refunds part of it, redelivers the webhook (the receiver
 * gets the same event again) and downloads a settlement statement as CSV. Axe finds nothing.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, ROOT, type RunningServer } from '../support/server.ts';
import { freshPostgresDatabase } from '../support/databases.ts';
import { startSmtp, type Smtp } from '../support/smtp.ts';
import { startReceiver } from '../support/receiver.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { browserTierAvailable, guardBrowser, launchOptions, takePolicyViolations } from './support/browser.ts';
import { ensureBuilt } from './support/build.ts';
import { createVoucher } from './support/api.ts';
import { newEnrolCode } from './support/till.ts';
import { axeFindings, inViewport } from './support/look.ts';

const run = promisify(execFile);
const ORDER = 'SHOP-4242';

describe.runIf(browserTierAvailable())('the console for a merchant’s users', () => {
  let smtp: Smtp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let db: { url: string; drop(): Promise<void> };
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const { stdout } = await run(process.execPath, ['bin/counterpay.js', ...args, '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PUBLIC_URL: server.url, ...env },
    });
    return JSON.parse(stdout);
  };
  const linkTo = (to: string) => {
    const mail = [...smtp.received].reverse().find((r) => r.envelope.to.includes(to));
    return mail ? /http:\/\/localhost:\d+\/console\/sign-in#token=[0-9a-z]+/.exec(mail.mail.text ?? '')?.[0] : undefined;
  };
  const signedInPage = async (link: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(link);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Console');
    return page;
  };
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  let voucherId = '';

  beforeAll(async () => {
    ensureBuilt();
    smtp = await startSmtp();
    receiver = await startReceiver(() => 200);
    db = await freshPostgresDatabase();
    server = await startServer({
      host: 'localhost',
      env: { DATABASE_URL: db.url, SMTP_URL: smtp.url(), SMTP_FROM: 'Counterpay <console@counterpay.test>', WORKER_INTERVAL_MS: '100' },
    });
    browser = guardBrowser(await chromium.launch(launchOptions));

    // The demo merchant's shop: a webhook endpoint at the receiver, a voucher, paid at a till.
    const hook = await fetch(`${server.url}/v1/webhook_endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}/hooks`, events: ['voucher.paid'] }),
    });
    expect(hook.status).toBe(201);
    const v = await createVoucher(server, { order_ref: ORDER });
    voucherId = v.id;
    const till = await TestTill.enrol(serverConnection(server.url), await newEnrolCode(server), 'Counter 1');
    const [answer] = await till.outcomes([await till.record(v.token, v.amount, { currency: v.currency })]);
    expect(answer).toMatchObject({ outcome: 'accepted' });
    // The outbox worker delivers voucher.paid to the receiver (expect.poll is for tests, not their setup).
    for (let i = 0; receiver.received.length < 1; i++) {
      if (i > 200) throw new Error('voucher.paid never reached the receiver');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Today's statements, drawn up as the day after would (the CLI's clock a day ahead: test/support/shifted-clock.mjs).
    const today = new Date().toISOString().slice(0, 10);
    await cli(['settle', '--date', today], { NODE_OPTIONS: `--import ${ROOT}/test/support/shifted-clock.mjs`, COUNTERPAY_CLOCK_SHIFT_DAYS: '1' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
    await receiver?.close();
    await smtp?.close();
  });

  it('lets an operator invite an admin and a viewer of a merchant, who sign in with the links in their invitations', async () => {
    await cli(['user', 'create', '--operator', '--email', 'ops@example.com']);
    const ops = await signedInPage(((await cli(['user', 'sign-in-link', '--email', 'ops@example.com'])) as { url: string }).url);
    await ops.getByRole('link', { name: 'Users' }).click();
    await expect.poll(() => heading(ops).textContent()).toBe('Users');
    await ops.getByLabel('Merchant').selectOption({ label: 'Demo Shop' });
    for (const [email, role] of [
      ['admin@shop.example', 'Admin (everything)'],
      ['viewer@shop.example', 'Viewer (reads only)'],
    ] as const) {
      await ops.getByLabel('E-mail address').fill(email);
      await ops.getByLabel('Role').selectOption({ label: role });
      await ops.getByRole('button', { name: 'Send invitation' }).click();
      await ops
        .getByRole('status')
        .filter({ hasText: `Invitation sent to ${email}` })
        .waitFor();
      await expect.poll(() => linkTo(email)).toBeDefined();
    }
    await expect.poll(() => ops.locator('tbody').innerText()).toContain('viewer@shop.example');
    expect(await axeFindings(ops)).toEqual([]);
  });

  it('offers a viewer no refund, and the server refuses one all the same', async () => {
    const viewer = await signedInPage(linkTo('viewer@shop.example')!);
    await viewer.goto(`${server.url}/console/vouchers/${voucherId}`);
    await expect.poll(() => heading(viewer).textContent()).toBe(`Order ${ORDER}`);
    await viewer.getByText('Collected at sto_demo').waitFor();
    expect(await viewer.getByRole('button', { name: 'Refund' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /Redeliver/ }).count()).toBe(0);
    const refused = await viewer.evaluate(async (id) => {
      const me = await (await fetch('/v1/console/me')).json();
      const r = await fetch('/v1/refunds', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ voucher_id: id }),
      });
      return { status: r.status, body: await r.json() };
    }, voucherId);
    expect(refused).toMatchObject({ status: 403, body: { type: '/docs/problems#console-forbidden' } });
    expect(await axeFindings(viewer)).toEqual([]);
  });

  it('lets an admin find the voucher by its order number, read its timeline, refund it, redeliver its webhook and download a statement', async () => {
    const admin = await signedInPage(linkTo('admin@shop.example')!);
    await admin.getByRole('link', { name: 'Vouchers' }).click();
    await expect.poll(() => heading(admin).textContent()).toBe('Vouchers');
    await admin.getByLabel('Order number, reference, e-mail or phone').fill(ORDER);
    await admin.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => admin.locator('tbody tr').count()).toBe(1);
    expect(await axeFindings(admin)).toEqual([]);
    await admin.getByRole('link', { name: ORDER }).click();
    await expect.poll(() => heading(admin).textContent()).toBe(`Order ${ORDER}`);

    const timeline = admin.locator('ol.timeline');
    await expect.poll(() => timeline.innerText()).toContain('Collected at sto_demo (accepted)');
    expect(await timeline.innerText()).toContain(`Webhook voucher.paid to ${receiver.url}/hooks: delivered`);
    expect(await timeline.innerText()).toContain('your endpoint answered 200');
    expect(await axeFindings(admin)).toEqual([]);

    await admin.getByLabel(/Amount to refund/).fill('10.00');
    await admin.getByRole('button', { name: 'Refund', exact: true }).click();
    const refunded = admin.getByRole('status').filter({ hasText: 'Refund' });
    await refunded.waitFor();
    expect(await refunded.textContent()).toMatch(/the shopper collects €10\.00 at a store/);
    expect(await inViewport(refunded)).toBe(true);
    await expect.poll(() => timeline.innerText()).toContain('Refund of €10.00 (pending)');

    const firstId = receiver.received[0]!.headers['webhook-id'];
    await admin
      .getByRole('button', { name: `Redeliver voucher.paid to ${receiver.url}/hooks` })
      .first()
      .click();
    await admin.getByRole('status').filter({ hasText: 'Queued again' }).waitFor();
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(2);
    expect(receiver.received[1]!.headers['webhook-id'], 'the same event, again').toBe(firstId);

    await admin.getByRole('link', { name: 'Settlements' }).click();
    await expect.poll(() => heading(admin).textContent()).toBe('Settlements');
    const downloading = admin.waitForEvent('download');
    await admin
      .getByRole('button', { name: /Download CSV: the statement of/ })
      .first()
      .click();
    const download = await downloading;
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain(ORDER);
    expect(download.suggestedFilename()).toMatch(/^stm_.*\.csv$/);
    expect(await axeFindings(admin)).toEqual([]);
    expect(takePolicyViolations()).toEqual([]);
  });
});
