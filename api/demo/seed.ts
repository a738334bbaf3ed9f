/**
 * First start on an empty database: a demo merchant and a demo store, so a newcomer can create a
 * voucher at once. Fixed ids make this safe when several processes start together: only the one
 * whose insert wins prints the key.
 */
import type { Services } from '../context.ts';

export const DEMO_MERCHANT_ID = 'mer_demo';
export const DEMO_STORE_ID = 'sto_demo';

export async function seedDemo(services: Services): Promise<{ apiKey: string } | null> {
  if ((await services.network.listMerchants()).length > 0) return null;
  const merchant = await services.network.createMerchant('Demo Shop', DEMO_MERCHANT_ID);
  await services.network.createStore('Demo Store', DEMO_STORE_ID, 'EUR');
  return merchant ? { apiKey: merchant.api_key } : null;
}

/** A fresh one-time code for a demo till, at every start while the demo store exists. */
export async function demoEnrollmentCode(services: Services): Promise<string | null> {
  const stores = await services.network.listStores();
  if (!stores.some((s) => s.id === DEMO_STORE_ID)) return null;
  return (await services.devices.createEnrollmentCode(DEMO_STORE_ID)).code;
}
