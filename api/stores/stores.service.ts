/**
 * The store directory (docs/stores.md): where a shopper can pay, for `GET /v1/stores`, the plain
 * `/stores` page, and the operator's commands that describe a store (address, location, hours,
 * brand, closed dates, pause).
 *
 * Listed: the operator's stores (never a test till's) with an address and a location. Nearest
 * first is ordered in SQL on the great-circle distance (the same haversine as core/stores/geo.ts),
 * with a keyset cursor on (distance, id); "open now" is decided per store in its own time zone
 * (core/stores/opening-hours.ts), so that filter is applied while paging through the ordered rows.
 */
import { and, asc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { ListStoresQuery, StoreDirectory, StoreListing } from '../../core/contract/stores.ts';
import { EARTH_RADIUS_M, parseLatLng, type LatLng } from '../../core/stores/geo.ts';
import { hoursOn, intervalProblem, isOpenAt, isTimeZone, parseWeek, type WeekHours } from '../../core/stores/opening-hours.ts';
import { displayTextProblem } from '../../core/text/text-rules.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { stores } from '../db/schema.ts';
import { NotFoundError, ValidationError } from '../errors.ts';

type StoreRow = typeof stores.$inferSelect;

/** How far ahead a store's closed dates are shown. */
const CLOSED_ON_DAYS = 60;

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

export class StoresService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** One page of the directory. */
  async list(q: ListStoresQuery): Promise<StoreDirectory> {
    const near = q.near === undefined ? null : parseLatLng(q.near);
    if (q.near !== undefined && !near)
      throw new ValidationError('near must be "latitude,longitude" in degrees, such as 52.52,13.405', [{ field: 'near', message: 'latitude,longitude in degrees' }]);
    const now = this.clock.now();
    const distance = near ? distanceSql(near) : null;
    const conditions: SQL[] = [isNull(stores.testMerchantId), isNotNull(stores.street), isNotNull(stores.city), isNotNull(stores.latitude), isNotNull(stores.longitude)];
    if (q.currency) conditions.push(eq(stores.currency, q.currency));
    if (q.starting_after) {
      const [after] = await this.db
        .select({ id: stores.id, name: stores.name, distance: distance ?? sql<number>`0` })
        .from(stores)
        .where(and(eq(stores.id, q.starting_after), isNull(stores.testMerchantId)));
      if (!after)
        throw new ValidationError(`starting_after names no listed store ${JSON.stringify(q.starting_after)}`, [{ field: 'starting_after', message: 'not a store of this list' }]);
      conditions.push(distance ? sql`(${distance}, ${stores.id}) > (${after.distance}, ${after.id})` : sql`(${stores.name}, ${stores.id}) > (${after.name}, ${after.id})`);
    }
    const city = q.city === undefined ? null : fold(q.city);
    const wantOpen = q.open_now === undefined ? null : q.open_now === 'true';
    const page: StoreListing[] = [];
    // Filters that only the store's own clock can decide are applied here, batch by batch.
    const batch = Math.max(4 * q.limit, 50);
    let offset = 0;
    for (;;) {
      const rows = await this.db
        .select({ store: stores, distance: distance ?? sql<null>`null` })
        .from(stores)
        .where(and(...conditions))
        .orderBy(...(distance ? [asc(distance), asc(stores.id)] : [asc(stores.name), asc(stores.id)]))
        .limit(batch)
        .offset(offset);
      for (const { store, distance: d } of rows) {
        if (city !== null && fold(store.city ?? '') !== city && fold(store.postalCode ?? '') !== city) continue;
        const listing = this.listing(store, now, d === null ? null : Number(d));
        if (wantOpen !== null && listing.open_now !== wantOpen) continue;
        page.push(listing);
        if (page.length > q.limit) return { object: 'list', data: page.slice(0, q.limit), has_more: true };
      }
      if (rows.length < batch) return { object: 'list', data: page, has_more: false };
      offset += batch;
    }
  }

  /** How a store reads in the directory. */
  listing(s: StoreRow, now: Date, distance: number | null): StoreListing {
    const hours = { hours: s.openingHours, closedOn: s.closedDates, timeZone: s.timeZone };
    const today = hoursOn(hours, now);
    const horizon = new Date(now.getTime() + CLOSED_ON_DAYS * 86_400_000).toISOString().slice(0, 10);
    return {
      object: 'store',
      id: s.id,
      name: s.name,
      brand: s.brand,
      currency: s.currency,
      address: { street: s.street ?? '', postal_code: s.postalCode ?? '', city: s.city ?? '', country: s.country ?? '' },
      location: { latitude: s.latitude ?? 0, longitude: s.longitude ?? 0 },
      time_zone: s.timeZone,
      hours: s.openingHours,
      closed_on: s.closedDates.filter((d) => d >= today.date && d <= horizon).sort(),
      accepting: s.accepting,
      open_now: s.accepting && isOpenAt(hours, now),
      today: { date: today.date, hours: today.hours },
      distance_m: distance === null ? null : Math.round(distance),
    };
  }

  /** `store set-address`: where the store is, on the map, and its brand. */
  async setAddress(id: string, input: { street?: string; postalCode?: string; city?: string; country?: string; latitude?: number; longitude?: number; brand?: string | null }) {
    // `brand: null` takes the brand away; any other absent field stays as it is.
    const set: Partial<StoreRow> = input.brand === null ? { brand: null } : {};
    for (const [field, key] of [
      ['street', 'street'],
      ['postal-code', 'postalCode'],
      ['city', 'city'],
      ['brand', 'brand'],
    ] as const) {
      const value = input[key];
      if (value === undefined || value === null) continue;
      const trimmed = value.trim();
      const problem = trimmed ? displayTextProblem(trimmed) : 'must not be empty';
      if (problem || [...trimmed].length > 100)
        throw new ValidationError(`${field} ${problem ?? 'must be at most 100 characters'}`, [{ field, message: problem ?? 'at most 100 characters' }]);
      set[key] = trimmed;
    }
    if (input.country !== undefined) {
      if (!/^[A-Z]{2}$/.test(input.country))
        throw new ValidationError('country must be an ISO 3166-1 alpha-2 code such as DE', [{ field: 'country', message: 'two capital letters' }]);
      set.country = input.country;
    }
    if ((input.latitude === undefined) !== (input.longitude === undefined))
      throw new ValidationError('give both --lat and --lng', [{ field: input.latitude === undefined ? 'lat' : 'lng', message: 'required with the other' }]);
    if (input.latitude !== undefined && input.longitude !== undefined) {
      if (!(Math.abs(input.latitude) <= 90 && Math.abs(input.longitude) <= 180))
        throw new ValidationError('the location must be latitude −90…90 and longitude −180…180 degrees', [{ field: 'lat', message: 'out of range' }]);
      set.latitude = input.latitude;
      set.longitude = input.longitude;
    }
    if (Object.keys(set).length === 0) throw new ValidationError('give at least one of --street, --postal-code, --city, --country, --lat/--lng, --brand', []);
    return this.update(id, set);
  }

  /** `store set-hours`: the week (`mon-fri 08:00-20:00, sat 09:00-14:00`) and, optionally, its time zone. */
  async setHours(id: string, week: string | undefined, timeZone: string | undefined) {
    const set: Partial<StoreRow> = {};
    if (week !== undefined) {
      let hours: WeekHours;
      try {
        hours = parseWeek(week);
      } catch (err) {
        throw new ValidationError(`hours: ${(err as Error).message}`, [{ field: 'week', message: (err as Error).message }]);
      }
      for (const day of Object.values(hours)) for (const i of day) if (intervalProblem(i)) throw new ValidationError(intervalProblem(i)!, []);
      set.openingHours = hours;
    }
    if (timeZone !== undefined) {
      if (!isTimeZone(timeZone))
        throw new ValidationError(`unknown time zone ${JSON.stringify(timeZone)}: give an IANA zone such as Europe/Berlin`, [{ field: 'time-zone', message: 'an IANA zone' }]);
      set.timeZone = timeZone;
    }
    if (Object.keys(set).length === 0) throw new ValidationError('give --week, --time-zone or both', []);
    return this.update(id, set);
  }

  /** `store close-on` / `store open-on`: a local date the store is closed despite its hours, or no longer. */
  async setClosedOn(id: string, date: string, closed: boolean) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date)
      throw new ValidationError(`date ${JSON.stringify(date)} is not a calendar date YYYY-MM-DD`, [{ field: 'date', message: 'YYYY-MM-DD' }]);
    const store = await this.store(id);
    const dates = new Set(store.closedDates);
    if (closed) dates.add(date);
    else dates.delete(date);
    return this.update(id, { closedDates: [...dates].sort() });
  }

  /** `store pause` / `store resume`: whether the store takes payments at all. */
  setAccepting(id: string, accepting: boolean) {
    return this.update(id, { accepting });
  }

  private async store(id: string): Promise<StoreRow> {
    const [row] = await this.db
      .select()
      .from(stores)
      .where(and(eq(stores.id, id), isNull(stores.testMerchantId)));
    if (!row) throw new NotFoundError('store', id);
    return row;
  }

  private async update(id: string, set: Partial<StoreRow>) {
    const [row] = await this.db
      .update(stores)
      .set(set)
      .where(and(eq(stores.id, id), isNull(stores.testMerchantId)))
      .returning();
    if (!row) throw new NotFoundError('store', id);
    return this.describe(row);
  }

  /** The store as the operator's commands show it: the directory's view, listed or not. */
  describe(row: StoreRow) {
    const listed = row.street !== null && row.city !== null && row.latitude !== null && row.longitude !== null;
    return { ...this.listing(row, this.clock.now(), null), listed };
  }
}

/** Great-circle metres from `p` to a store, in SQL: the haversine of core/stores/geo.ts. */
function distanceSql(p: LatLng): SQL<number> {
  return sql<number>`(${2 * EARTH_RADIUS_M}::float8 * asin(least(1, sqrt(power(sin(radians(${stores.latitude} - ${p.latitude}::float8) / 2), 2) + cos(radians(${p.latitude}::float8)) * cos(radians(${stores.latitude})) * power(sin(radians(${stores.longitude} - ${p.longitude}::float8) / 2), 2)))))`;
}
