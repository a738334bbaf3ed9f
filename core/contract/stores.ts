/**
 * The store directory (`GET /v1/stores`): where a shopper can pay. Public and cacheable; it shows
 * what a shopper needs (address, location, hours, whether the store takes payments now) and never
 * what the operator keeps (limits, commission, tills). docs/stores.md.
 */
import * as z from 'zod/mini';
import { WEEKDAYS } from '../stores/opening-hours.ts';
import { CurrencyCode, listOf } from './common.ts';
import { described, documented } from './docs.ts';

export const Interval = documented(
  z.object({
    opens: described(z.string(), 'Opening time, HH:MM in the store’s time zone.', '08:00'),
    closes: described(z.string(), 'Closing time, HH:MM; not after `opens` means past midnight (22:00–02:00).', '20:00'),
  }),
  { id: 'OpeningInterval' },
);

const hoursShape = Object.fromEntries(WEEKDAYS.map((d) => [d, described(z.array(Interval), `${d}: the intervals the store is open; empty when closed all day.`)])) as Record<
  (typeof WEEKDAYS)[number],
  z.ZodMiniArray<typeof Interval>
>;

export const StoreListing = documented(
  z.object({
    object: described(z.literal('store'), 'Always `store`.'),
    id: described(z.string(), "The store's id.", 'sto_demo'),
    name: described(z.string(), "The store's name."),
    brand: z.nullable(described(z.string(), 'The chain or brand the store belongs to; null for an independent store.')),
    currency: described(CurrencyCode, 'The currency its tills take.'),
    address: described(
      z.object({
        street: described(z.string(), 'Street and number.'),
        postal_code: described(z.string(), 'Postal code.'),
        city: described(z.string(), 'City.'),
        country: described(z.string(), 'ISO 3166-1 alpha-2 country code.', 'DE'),
      }),
      'Where the store is.',
    ),
    location: described(
      z.object({ latitude: described(z.number(), 'Degrees north (WGS 84).'), longitude: described(z.number(), 'Degrees east (WGS 84).') }),
      'The store on a map.',
    ),
    time_zone: described(z.string(), 'The IANA time zone its hours are in.', 'Europe/Berlin'),
    hours: described(z.object(hoursShape), 'Opening hours per weekday.'),
    closed_on: described(z.array(z.string()), 'Dates (YYYY-MM-DD, the store’s own) in the next 60 days it is closed despite its hours.'),
    accepting: described(z.boolean(), 'false while the operator has paused the store: it takes no payments, whatever its hours.'),
    open_now: described(z.boolean(), 'Whether it takes payments right now: accepting, within its hours, not a closed date.'),
    today: described(
      z.object({ date: described(z.string(), 'Today in the store’s time zone.'), hours: described(z.array(Interval), 'Today’s intervals; empty when closed today.') }),
      'Today’s hours.',
    ),
    distance_m: z.nullable(described(z.number(), 'Metres from the `near` point (great-circle); null without `near`.')),
  }),
  { id: 'StoreListing', description: 'A store where vouchers can be paid and refunds collected.' },
);
export type StoreListing = z.infer<typeof StoreListing>;

export const StoreDirectory = documented(listOf(StoreListing), { id: 'StoreDirectory' });
export type StoreDirectory = z.infer<typeof StoreDirectory>;

export const ListStoresQuery = z.strictObject({
  currency: z.optional(described(CurrencyCode, 'Only stores whose tills take this currency (a voucher’s).')),
  near: z.optional(
    documented(z.string().check(z.maxLength(60)), {
      description: 'A point as `latitude,longitude`: stores nearest first, each with its distance.',
      example: '52.5200,13.4050',
    }),
  ),
  city: z.optional(described(z.string().check(z.minLength(1), z.maxLength(100)), 'Only stores in this city or with this postal code (case and accents ignored).')),
  open_now: z.optional(described(z.enum(['true', 'false']), '`true`: only stores taking payments now; `false`: only those that are not.')),
  limit: z._default(
    described(z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(50, 'must be at most 50')), 'How many stores one page holds.'),
    10,
  ),
  starting_after: z.optional(documented(z.string().check(z.maxLength(40)), { description: 'A store id from the previous page: the list continues after it, in the same order.' })),
});
export type ListStoresQuery = z.infer<typeof ListStoresQuery>;
