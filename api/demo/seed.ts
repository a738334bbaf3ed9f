/**
 * First start on an empty database: a demo merchant and a demo store, so a newcomer can create a
 * voucher at once. Fixed ids make this safe when several processes start together: only the one
 * whose insert wins prints the key.
 */
import type { Services } from '../context.ts';

export const DEMO_MERCHANT_ID = 'mer_demo';
export const DEMO_STORE_ID = 'sto_demo';

export async function seedDemo(services: Services): Promise<{ apiKey: string; testApiKey: string } | null> {
  if ((await services.network.listMerchants()).length > 0) return null;
  const merchant = await services.network.createMerchant('Demo Shop', DEMO_MERCHANT_ID);
  await services.network.createStore('Demo Store', DEMO_STORE_ID, 'EUR');
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
