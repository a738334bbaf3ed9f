/**
 * First start on an empty database: a demo merchant and demo stores (one with the demo till, all in
 * the store directory), so a newcomer can create a voucher at once and see where to pay it. Fixed ids make this safe when several processes start together: only the one
 * whose insert wins prints the key.
 */
import type { Services } from '../context.ts';

export const DEMO_MERCHANT_ID = 'mer_demo';
export const DEMO_STORE_ID = 'sto_demo';

/** The demo's store directory: real-looking shops around Berlin-Mitte (the first is the demo till's store). */
export const DEMO_STORES = [
  { id: DEMO_STORE_ID, name: 'Demo Store', brand: 'Counterpay Demo', street: 'Torstraße 110', postalCode: '10119', lat: 52.5291, lng: 13.401, week: 'mon-sat 07:00-22:00' },
  { id: 'sto_demo_alex', name: 'Kiosk Alexanderplatz', brand: null, street: 'Dircksenstraße 2', postalCode: '10178', lat: 52.5219, lng: 13.4114, week: 'mon-sun 06:00-23:00' },
  {
    id: 'sto_demo_kastanie',
    name: 'Corner Market Kastanienallee',
    brand: 'Corner Market',
    street: 'Kastanienallee 12',
    postalCode: '10435',
    lat: 52.536,
    lng: 13.4085,
    week: 'mon-fri 08:00-20:00, sat 09:00-18:00',
  },
  {
    id: 'sto_demo_boxhagen',
    name: 'Corner Market Boxhagener Straße',
    brand: 'Corner Market',
    street: 'Boxhagener Straße 40',
    postalCode: '10245',
    lat: 52.5105,
    lng: 13.462,
    week: 'mon-sat 08:00-21:00',
  },
  { id: 'sto_demo_oranien', name: 'Späti Oranienstraße', brand: null, street: 'Oranienstraße 25', postalCode: '10999', lat: 52.501, lng: 13.4197, week: 'mon-sun 10:00-02:00' },
  {
    id: 'sto_demo_akazie',
    name: 'Post & Paper Schöneberg',
    brand: null,
    street: 'Akazienstraße 8',
    postalCode: '10823',
    lat: 52.488,
    lng: 13.353,
    week: 'mon-fri 09:00-18:00, sat 10:00-14:00',
  },
] as const;

export async function seedDemo(services: Services): Promise<{ apiKey: string; testApiKey: string } | null> {
  if ((await services.network.listMerchants()).length > 0) return null;
  const merchant = await services.network.createMerchant('Demo Shop', DEMO_MERCHANT_ID);
  await services.network.createStore('Demo Store', DEMO_STORE_ID, 'EUR');
  for (const store of DEMO_STORES) {
    if (store.id !== DEMO_STORE_ID) await services.network.createStore(store.name, store.id, 'EUR');
    await services.stores.setAddress(store.id, {
      street: store.street,
      postalCode: store.postalCode,
      city: 'Berlin',
      country: 'DE',
      latitude: store.lat,
      longitude: store.lng,
      brand: store.brand,
    });
    await services.stores.setHours(store.id, store.week, 'Europe/Berlin');
  }
  return merchant ? { apiKey: merchant.api_key, testApiKey: merchant.test_api_key } : null;
}

/**
 * A one-time code for a demo till, made at a development start only when the demo store has no
 * unused one (codes are stored hashed, so an earlier one cannot be shown again: 'unused-exists').
 */
export async function demoEnrolmentCode(services: Services): Promise<string | 'unused-exists' | null> {
  const stores = await services.network.listStores();
  if (!stores.some((s) => s.id === DEMO_STORE_ID)) return null;
  if (await services.devices.hasUnusedCode(DEMO_STORE_ID)) return 'unused-exists';
  return (await services.devices.createEnrolmentCode(DEMO_STORE_ID)).code;
}
