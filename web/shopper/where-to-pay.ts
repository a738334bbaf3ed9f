/**
 * "Where to pay" under a voucher (WhereToPay.svelte): the stores that take the voucher's currency,
 * open ones first and the nearest first, as `GET /v1/stores` lists them (core/contract/stores.ts).
 * The list is kept with the voucher (web/offline/records.ts `stores`) so it shows offline too;
 * then "open now" and today's hours are worked out again from the stored hours
 * (core/stores/opening-hours.ts), since the flag the server sent is only true when it was sent.
 *
 * The phone's position is asked only when the shopper taps "Use my location" and leaves the phone
 * only as the `near` query, rounded to three decimals (about 100 m): enough to sort stores by distance.
 */
import { StoreListing, type StoreDirectory } from '../../core/contract/stores.ts';
import { hoursOn, isOpenAt, type Interval } from '../../core/stores/opening-hours.ts';
import type { HttpResult } from '../app/http.ts';
import type { StoresRecord } from '../offline/records.ts';

/** How many stores the list shows. */
export const STORES_SHOWN = 10;
/** The server's own `open_now` holds for this long after the list was fetched; later, the stored hours say. */
export const FRESH_MS = 60_000;
/** The longest city or postal code the API takes (core/contract/stores.ts ListStoresQuery). */
export const CITY_MAX_CHARS = 100;

export interface LatLng {
  latitude: number;
  longitude: number;
}

/** How the shopper asked: by the phone's position, or by a city or postal code they typed. */
export type StoreSearch = { by: 'location'; near: LatLng } | { by: 'city'; city: string };

/** What the shopper can act on when no list came back. */
export type LookupFailure =
  /** The browser has no geolocation. */
  | 'unsupported'
  /** The shopper (or the browser's settings) refused the position. */
  | 'denied'
  /** The phone could not find its position (no fix, or not in time). */
  | 'unavailable'
  /** No network: nothing can be looked up. */
  | 'offline'
  /** The server answered with an error, or with something this version cannot read. */
  | 'failed'
  /** The server found no store for the search. */
  | 'none'
  /** The city field is empty. */
  | 'no_city';

/** A city or postal code as typed, tidied for the query: null when there is nothing to look for. */
export function cityQuery(text: string): string | null {
  const city = text.replace(/\s+/g, ' ').trim().slice(0, CITY_MAX_CHARS);
  return city === '' ? null : city;
}

/** `lat,lng`, rounded to three decimals (about 110 m north–south): what leaves the phone. */
export function nearQuery(point: LatLng): string {
  const round = (n: number) => (Math.round(n * 1000) / 1000).toFixed(3);
  return `${round(point.latitude)},${round(point.longitude)}`;
}

/** The `GET /v1/stores` path for a voucher's currency and a search. */
export function storesPath(currency: string, search: StoreSearch): string {
  const query = new URLSearchParams({ currency });
  if (search.by === 'location') query.set('near', nearQuery(search.near));
  else query.set('city', search.city);
  query.set('limit', String(STORES_SHOWN));
  return `/v1/stores?${query}`;
}

export interface StoredStores {
  fetchedAt: Date;
  /** The city or postal code the list is for; null: near the phone. */
  city: string | null;
  stores: StoreListing[];
}

/**
 * A stored list as this version reads it: each listing parsed with the contract's schema, one it
 * cannot read (a newer app's) left out, as are stores in another currency. Null when none is stored.
 */
export function readStoredStores(record: StoresRecord | null, currency: string): StoredStores | null {
  if (!record) return null;
  const stores: StoreListing[] = [];
  for (const listing of record.listings) {
    const parsed = StoreListing.safeParse(listing);
    if (parsed.success && parsed.data.currency === currency) stores.push(parsed.data);
  }
  return { fetchedAt: new Date(record.fetchedAt), city: record.city, stores };
}

export interface ShownStore {
  store: StoreListing;
  /** Taking payments at the moment shown. */
  open: boolean;
  /** Today's intervals in the store's own time zone; empty when it is closed all day. */
  today: Interval[];
}

/**
 * The list as it reads at `now`: open stores first, then the rest, each group nearest first (the
 * server's order where no distance is known). Within {@link FRESH_MS} of the fetch the server's
 * `open_now` and `today` stand; later (offline, or a list kept from an earlier visit) both are
 * worked out from the stored hours, closed dates and `accepting`.
 */
export function storesAt(list: StoredStores, now: Date): ShownStore[] {
  const fresh = now.getTime() - list.fetchedAt.getTime() < FRESH_MS;
  const shown = list.stores.map((store, index) => {
    const hours = { hours: store.hours, closedOn: store.closed_on, timeZone: store.time_zone };
    let open = store.open_now;
    let today = store.today.hours;
    if (!fresh) {
      try {
        open = store.accepting && isOpenAt(hours, now);
        const day = hoursOn(hours, now);
        if (day.date !== store.today.date) today = day.hours;
      } catch {
        // A time zone this browser does not know: keep what the server said.
      }
    }
    return { store, open, today, index };
  });
  const distance = (s: { store: StoreListing }) => s.store.distance_m ?? Number.POSITIVE_INFINITY;
  shown.sort((a, b) => Number(b.open) - Number(a.open) || distance(a) - distance(b) || a.index - b.index);
  return shown.map(({ index: _, ...s }) => s);
}

/** "350 m", "2.4 km", "12 km" (zh: "350米", "2.4公里"), in the app's language. */
export function formatDistance(meters: number, tag: string): string {
  const unit = (value: number, unit: 'meter' | 'kilometer', digits: number) =>
    new Intl.NumberFormat(tag, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  if (meters < 995) return unit(Math.max(10, Math.round(meters / 10) * 10), 'meter', 0);
  if (meters < 9_950) return unit(Math.round(meters / 100) / 10, 'kilometer', 1);
  return unit(Math.round(meters / 1000), 'kilometer', 0);
}

/**
 * An `HH:MM` of the store's own day on the clock of the app's language ("07:00" in en-GB and zh,
 * "7:00 AM" in en-US), as the app writes any time (web/app/i18n.svelte.ts `time`); `24:00` stays as it is.
 */
export function formatClock(time: string, tag: string): string {
  const m = /^(\d\d):(\d\d)$/.exec(time);
  if (!m || time === '24:00') return time;
  return new Intl.DateTimeFormat(tag, { timeStyle: 'short', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2])));
}

/** "07:00–13:00, 15:00–20:00"; empty for none. */
export function formatHours(intervals: readonly Interval[], tag: string): string {
  return intervals.map((i) => `${formatClock(i.opens, tag)}–${formatClock(i.closes, tag)}`).join(', ');
}

/** "Torstraße 1, 10119 Berlin": the street, then the postal code and the city. */
export function addressLine(store: Pick<StoreListing, 'address'>): string {
  const { street, postal_code, city } = store.address;
  return [street, [postal_code, city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/**
 * The store in the phone's maps app (RFC 5870 `geo:` with Android's `q=` label, which names the
 * pin). The label is percent-encoded, parentheses included, so a name cannot end it early.
 */
export function geoHref(store: Pick<StoreListing, 'location' | 'name'>): string {
  const { latitude, longitude } = store.location;
  const label = encodeURIComponent(store.name).replace(/\(/g, '%28').replace(/\)/g, '%29');
  return `geo:${latitude},${longitude}?q=${latitude},${longitude}(${label})`;
}

/** The address on OpenStreetMap's search, for platforms that do not open `geo:` links. */
export function mapSearchHref(store: Pick<StoreListing, 'address'>): string {
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(`${addressLine(store)}, ${store.address.country}`)}`;
}

/** The server's page of every store that takes the currency. */
export function allStoresHref(currency: string): string {
  return `/stores?currency=${encodeURIComponent(currency)}`;
}

/** A failed position request (GeolocationPositionError.code: 1 denied, 2 unavailable, 3 timeout). */
export function positionFailure(code: number): LookupFailure {
  return code === 1 ? 'denied' : 'unavailable';
}

export type Located = { ok: true; point: LatLng } | { ok: false; code: number };

export interface LookupDeps {
  online(): boolean;
  /** Whether the browser can give a position at all. */
  canLocate(): boolean;
  /** The phone's position: asked only from here, and here only from the shopper's tap. */
  locate(): Promise<Located>;
  fetchStores(path: string): Promise<HttpResult<StoreDirectory>>;
  now(): number;
}

export type LookupOutcome = { ok: true; stores: StoresRecord } | { ok: false; failure: LookupFailure };

/**
 * Looks stores up for a voucher's currency, by the phone's position or by a city: the record to
 * keep with the voucher, or why there is none. Offline, the position is not even asked for.
 */
export async function lookUpStores(currency: string, how: { by: 'location' } | { by: 'city'; text: string }, deps: LookupDeps): Promise<LookupOutcome> {
  let search: StoreSearch;
  if (how.by === 'city') {
    const city = cityQuery(how.text);
    if (!city) return { ok: false, failure: 'no_city' };
    if (!deps.online()) return { ok: false, failure: 'offline' };
    search = { by: 'city', city };
  } else {
    if (!deps.canLocate()) return { ok: false, failure: 'unsupported' };
    if (!deps.online()) return { ok: false, failure: 'offline' };
    const located = await deps.locate();
    if (!located.ok) return { ok: false, failure: positionFailure(located.code) };
    search = { by: 'location', near: located.point };
  }
  const answer = await deps.fetchStores(storesPath(currency, search));
  if (!answer.ok) return { ok: false, failure: answer.reason === 'network' ? 'offline' : 'failed' };
  const listings = answer.data.data.filter((s) => s.currency === currency);
  if (listings.length === 0) return { ok: false, failure: 'none' };
  return { ok: true, stores: { fetchedAt: deps.now(), city: search.by === 'city' ? search.city : null, listings } };
}

/** The browser's position as {@link LookupDeps.locate} wants it: a coarse fix, a recent one is fine. */
export function browserLocate(geolocation: Geolocation): Promise<Located> {
  return new Promise((resolve) => {
    geolocation.getCurrentPosition(
      (p) => resolve({ ok: true, point: { latitude: p.coords.latitude, longitude: p.coords.longitude } }),
      (e) => resolve({ ok: false, code: e.code }),
      { enableHighAccuracy: false, timeout: 20_000, maximumAge: 5 * 60_000 },
    );
  });
}
