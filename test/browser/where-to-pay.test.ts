/**
 * "Where to pay" under a voucher, in Debian's Chromium against the real server and its demo store
 * directory on loopback: the stores for a city typed, and after "Use my location" the nearest ones
 * with their distance (the browser's position is asked for only from that tap), each with its
 * address, whether it is open, today's hours and a link to the maps app (never followed: only
 * loopback traffic); then, reloaded offline, the list kept with the voucher, "as of" its fetch,
 * with "open now" worked out from the stored hours. Checked where a person looks (boxes inside the
 * viewport, focus, axe). Nothing here depends on the date or the time of day: what is expected is
 * read from the server's own answer, and the offline clock is set from the stores' hours.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import type { StoreDirectory, StoreListing } from '../../core/contract/stores.ts';
import { distanceMeters } from '../../core/stores/geo.ts';
import { hoursOn, isOpenAt } from '../../core/stores/opening-hours.ts';
import { browserTierAvailable, waitForServiceWorker } from './support/browser.ts';
import { createVoucher } from './support/api.ts';
import { axeFindings, inViewport } from './support/look.ts';
import { serverAndBrowser } from './support/suite.ts';

const available = browserTierAvailable();

/** Near Alexanderplatz: the demo directory's stores lie around it at different distances. */
const HERE = { latitude: 52.5215, longitude: 13.4105 };
const DAY = 86_400;

/** Counts the page's calls for a position, from before any of the app's code runs. */
function countPositionRequests() {
  const geolocation = navigator.geolocation;
  const counts = { position: 0 };
  (window as unknown as { __positionRequests: () => number }).__positionRequests = () => counts.position;
  const getCurrentPosition = geolocation.getCurrentPosition.bind(geolocation);
  const watchPosition = geolocation.watchPosition.bind(geolocation);
  geolocation.getCurrentPosition = (...args: Parameters<Geolocation['getCurrentPosition']>) => {
    counts.position++;
    getCurrentPosition(...args);
  };
  geolocation.watchPosition = (...args: Parameters<Geolocation['watchPosition']>) => {
    counts.position++;
    return watchPosition(...args);
  };
}

const positionRequests = (page: Page) => page.evaluate(() => (window as unknown as { __positionRequests: () => number }).__positionRequests());

/** Open stores first, each group nearest first (the server's order where it gives no distance). */
function expectedOrder(stores: StoreListing[]): string[] {
  const distance = (s: StoreListing) => s.distance_m ?? Number.POSITIVE_INFINITY;
  return stores
    .map((s, i) => ({ s, i }))
    .sort((a, b) => Number(b.s.open_now) - Number(a.s.open_now) || distance(a.s) - distance(b.s) || a.i - b.i)
    .map(({ s }) => s.id);
}

/** "350 m", "2.4 km", "350米", "2.4公里" back to metres. */
function metres(text: string): number {
  const m = /([\d.,]+)\s*(km|m|公里|米)/.exec(text);
  if (!m) throw new Error(`no distance in ${JSON.stringify(text)}`);
  const value = Number(m[1]!.replace(',', '.'));
  return m[2] === 'km' || m[2] === '公里' ? value * 1000 : value;
}

/** The store's `today.hours` as an en-GB phone writes them: the API's own HH:MM. */
const todayText = (hours: { opens: string; closes: string }[]) => (hours.length === 0 ? 'Closed today' : `Today: ${hours.map((h) => `${h.opens}–${h.closes}`).join(', ')}`);

describe.skipIf(!available)('where to pay, under a voucher', () => {
  const suite = serverAndBrowser();

  async function phone(options: { locale?: string; geolocation?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await (suite.browser as Browser).newContext({
      viewport: { width: 390, height: 844 },
      locale: options.locale ?? 'en-GB',
      deviceScaleFactor: 2,
      ...(options.geolocation ? { geolocation: HERE, permissions: ['geolocation'] } : {}),
    });
    await context.addInitScript(countPositionRequests);
    const page = await context.newPage();
    return { context, page };
  }

  async function openVoucher(page: Page): Promise<Locator> {
    const voucher = await createVoucher(suite.server, { expires_in: 7 * DAY });
    await page.goto(voucher.qr);
    await page.locator('svg.qr').waitFor();
    const section = page.locator('section.where-to-pay');
    await section.waitFor();
    return section;
  }

  const storesAnswer = (page: Page) => page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/stores');
  const listed = (page: Page) => page.locator('li.store').evaluateAll((els) => els.map((e) => e.getAttribute('data-store-id')));

  /** Every store in the list as the shopper reads it, against the server's answer. */
  async function expectListed(page: Page, answer: Response, options: { distances: boolean }): Promise<StoreListing[]> {
    const { data } = (await answer.json()) as StoreDirectory;
    expect(data.length).toBeGreaterThan(1);
    await expect.poll(() => listed(page)).toEqual(expectedOrder(data));
    for (const store of data) {
      const item = page.locator(`li.store[data-store-id="${store.id}"]`);
      const where = store.id;
      expect(await item.locator('.store-name').textContent(), where).toBe(store.name);
      if (store.brand) expect(await item.locator('.store-brand').textContent(), where).toBe(store.brand);
      expect(await item.locator('.store-address').textContent(), where).toBe(`${store.address.street}, ${store.address.postal_code} ${store.address.city}`);
      expect(await item.getAttribute('data-open'), where).toBe(String(store.open_now));
      expect(await item.locator('.store-open').textContent(), where).toBe(store.open_now ? 'Open now' : 'Closed now');
      expect(await item.locator('.store-hours').textContent(), where).toBe(todayText(store.today.hours));
      const { latitude, longitude } = store.location;
      const geo = item.locator('a.store-geo');
      expect(await geo.getAttribute('href'), where).toBe(`geo:${latitude},${longitude}?q=${latitude},${longitude}(${encodeURIComponent(store.name)})`);
      expect(await geo.textContent(), where).toBe('Open in maps app');
      const map = new URL((await item.locator('a.store-map').getAttribute('href'))!);
      expect(map.origin + map.pathname, where).toBe('https://www.openstreetmap.org/search');
      expect(map.searchParams.get('query'), where).toBe(`${store.address.street}, ${store.address.postal_code} ${store.address.city}, ${store.address.country}`);
      if (options.distances) {
        // As the server measured it, rounded as the shopper reads it (10 m, then 100 m).
        expect(Math.abs(metres((await item.locator('.store-distance').textContent())!) - store.distance_m!), where).toBeLessThanOrEqual(50);
      } else {
        expect(await item.locator('.store-distance').count(), where).toBe(0);
      }
      // Where a person looks: the store's name, its facts and its map link inside the viewport once scrolled to.
      await item.scrollIntoViewIfNeeded();
      for (const part of [item.locator('.store-name'), item.locator('.store-hours'), geo]) expect(await inViewport(part), where).toBe(true);
    }
    return data;
  }

  it('lists the stores of a city typed: open ones first, with address, today’s hours and a maps link; location is never asked for', async () => {
    const { context, page } = await phone();
    const section = await openVoucher(page);
    expect((await section.getByRole('heading', { level: 2 }).textContent())!.trim()).toBe('Where to pay');
    expect(await section.getByRole('link', { name: 'All stores' }).getAttribute('href')).toBe('/stores?currency=EUR');

    const field = section.getByLabel('City or postal code');
    await field.scrollIntoViewIfNeeded();
    expect(await inViewport(field)).toBe(true);
    await field.fill('Berlin');
    const answer = storesAnswer(page);
    await field.press('Enter');
    const response = await answer;
    expect(Object.fromEntries(new URL(response.url()).searchParams)).toEqual({ currency: 'EUR', city: 'Berlin', limit: '10' });
    await expectListed(page, response, { distances: false });

    // Focus goes to the list's heading, which names the search.
    const heading = section.getByRole('heading', { level: 3 });
    expect((await heading.textContent())!.trim()).toBe('Stores in Berlin');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('where-results-title'))).toBe(true);
    await heading.scrollIntoViewIfNeeded();
    expect(await inViewport(heading)).toBe(true);
    expect((await section.locator('.where-as-of').textContent())!).toMatch(/^Stores as of /);
    expect(await positionRequests(page)).toBe(0);
    expect(await axeFindings(page)).toEqual([]);
    await context.close();
  });

  it('after “Use my location” lists the nearest stores with their distance, and asks for the position only on that tap', async () => {
    const { context, page } = await phone({ geolocation: true });
    const section = await openVoucher(page);
    // Loaded and settled (the status check has run), and still no request for the position.
    await page.waitForLoadState('networkidle');
    expect(await positionRequests(page)).toBe(0);

    const button = section.getByRole('button', { name: 'Use my location' });
    await button.scrollIntoViewIfNeeded();
    expect(await inViewport(button)).toBe(true);
    const answer = storesAnswer(page);
    await button.click();
    const response = await answer;
    expect(await positionRequests(page)).toBe(1);
    // The position leaves the phone only as `near`, rounded to three decimals.
    expect(Object.fromEntries(new URL(response.url()).searchParams)).toEqual({ currency: 'EUR', near: '52.522,13.411', limit: '10' });
    const stores = await expectListed(page, response, { distances: true });
    // Distances from the point the phone gave (within the rounding of `near`); within each group, nearest first.
    for (const store of stores) expect(Math.abs(distanceMeters(HERE, store.location) - store.distance_m!), store.id).toBeLessThanOrEqual(120);
    const shown = await Promise.all((await listed(page)).map((id) => page.locator(`li.store[data-store-id="${id}"] .store-distance`).textContent()));
    const open = stores.filter((s) => s.open_now).length;
    const inOrder = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]!);
    expect(inOrder(shown.slice(0, open).map((t) => metres(t!)))).toBe(true);
    expect(inOrder(shown.slice(open).map((t) => metres(t!)))).toBe(true);

    expect((await section.getByRole('heading', { level: 3 }).textContent())!.trim()).toBe('Nearest stores');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('where-results-title'))).toBe(true);
    expect(await axeFindings(page)).toEqual([]);
    await context.close();
  });

  it('says what to do when the position is refused, when nothing is found and when offline', async () => {
    const { context, page } = await phone({ locale: 'zh-CN' });
    const section = await openVoucher(page);
    expect((await section.getByRole('heading', { level: 2 }).textContent())!.trim()).toBe('在哪里付款');
    await waitForServiceWorker(page);

    // No permission granted: headless Chromium refuses the position.
    await section.getByRole('button', { name: '使用我的位置' }).click();
    const alert = section.getByRole('alert');
    await expect.poll(() => alert.getAttribute('data-failure')).toBe('denied');
    expect(await alert.textContent()).toContain('请在下方输入您的城市或邮政编码');
    expect(await positionRequests(page)).toBe(1);

    const field = section.getByLabel('城市或邮政编码');
    await field.fill('Atlantis');
    await section.getByRole('button', { name: '查找门店' }).click();
    await expect.poll(() => alert.getAttribute('data-failure')).toBe('none');
    expect(await alert.textContent()).toContain('“Atlantis”没有接受 EUR 的门店');
    expect(await inViewport(alert)).toBe(true);

    await field.fill('');
    await section.getByRole('button', { name: '查找门店' }).click();
    await expect.poll(() => alert.getAttribute('data-failure')).toBe('no_city');
    expect(await page.evaluate(() => document.activeElement?.id.startsWith('where-city-'))).toBe(true);
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await context.setOffline(true);
    await section.getByRole('button', { name: '使用我的位置' }).click();
    await expect.poll(() => alert.getAttribute('data-failure')).toBe('offline');
    // Offline, the position is not even asked for.
    expect(await positionRequests(page)).toBe(1);
    expect(await axeFindings(page)).toEqual([]);
    await context.close();
  });

  it('shows the list kept with the voucher after an offline reload, as of its fetch, open or closed by the stored hours', async () => {
    const { context, page } = await phone({ geolocation: true });
    const section = await openVoucher(page);
    await waitForServiceWorker(page);
    const answer = storesAnswer(page);
    await section.getByRole('button', { name: 'Use my location' }).click();
    const stores = (await ((await answer).json() as Promise<StoreDirectory>)).data;
    await expect.poll(() => listed(page)).toEqual(expectedOrder(stores));
    const fetchedAt = Number(await section.locator('.where-results').getAttribute('data-fetched-at'));
    const voucherPath = new URL(page.url()).pathname;
    // The wallet checks the voucher's status again: that write keeps the list stored with it.
    await page.goto(`${suite.server.url}/`);
    await expect.poll(() => page.locator('.sync-age').textContent()).toMatch(/^Status checked/);

    // A moment after the fetch at which a store's state differs from what the server said then,
    // found from its own hours: shown offline, it must follow the hours, not the stored flag.
    const hours = (s: StoreListing) => ({ hours: s.hours, closedOn: s.closed_on, timeZone: s.time_zone });
    let later: { at: Date; store: StoreListing } | undefined;
    for (let t = fetchedAt + 5 * 60_000; !later && t < fetchedAt + 2 * DAY * 1000; t += 15 * 60_000) {
      const store = stores.find((s) => s.accepting && isOpenAt(hours(s), new Date(t)) !== s.open_now);
      if (store) later = { at: new Date(t), store };
    }
    if (!later) throw new Error('no store changes between open and closed within two days of the fetch');

    await context.setOffline(true);
    await page.clock.setFixedTime(later.at);
    await page.goto(new URL(voucherPath, suite.server.url).href);
    await page.locator('svg.qr').waitFor();
    const results = page.locator('.where-results');
    await results.waitFor();
    expect(await results.getAttribute('data-offline')).toBe('true');
    expect(Number(await results.getAttribute('data-fetched-at'))).toBe(fetchedAt);
    expect((await listed(page)).sort()).toEqual(stores.map((s) => s.id).sort());
    const asOf = results.locator('.where-as-of time');
    expect(await asOf.getAttribute('datetime')).toBe(new Date(fetchedAt).toISOString());
    expect((await asOf.textContent())!).toMatch(/^Stores as of .*\d/);

    for (const store of stores) {
      const item = page.locator(`li.store[data-store-id="${store.id}"]`);
      const open = store.accepting && isOpenAt(hours(store), later.at);
      expect(await item.getAttribute('data-open'), store.id).toBe(String(open));
      expect(await item.locator('.store-hours').textContent(), store.id).toBe(todayText(hoursOn(hours(store), later.at).hours));
    }
    expect(await page.locator(`li.store[data-store-id="${later.store.id}"]`).getAttribute('data-open')).toBe(String(!later.store.open_now));
    // Still open stores first, in the order they were kept.
    const openIds = stores.filter((s) => s.accepting && isOpenAt(hours(s), later.at)).map((s) => s.id);
    expect((await listed(page)).slice(0, openIds.length).sort()).toEqual(openIds.sort());

    await results.locator('.where-results-title').scrollIntoViewIfNeeded();
    expect(await inViewport(results.locator('.where-results-title'))).toBe(true);
    expect(await axeFindings(page)).toEqual([]);
    await context.close();
  });
});
