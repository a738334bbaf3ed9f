/** `GET /v1/stores` (the public directory, core/contract/stores.ts) and `/stores`, the same list as a plain page. */
import { ListStoresQuery, StoreDirectory, type StoreListing } from '../../core/contract/stores.ts';
import { WEEKDAYS } from '../../core/stores/opening-hours.ts';
import { escapeHtml as esc, PLAIN_PAGE_STYLE } from '../http/html.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import { ValidationError } from '../errors.ts';
import type { StoresService } from './stores.service.ts';

export const listStores = defineRoute(
  { guard: 'none' },
  {
    method: 'get',
    path: '/v1/stores',
    tags: ['Stores'],
    summary: 'Where to pay: stores that take a currency, nearest first or in a city',
    description:
      'Public and cacheable (one minute). Stores with an address and a location, nearest first with `near`, else by name; `open_now` is decided in each store’s own time zone. Never shows what the operator keeps (limits, commission, tills).',
    request: { query: openApiObject(ListStoresQuery) },
    responses: { 200: { description: 'A page of stores.', content: json(StoreDirectory) }, 400: problem('The query is invalid; `errors` names each offending field.') },
  },
);

export function storesResource(deps: { stores: StoresService }, guards: Guards) {
  return new Resource(guards).add(listStores, async (c) => {
    const page = await deps.stores.list(c.req.valid('query'));
    c.header('cache-control', 'public, max-age=60');
    return c.json(page, 200);
  });
}

const hours = (intervals: StoreListing['today']['hours']) => (intervals.length === 0 ? 'closed' : intervals.map((i) => `${i.opens}–${i.closes}`).join(', '));

/** `/stores?currency=EUR&city=…`: the directory as a plain page (linked from the voucher e-mail and page), no script. */
export async function storesPage(service: StoresService, query: Record<string, string>): Promise<{ status: 200 | 400; html: string }> {
  const parsed = ListStoresQuery.safeParse({ limit: '50', ...Object.fromEntries(Object.entries(query).filter(([k]) => ['currency', 'city', 'open_now'].includes(k))) });
  const head = (title: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${PLAIN_PAGE_STYLE}</style></head><body>`;
  if (!parsed.success) {
    return {
      status: 400,
      html: `${head('Stores')}<main><h1>Stores</h1><p>${esc(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))}</p></main></body></html>`,
    };
  }
  let page: Awaited<ReturnType<StoresService['list']>>;
  try {
    page = await service.list(parsed.data);
  } catch (err) {
    if (err instanceof ValidationError) return { status: 400, html: `${head('Stores')}<main><h1>Stores</h1><p>${esc(err.message)}</p></main></body></html>` };
    throw err;
  }
  const title = `Where to pay${parsed.data.currency ? ` in ${parsed.data.currency}` : ''}${parsed.data.city ? ` in ${parsed.data.city}` : ''}`;
  const items = page.data
    .map((s) => {
      const address = `${s.address.street}, ${s.address.postal_code} ${s.address.city}`;
      const week = WEEKDAYS.map((d) => `${d[0]!.toUpperCase()}${d.slice(1)} ${hours(s.hours[d])}`).join(' · ');
      return `<li><strong>${esc(s.name)}</strong>${s.brand ? ` <small>${esc(s.brand)}</small>` : ''}<br>${esc(address)}<br>Today: ${esc(hours(s.today.hours))}${s.accepting ? '' : ' (not taking payments now)'}<br><small>${esc(week)}</small><br><a href="https://www.openstreetmap.org/search?query=${encodeURIComponent(`${address}, ${s.address.country}`)}">Map</a></li>`;
    })
    .join('');
  return {
    status: 200,
    html: `${head(title)}<main><h1>${esc(title)}</h1>${page.data.length ? `<ol>${items}</ol>` : '<p>No store found.</p>'}${page.has_more ? '<p>More stores: narrow the list with a city or postal code (<code>?city=</code>).</p>' : ''}</main></body></html>`,
  };
}
