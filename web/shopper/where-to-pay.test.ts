import { describe, expect, it } from 'vitest';
import type { StoreListing } from '../../core/contract/stores.ts';
import type { HttpResult } from '../app/http.ts';
import type { StoreDirectory } from '../../core/contract/stores.ts';
import { TEST_NOW } from './testing.ts';
import {
  addressLine,
  allStoresHref,
  cityQuery,
  formatDistance,
  formatHours,
  geoHref,
  lookUpStores,
  mapSearchHref,
  nearQuery,
  readStoredStores,
  storesAt,
  storesPath,
  type LookupDeps,
  type StoredStores,
} from './where-to-pay.ts';

const DAY = { opens: '07:00', closes: '22:00' };
/** A Berlin store, Monday to Saturday 07:00–22:00, closed on Sunday, as the directory lists it on TEST_NOW (a Thursday, 13:00 in Berlin). */
function listing(overrides: Partial<StoreListing> = {}): StoreListing {
  return {
    object: 'store',
    id: 'sto_mitte',
    name: 'Späti Mitte',
    brand: 'Counterpay Partner',
    currency: 'EUR',
    address: { street: 'Torstraße 1', postal_code: '10119', city: 'Berlin', country: 'DE' },
    location: { latitude: 52.5291, longitude: 13.4013 },
    time_zone: 'Europe/Berlin',
    hours: { mon: [DAY], tue: [DAY], wed: [DAY], thu: [DAY], fri: [DAY], sat: [DAY], sun: [] },
    closed_on: [],
    accepting: true,
    open_now: true,
    today: { date: '2026-11-26', hours: [DAY] },
    distance_m: 350,
    ...overrides,
  };
}

const at = (iso: string) => new Date(iso);
const list = (stores: StoreListing[], fetchedAt = TEST_NOW): StoredStores => ({ fetchedAt, city: null, stores });

describe('the stores query', () => {
  it('asks for the voucher’s currency, ten stores, near a point rounded to three decimals', () => {
    const path = storesPath('EUR', { by: 'location', near: { latitude: 52.520_849, longitude: 13.409_419 } });
    const url = new URL(path, 'http://127.0.0.1');
    expect(url.pathname).toBe('/v1/stores');
    expect(Object.fromEntries(url.searchParams)).toEqual({ currency: 'EUR', near: '52.521,13.409', limit: '10' });
    expect(nearQuery({ latitude: -33.9, longitude: 151 })).toBe('-33.900,151.000');
  });

  it('asks by city or postal code as typed, tidied; nothing to look for is no query', () => {
    expect(new URL(storesPath('EUR', { by: 'city', city: 'Frankfurt am Main' }), 'http://x').searchParams.get('city')).toBe('Frankfurt am Main');
    expect(cityQuery('  10115 ')).toBe('10115');
    expect(cityQuery(' Frankfurt \n am   Main')).toBe('Frankfurt am Main');
    expect(cityQuery('   ')).toBeNull();
    expect(cityQuery('B'.repeat(150))).toHaveLength(100);
  });
});

describe('a stored list read back', () => {
  it('keeps the listings it can read in the voucher’s currency and leaves out the rest', () => {
    const good = listing();
    const read = readStoredStores(
      { fetchedAt: TEST_NOW.getTime(), city: 'Berlin', listings: [good, { ...good, id: 'sto_x', open_now: 'yes' }, listing({ id: 'sto_pln', currency: 'PLN' })] },
      'EUR',
    );
    expect(read).toEqual({ fetchedAt: TEST_NOW, city: 'Berlin', stores: [good] });
    expect(readStoredStores(null, 'EUR')).toBeNull();
  });
});

describe('the list as it reads now', () => {
  const near = listing({ id: 'sto_near', distance_m: 200, open_now: false });
  const far = listing({ id: 'sto_far', distance_m: 2_400 });
  const nearer = listing({ id: 'sto_nearer', distance_m: 900 });

  it('puts open stores first, each group nearest first, on the server’s word while the list is fresh', () => {
    const shown = storesAt(list([far, near, nearer]), new Date(TEST_NOW.getTime() + 30_000));
    expect(shown.map((s) => [s.store.id, s.open])).toEqual([
      ['sto_nearer', true],
      ['sto_far', true],
      ['sto_near', false],
    ]);
    expect(shown[0]!.today).toEqual([DAY]);
  });

  it('keeps the server’s order where no distance is known (a list by city)', () => {
    const a = listing({ id: 'sto_a', distance_m: null });
    const b = listing({ id: 'sto_b', distance_m: null });
    expect(storesAt(list([b, a]), TEST_NOW).map((s) => s.store.id)).toEqual(['sto_b', 'sto_a']);
  });

  it('works out “open now” and today’s hours again from the stored hours once the list is old (offline)', () => {
    const stored = list([listing()]);
    // Thursday 21:59 and 22:00 in Berlin (UTC+1 in November).
    expect(storesAt(stored, at('2026-11-26T20:59:00Z'))[0]!.open).toBe(true);
    expect(storesAt(stored, at('2026-11-26T21:00:00Z'))[0]!.open).toBe(false);
    // Sunday: closed all day, though the server said open on Thursday.
    const sunday = storesAt(stored, at('2026-11-29T11:00:00Z'))[0]!;
    expect(sunday).toMatchObject({ open: false, today: [] });
    // Friday: that day's own hours.
    expect(storesAt(list([listing({ hours: { ...listing().hours, fri: [{ opens: '09:00', closes: '14:00' }] } })]), at('2026-11-27T10:00:00Z'))[0]!.today).toEqual([
      { opens: '09:00', closes: '14:00' },
    ]);
  });

  it('reads a stored closed date and a paused store as closed, whatever the stored flag says', () => {
    const friday = at('2026-11-27T10:00:00Z');
    expect(storesAt(list([listing({ closed_on: ['2026-11-27'] })]), friday)[0]).toMatchObject({ open: false, today: [] });
    expect(storesAt(list([listing({ accepting: false })]), friday)[0]!.open).toBe(false);
  });

  it('keeps the server’s today when it is still the same day in the store’s time zone', () => {
    const special = [{ opens: '10:00', closes: '12:00' }];
    expect(storesAt(list([listing({ today: { date: '2026-11-26', hours: special } })]), at('2026-11-26T15:00:00Z'))[0]!.today).toEqual(special);
  });
});

describe('how a store is written', () => {
  it('gives distances in metres under a kilometre and in kilometres above, in the app’s language', () => {
    expect(formatDistance(347, 'en')).toBe('350 m');
    expect(formatDistance(3, 'en')).toBe('10 m');
    expect(formatDistance(994, 'en')).toBe('990 m');
    expect(formatDistance(995, 'en')).toBe('1 km');
    expect(formatDistance(2_420, 'en-GB')).toBe('2.4 km');
    expect(formatDistance(12_345, 'en')).toBe('12 km');
    expect(formatDistance(347, 'zh-CN')).toBe('350米');
    expect(formatDistance(2_420, 'zh-CN')).toBe('2.4公里');
  });

  it('writes today’s hours on the clock of the app’s language, several intervals and a closing at midnight too', () => {
    expect(formatHours([DAY], 'en-GB')).toBe('07:00–22:00');
    expect(formatHours([DAY], 'zh-CN')).toBe('07:00–22:00');
    expect(formatHours([DAY], 'en-US')).toMatch(/^7:00\sAM–10:00\sPM$/);
    expect(
      formatHours(
        [
          { opens: '08:00', closes: '13:00' },
          { opens: '15:00', closes: '24:00' },
        ],
        'en-GB',
      ),
    ).toBe('08:00–13:00, 15:00–24:00');
    expect(formatHours([], 'en-GB')).toBe('');
  });

  it('links to the maps app with a geo: URI whose label cannot break it, and to the address on OpenStreetMap', () => {
    expect(geoHref(listing())).toBe('geo:52.5291,13.4013?q=52.5291,13.4013(Sp%C3%A4ti%20Mitte)');
    expect(geoHref(listing({ name: 'Kiosk (Nord) & Co' }))).toBe('geo:52.5291,13.4013?q=52.5291,13.4013(Kiosk%20%28Nord%29%20%26%20Co)');
    expect(addressLine(listing())).toBe('Torstraße 1, 10119 Berlin');
    expect(mapSearchHref(listing())).toBe('https://www.openstreetmap.org/search?query=Torstra%C3%9Fe%201%2C%2010119%20Berlin%2C%20DE');
    expect(allStoresHref('EUR')).toBe('/stores?currency=EUR');
  });
});

describe('looking stores up', () => {
  const directory = (data: StoreListing[]): HttpResult<StoreDirectory> => ({ ok: true, data: { object: 'list', data, has_more: false } });

  function deps(overrides: Partial<LookupDeps> = {}) {
    const calls = { located: 0, paths: [] as string[] };
    const d: LookupDeps = {
      online: () => true,
      canLocate: () => true,
      locate: async () => {
        calls.located++;
        return { ok: true, point: { latitude: 52.52, longitude: 13.405 } };
      },
      fetchStores: async (path) => {
        calls.paths.push(path);
        return directory([listing()]);
      },
      now: () => TEST_NOW.getTime(),
      ...overrides,
    };
    return { d, calls };
  }

  it('by location: asks for the position, then the stores near it, and keeps the list without the position', async () => {
    const { d, calls } = deps();
    const outcome = await lookUpStores('EUR', { by: 'location' }, d);
    expect(outcome).toEqual({ ok: true, stores: { fetchedAt: TEST_NOW.getTime(), city: null, listings: [listing()] } });
    expect(calls.located).toBe(1);
    expect(calls.paths).toEqual(['/v1/stores?currency=EUR&near=52.520%2C13.405&limit=10']);
  });

  it('by city: keeps what was typed with the list', async () => {
    const { d, calls } = deps();
    expect(await lookUpStores('EUR', { by: 'city', text: ' 10115 ' }, d)).toMatchObject({ ok: true, stores: { city: '10115' } });
    expect(calls.located).toBe(0);
    expect(await lookUpStores('EUR', { by: 'city', text: '  ' }, d)).toEqual({ ok: false, failure: 'no_city' });
  });

  it('offline, says so without asking for the position', async () => {
    const { d, calls } = deps({ online: () => false });
    expect(await lookUpStores('EUR', { by: 'location' }, d)).toEqual({ ok: false, failure: 'offline' });
    expect(await lookUpStores('EUR', { by: 'city', text: 'Berlin' }, d)).toEqual({ ok: false, failure: 'offline' });
    expect(calls).toEqual({ located: 0, paths: [] });
  });

  it('names each failure of the position: no geolocation, refused, not found or not in time', async () => {
    expect(await lookUpStores('EUR', { by: 'location' }, deps({ canLocate: () => false }).d)).toEqual({ ok: false, failure: 'unsupported' });
    for (const [code, failure] of [
      [1, 'denied'],
      [2, 'unavailable'],
      [3, 'unavailable'],
    ] as const) {
      const { d, calls } = deps({ locate: async () => ({ ok: false, code }) });
      expect(await lookUpStores('EUR', { by: 'location' }, d)).toEqual({ ok: false, failure });
      expect(calls.paths).toEqual([]);
    }
  });

  it('tells no answer from an error from an empty list, and leaves out stores in another currency', async () => {
    const failing = (result: HttpResult<StoreDirectory>) => deps({ fetchStores: async () => result }).d;
    expect(await lookUpStores('EUR', { by: 'city', text: 'Berlin' }, failing({ ok: false, reason: 'network' }))).toEqual({ ok: false, failure: 'offline' });
    expect(await lookUpStores('EUR', { by: 'city', text: 'Berlin' }, failing({ ok: false, reason: 'status', status: 500, problem: null, detail: '' }))).toEqual({
      ok: false,
      failure: 'failed',
    });
    expect(await lookUpStores('EUR', { by: 'city', text: 'Berlin' }, failing({ ok: false, reason: 'bad_answer', detail: '' }))).toEqual({ ok: false, failure: 'failed' });
    expect(await lookUpStores('EUR', { by: 'city', text: 'Atlantis' }, failing(directory([])))).toEqual({ ok: false, failure: 'none' });
    expect(await lookUpStores('EUR', { by: 'city', text: 'Berlin' }, failing(directory([listing({ currency: 'PLN' })])))).toEqual({ ok: false, failure: 'none' });
  });
});
