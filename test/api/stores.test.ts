/**
 * The store directory (docs/stores.md): `GET /v1/stores` near a point (order and distances against
 * known coordinates), in a city or postal code, open now across midnight and in each store's own
 * time zone, with cursor pages; public and cacheable, and never an internal field. The operator's
 * commands that describe a store, and the plain /stores page. On PGlite and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite } from '../support/harness.ts';
import { runCommand } from '../../api/operator/commands.ts';

/** City centres, and the great-circle distances between them as published (km). */
const PARIS = { lat: 48.8566, lng: 2.3522 };
const LONDON = { lat: 51.5074, lng: -0.1278 };
const BRUSSELS = { lat: 50.8503, lng: 4.3517 };
const PARIS_LONDON_KM = 343.5;
const PARIS_BRUSSELS_KM = 264.0;

interface Listing {
  id: string;
  name: string;
  open_now: boolean;
  accepting: boolean;
  distance_m: number | null;
  today: { date: string; hours: Array<{ opens: string; closes: string }> };
  closed_on: string[];
  [k: string]: unknown;
}

describe.each(drivers)('the store directory on $name', (driver) => {
  const s = harnessPerSuite(driver);
  const cli = async (...argv: string[]) => (await runCommand(s.h.services, argv)).json as Record<string, unknown>;
  const store = async (name: string, at: { lat: number; lng: number }, opts: { city: string; postal: string; currency?: string; week?: string; zone?: string; brand?: string }) => {
    const created = (await cli('store', 'create', '--name', name, '--currency', opts.currency ?? 'EUR')) as { id: string };
    await cli(
      'store',
      'set-address',
      created.id,
      '--street',
      `${name} 1`,
      '--postal-code',
      opts.postal,
      '--city',
      opts.city,
      '--country',
      'FR',
      `--lat=${at.lat}`,
      `--lng=${at.lng}`,
      ...(opts.brand ? ['--brand', opts.brand] : []),
    );
    await cli('store', 'set-hours', created.id, '--week', opts.week ?? 'mon-sun 00:00-24:00', '--time-zone', opts.zone ?? 'Europe/Paris');
    return created.id;
  };
  const list = async (query: string) => {
    const res = await s.h.req('GET', `/v1/stores${query}`, undefined, { key: null });
    expect(res.status, await res.clone().text()).toBe(200);
    return { res, body: (await res.json()) as { object: string; data: Listing[]; has_more: boolean } };
  };
  /** Moves the harness's clock to `iso`. */
  const at = (iso: string) => s.h.clock.advance(Date.parse(iso) - s.h.clock.now().getTime());

  it('lists stores nearest first with their distance, matching the known distances between cities', async () => {
    const paris = await store('Louvre Tabac', PARIS, { city: 'Paris', postal: '75001' });
    const brussels = await store('Grand-Place Presse', BRUSSELS, { city: 'Bruxelles', postal: '1000', zone: 'Europe/Brussels' });
    const london = await store('Trafalgar News', LONDON, { city: 'London', postal: 'WC2N 5DN', zone: 'Europe/London' });
    const { body } = await list(`?near=${PARIS.lat},${PARIS.lng}&currency=EUR&limit=50`);
    expect(body.data.map((x) => x.id)).toEqual([paris, brussels, london]);
    const km = (id: string) => body.data.find((x) => x.id === id)!.distance_m! / 1000;
    expect(km(paris)).toBe(0);
    expect(Math.abs(km(brussels) - PARIS_BRUSSELS_KM) / PARIS_BRUSSELS_KM).toBeLessThan(0.005);
    expect(Math.abs(km(london) - PARIS_LONDON_KM) / PARIS_LONDON_KM).toBeLessThan(0.005);
    // From London the order turns round.
    expect((await list(`?near=${LONDON.lat},${LONDON.lng}&currency=EUR`)).body.data.map((x) => x.id)).toEqual([london, brussels, paris]); // Brussels is nearer London (320 km) than Paris is
    // Without near: by name, and no distance.
    const byName = (await list('?currency=EUR&limit=50')).body.data;
    expect(byName.map((x) => x.name)).toEqual([...byName.map((x) => x.name)].sort());
    expect(byName.every((x) => x.distance_m === null)).toBe(true);
  });

  it('pages with starting_after in the same order, without a gap or a repeat', async () => {
    const all = (await list(`?near=${PARIS.lat},${PARIS.lng}&limit=50`)).body.data.map((x) => x.id);
    const paged: string[] = [];
    let after = '';
    for (;;) {
      const { body } = await list(`?near=${PARIS.lat},${PARIS.lng}&limit=1${after ? `&starting_after=${after}` : ''}`);
      paged.push(...body.data.map((x) => x.id));
      if (!body.has_more) break;
      after = body.data.at(-1)!.id;
    }
    expect(paged).toEqual(all);
  });

  it('finds stores by city or postal code, ignoring case and accents, and by currency', async () => {
    const zurich = await store('Zürich Kiosk', { lat: 47.3769, lng: 8.5417 }, { city: 'Zürich', postal: '8001', currency: 'CHF', zone: 'Europe/Zurich' });
    expect((await list('?city=zurich')).body.data.map((x) => x.id)).toEqual([zurich]);
    expect((await list('?city=8001')).body.data.map((x) => x.id)).toEqual([zurich]);
    expect((await list('?city=ZÜRICH&currency=EUR')).body.data).toEqual([]);
    expect((await list('?currency=CHF')).body.data.map((x) => x.id)).toEqual([zurich]);
  });

  it('is open across midnight: a 22:00–02:00 store is open at 01:30 the next day and closed at 02:30, in its own time zone', async () => {
    const night = await store('Nuit Blanche', { lat: 48.86, lng: 2.35 }, { city: 'Nuits', postal: '75004', week: 'mon 22:00-02:00' });
    const openNow = async () => (await list('?city=nuits')).body.data[0]!;
    // Monday 2026-11-30 in Paris is UTC+1.
    at('2026-11-30T20:59:00Z'); // Monday 21:59
    expect((await openNow()).open_now).toBe(false);
    at('2026-11-30T21:00:00Z'); // Monday 22:00
    expect((await openNow()).open_now).toBe(true);
    at('2026-12-01T00:30:00Z'); // Tuesday 01:30
    const tuesday = await openNow();
    expect(tuesday).toMatchObject({ id: night, open_now: true, today: { date: '2026-12-01', hours: [] } });
    at('2026-12-01T01:30:00Z'); // Tuesday 02:30
    expect((await openNow()).open_now).toBe(false);
    // A closed Monday closes its night too.
    await cli('store', 'close-on', night, '--date', '2026-11-30');
    at('2026-12-01T00:30:00Z');
    expect((await openNow()).open_now).toBe(false);
    await cli('store', 'open-on', night, '--date', '2026-11-30');
    expect((await openNow()).open_now).toBe(true);
  });

  it('decides open now in each store’s time zone, filters on it, and shows a paused store as not taking payments', async () => {
    const ny = await store(
      'Times Square Deli',
      { lat: 40.758, lng: -73.9855 },
      { city: 'Zoneville', postal: '10036', currency: 'USD', week: 'mon-sun 09:00-17:00', zone: 'America/New_York' },
    );
    const tokyo = await store(
      'Shibuya Konbini',
      { lat: 35.6595, lng: 139.7005 },
      { city: 'Zoneville', postal: '150-0043', currency: 'USD', week: 'mon-sun 09:00-17:00', zone: 'Asia/Tokyo' },
    );
    at('2026-12-02T15:00:00Z'); // 10:00 in New York, 00:00 in Tokyo
    const open = (await list('?city=zoneville&open_now=true')).body.data.map((x) => x.id);
    const closed = (await list('?city=zoneville&open_now=false')).body.data.map((x) => x.id);
    expect(open).toEqual([ny]);
    expect(closed).toEqual([tokyo]);
    const { body } = await list('?city=zoneville');
    expect(body.data.find((x) => x.id === tokyo)!.today).toEqual({ date: '2026-12-03', hours: [{ opens: '09:00', closes: '17:00' }] });
    await cli('store', 'pause', ny);
    expect((await list('?city=zoneville')).body.data.find((x) => x.id === ny)).toMatchObject({ accepting: false, open_now: false });
    expect((await list('?city=zoneville&open_now=true')).body.data).toEqual([]);
    await cli('store', 'resume', ny);
    expect((await list('?city=zoneville&open_now=true')).body.data.map((x) => x.id)).toEqual([ny]);
  });

  it('is public and cacheable and shows no internal field; a store without an address or a test till’s store is not listed', async () => {
    const { res, body } = await list('?limit=50');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    for (const listing of body.data) {
      expect(Object.keys(listing).sort()).toEqual(
        ['accepting', 'address', 'brand', 'closed_on', 'currency', 'distance_m', 'hours', 'id', 'location', 'name', 'object', 'open_now', 'time_zone', 'today'].sort(),
      );
      expect(JSON.stringify(listing)).not.toMatch(/commission|max_|payout|till|device|test/i);
    }
    const bare = (await cli('store', 'create', '--name', 'No Address Yet')) as { id: string };
    expect(body.data.map((x) => x.id)).not.toContain(bare.id);
    expect((await list('?limit=50')).body.data.map((x) => x.id)).not.toContain(bare.id);
  });

  it('answers a bad query with a precise problem', async () => {
    for (const [query, field] of [
      ['?near=north', 'near'],
      ['?near=91,0', 'near'],
      ['?limit=0', 'limit'],
      ['?limit=51', 'limit'],
      ['?open_now=maybe', 'open_now'],
      ['?starting_after=sto_nothing', 'starting_after'],
      ['?currency=euro', 'currency'],
      ['?color=red', 'color'],
    ]) {
      const res = await s.h.req('GET', `/v1/stores${query}`, undefined, { key: null });
      expect(res.status, query).toBe(400);
      const problem = (await res.json()) as { type: string; errors?: Array<{ field: string }> };
      expect(problem.type, query).toMatch(/#validation-failed$/);
      expect(problem.errors?.map((e) => e.field).join(' ') ?? '', query).toContain(field === 'color' ? '' : field);
    }
  });

  it('refuses bad store details from the operator, changing nothing', async () => {
    const id = (await cli('store', 'create', '--name', 'Strict Store')) as { id: string };
    await expect(cli('store', 'set-hours', id.id, '--week', 'mon 25:00-26:00')).rejects.toThrow(/not HH:MM/);
    await expect(cli('store', 'set-hours', id.id, '--week', 'fri-mon 08:00-10:00')).rejects.toThrow(/backwards/);
    await expect(cli('store', 'set-hours', id.id, '--time-zone', 'Mars/Olympus')).rejects.toThrow(/unknown time zone/);
    await expect(cli('store', 'set-address', id.id, '--lat', '52.5')).rejects.toThrow(/both --lat and --lng/);
    await expect(cli('store', 'set-address', id.id, '--country', 'Germany')).rejects.toThrow(/ISO 3166-1/);
    await expect(cli('store', 'close-on', id.id, '--date', '2026-02-30')).rejects.toThrow(/calendar date/);
    await expect(cli('store', 'pause', 'sto_nothing')).rejects.toThrow(/no store "sto_nothing"/);
  });

  it('shows the same list as a plain page at /stores, escaped', async () => {
    await store('Café <b>Bold</b>', { lat: 48.87, lng: 2.36 }, { city: 'Pagetown', postal: '75010' });
    const res = await s.h.req('GET', '/stores?city=pagetown&currency=EUR', undefined, { key: null });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Where to pay in EUR in pagetown</h1>');
    expect(html).toContain('Café &lt;b&gt;Bold&lt;/b&gt;');
    expect(html).not.toContain('<b>Bold</b>');
    expect((await s.h.req('GET', '/stores?currency=euro', undefined, { key: null })).status).toBe(400);
    // Its one inline stylesheet is allowed by the CSP, by its hash, and nothing else inline is.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = `'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`;
    expect(res.headers.get('content-security-policy')).toMatch(new RegExp(`style-src [^;]*${hash.replace(/[+/=]/g, (c) => `\\${c}`)}`));
    expect(html).not.toMatch(/<script|style="/);
  });
});
