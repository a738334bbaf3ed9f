/**
 * Notifications in the wallet, in Debian's Chromium against the real server on loopback. A
 * headless browser cannot reach a real push service, so the page's PushManager hands out a
 * subscription of the push-service stand-in (test/support/push-service.ts: a real P-256 key pair
 * and secret, its endpoint on 127.0.0.1); everything else is real: the permission (granted to the
 * context), the app's requests, the server's subscription, the server's encrypted push when a
 * till collects the voucher, and the service worker showing it (delivered through the DevTools
 * protocol, as the browser would on receipt). Checked: nothing is asked on load; the offer is a
 * button in view, reached by keyboard; its tap asks once and sends the voucher's token; "on" says
 * so and survives a reload; a voucher added later is told; "off" sends DELETE; the language follows
 * the wallet's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { base64UrlDecode } from '../../core/encoding/bytes.ts';
import { serverConnection, TestTill } from '../support/till.ts';
import { decrypt, startPushService, type FakeSubscription } from '../support/push-service.ts';
import { browserTierAvailable, waitForServiceWorker } from './support/browser.ts';
import { createVoucher, type CreatedVoucher } from './support/api.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { serverAndBrowser } from './support/suite.ts';
import { newEnrolCode } from './support/till.ts';

const available = browserTierAvailable();

interface FakePushState {
  permissionRequests: number;
  subscribes: number;
  unsubscribes: number;
  /** The applicationServerKey each subscribe was given, base64. */
  keys: string[];
}

/**
 * Before the app's code (in every page load): counts permission requests, and makes PushManager
 * hand out `sub` (kept in localStorage, so it outlives a reload as a browser's subscription does).
 * With `blocked`, the permission reads as the browser's settings would have it (`denied`: blocked
 * before this visit) and a request answers `answer` (the prompt's "Block"), which Playwright cannot grant.
 */
function fakePushManager({
  sub,
  blocked,
}: {
  sub: { endpoint: string; p256dh: string; auth: string };
  blocked: { initial: NotificationPermission; answer: NotificationPermission } | null;
}) {
  const state: FakePushState = { permissionRequests: 0, subscribes: 0, unsubscribes: 0, keys: [] };
  (window as unknown as { __push: FakePushState }).__push = state;
  let permission = blocked?.initial ?? 'default';
  if (blocked) Object.defineProperty(Notification, 'permission', { get: () => permission });
  const request = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = async () => {
    state.permissionRequests++;
    if (!blocked) return request();
    permission = blocked.answer;
    return permission;
  };
  const KEPT = '__fakePushSubscription';
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const make = (key: string) => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { applicationServerKey: Uint8Array.from(atob(key), (c) => c.charCodeAt(0)).buffer, userVisibleOnly: true },
    getKey: () => null,
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } }),
    unsubscribe: async () => {
      state.unsubscribes++;
      localStorage.removeItem(KEPT);
      return true;
    },
  });
  PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
    state.subscribes++;
    const key = options?.applicationServerKey as ArrayBuffer | ArrayBufferView;
    const bytes = key instanceof ArrayBuffer ? new Uint8Array(key) : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
    state.keys.push(b64(bytes));
    localStorage.setItem(KEPT, b64(bytes));
    return make(b64(bytes)) as unknown as PushSubscription;
  };
  PushManager.prototype.getSubscription = async () => {
    const key = localStorage.getItem(KEPT);
    return (key ? make(key) : null) as unknown as PushSubscription;
  };
}

const pushState = (page: Page) => page.evaluate(() => (window as unknown as { __push: FakePushState }).__push);

describe.skipIf(!available)('notifications in the wallet', () => {
  const suite = serverAndBrowser();
  let service: Awaited<ReturnType<typeof startPushService>>;

  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service?.close();
  });

  async function phone(
    options: { locale?: string; grant?: boolean; blocked?: { initial: NotificationPermission; answer: NotificationPermission } } = {},
  ): Promise<{ context: BrowserContext; page: Page; sub: FakeSubscription }> {
    const sub = await service.subscription();
    const context = await (suite.browser as Browser).newContext({ viewport: { width: 390, height: 844 }, locale: options.locale ?? 'en-GB', deviceScaleFactor: 2 });
    if (options.grant ?? true) await context.grantPermissions(['notifications'], { origin: suite.server.url });
    await context.addInitScript(fakePushManager, { sub: { endpoint: sub.endpoint, ...sub.keys }, blocked: options.blocked ?? null });
    return { context, page: await context.newPage(), sub };
  }

  async function open(page: Page, voucher: CreatedVoucher): Promise<void> {
    await page.goto(voucher.qr);
    await page.locator('svg.qr').waitFor();
    await page.locator('dl.details').waitFor();
  }

  const subscribeRequest = (page: Page) => page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/push/subscriptions' && r.method() === 'POST');
  const answerOf = async (request: Request) => {
    const response = (await request.response())!;
    return { status: response.status(), body: response.status() === 204 ? null : await response.json() };
  };

  async function payAtTill(v: CreatedVoucher): Promise<void> {
    const till = await TestTill.enrol(serverConnection(suite.server.url), await newEnrolCode(suite.server));
    const [answer] = await till.outcomes([await till.record(v.token, v.amount, { currency: v.currency })]);
    expect(answer!.outcome).toBe('accepted');
  }

  /** The service worker's registration id, for the DevTools protocol's push delivery. */
  async function deliverPush(context: BrowserContext, page: Page, data: string): Promise<void> {
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        const found = e.registrations.find((r) => r.scopeURL === `${suite.server.url}/` && !r.isDeleted);
        if (found) resolve(found.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: suite.server.url, registrationId: await registration, data });
    await cdp.detach();
  }

  const notifications = (page: Page) =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, lang: n.lang, data: n.data as unknown })),
    );

  it('offers notifications only as a button, subscribes on its tap with the voucher’s token, shows the server’s push, and turns off', async () => {
    const voucher = await createVoucher(suite.server);
    const { context, page, sub } = await phone();
    await open(page, voucher);
    await waitForServiceWorker(page);

    // On load: a button in the page, not a prompt. Nothing asked, nothing subscribed.
    const offer = page.getByRole('button', { name: 'Notify me when it is paid' });
    await offer.waitFor();
    await page.waitForLoadState('networkidle');
    expect(await pushState(page)).toMatchObject({ permissionRequests: 0, subscribes: 0 });
    await offer.scrollIntoViewIfNeeded();
    expect(await inViewport(offer)).toBe(true);
    await offer.focus();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('notify-offer'))).toBe(true);
    expect(await axeFindings(page)).toEqual([]);

    // The tap (by keyboard): one permission request, a subscription under the server's key, the token sent.
    const { public_key } = (await (await fetch(`${suite.server.url}/v1/push/key`)).json()) as { public_key: string };
    const posted = subscribeRequest(page);
    await page.keyboard.press('Enter');
    const request = await posted;
    expect(request.postDataJSON()).toEqual({ subscription: { endpoint: sub.endpoint, keys: sub.keys }, tokens: [voucher.token], locale: 'en' });
    expect(await answerOf(request)).toEqual({ status: 201, body: { object: 'push_subscription', voucher_ids: [voucher.id], unknown_voucher_ids: [], locale: 'en' } });
    const state = await pushState(page);
    expect(state).toMatchObject({ permissionRequests: 1, subscribes: 1 });
    expect(Buffer.from(state.keys[0]!, 'base64')).toEqual(Buffer.from(base64UrlDecode(public_key)));

    // On: it says so, and focus is on the way back out.
    const on = page.locator('.notify[data-notify="on"]');
    await on.waitFor();
    expect((await on.getByRole('status').textContent())!).toContain('Notifications are on');
    const turnOff = page.getByRole('button', { name: 'Turn off notifications' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('notify-turn-off'))).toBe(true);
    expect(await inViewport(turnOff)).toBe(true);
    expect(await axeFindings(page)).toEqual([]);

    // A till collects the voucher: the server pushes "paid" to this phone's endpoint, encrypted for its keys.
    await payAtTill(voucher);
    const path = new URL(sub.endpoint).pathname;
    await expect.poll(() => service.received.filter((r) => r.path === path).length, { timeout: 20_000 }).toBe(1);
    const plaintext = await decrypt(service.received.find((r) => r.path === path)!, sub);
    const message = JSON.parse(plaintext) as { kind: string; title: string; body: string; url: string; voucher_id: string };
    expect(message).toMatchObject({ kind: 'paid', url: `/vouchers/${voucher.id}`, voucher_id: voucher.id });
    expect(message.title).toContain('€42.50');
    // What the browser would hand the service worker: it shows it, one per voucher and kind, opening the voucher.
    await deliverPush(context, page, plaintext);
    await expect
      .poll(() => notifications(page))
      .toEqual([{ title: message.title, body: message.body, tag: `${voucher.id}:paid`, lang: 'en', data: { url: `${suite.server.url}/vouchers/${voucher.id}` } }]);

    // Still on after a reload, without asking again; a voucher added to the wallet is told to the server with the others.
    await page.reload();
    await page.locator('.notify[data-notify="on"]').waitFor();
    expect(await pushState(page)).toMatchObject({ permissionRequests: 0, subscribes: 0 });
    const second = await createVoucher(suite.server);
    const told = subscribeRequest(page);
    await open(page, second);
    const again = await told;
    expect(again.postDataJSON().subscription.endpoint).toBe(sub.endpoint);
    expect(again.postDataJSON().tokens).toEqual([second.token, voucher.token]);
    expect((await answerOf(again)).body.voucher_ids.sort()).toEqual([second.id, voucher.id].sort());

    // Off: the server forgets the endpoint, the browser drops the subscription, the offer is back under focus.
    const deleted = page.waitForRequest((r) => new URL(r.url()).pathname === '/v1/push/subscriptions' && r.method() === 'DELETE');
    await page.getByRole('button', { name: 'Turn off notifications' }).click();
    const deletion = await deleted;
    expect(deletion.postDataJSON()).toEqual({ endpoint: sub.endpoint });
    expect((await answerOf(deletion)).status).toBe(204);
    await page.locator('.notify[data-notify="off"]').waitFor();
    expect((await page.locator('.notify').textContent())!).toContain('Notifications are off.');
    expect(await pushState(page)).toMatchObject({ unsubscribes: 1, permissionRequests: 0 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('notify-offer'))).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('counterpay.push'))).toBeNull();
    await context.close();
  });

  it('subscribes in the wallet’s language and tells the server when the language changes; the notification says so too', async () => {
    const voucher = await createVoucher(suite.server);
    const { context, page } = await phone({ locale: 'zh-CN' });
    await open(page, voucher);
    await waitForServiceWorker(page);
    const posted = subscribeRequest(page);
    await page.getByRole('button', { name: '付款后通知我' }).click();
    expect((await posted).postDataJSON().locale).toBe('zh');
    await page.locator('.notify[data-notify="on"]').waitFor();
    expect((await page.locator('.notify').textContent())!).toContain('通知已开启');

    const payload = JSON.stringify({ kind: 'expiring', title: '请在 24 小时内付款：€42.50', body: '…', url: `/vouchers/${voucher.id}`, voucher_id: voucher.id });
    await deliverPush(context, page, payload);
    await expect.poll(async () => (await notifications(page)).map((n) => [n.tag, n.lang])).toEqual([[`${voucher.id}:expiring`, 'zh-Hans']]);

    const relocalised = subscribeRequest(page);
    await page.getByLabel('语言').selectOption('en');
    const request = await relocalised;
    expect(request.postDataJSON()).toMatchObject({ locale: 'en', tokens: [voucher.token] });
    expect((await answerOf(request)).body.locale).toBe('en');
    await expect.poll(() => page.locator('.notify').textContent()).toContain('Notifications are on');
    await context.close();
  });

  it('offers nothing where notifications are blocked, and says how to unblock them when the tap blocks them', async () => {
    const voucher = await createVoucher(suite.server);
    // Blocked before this visit.
    const blocked = await phone({ grant: false, blocked: { initial: 'denied', answer: 'denied' } });
    await open(blocked.page, voucher);
    expect(await blocked.page.evaluate(() => Notification.permission)).toBe('denied');
    await blocked.page.waitForLoadState('networkidle');
    expect(await blocked.page.locator('.notify').count()).toBe(0);
    expect(await pushState(blocked.page)).toMatchObject({ permissionRequests: 0 });
    await blocked.context.close();

    // Blocked from the tap: the prompt's "Block".
    const { context, page } = await phone({ grant: false, blocked: { initial: 'default', answer: 'denied' } });
    await open(page, voucher);
    await page.getByRole('button', { name: 'Notify me when it is paid' }).click();
    const alert = page.locator('.notify[data-notify="denied"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('allow notifications for this site in your browser’s settings');
    expect(await pushState(page)).toMatchObject({ permissionRequests: 1, subscribes: 0 });
    expect(await page.getByRole('button', { name: 'Notify me when it is paid' }).count()).toBe(0);
    expect(await axeFindings(page)).toEqual([]);
    await context.close();
  });
});
