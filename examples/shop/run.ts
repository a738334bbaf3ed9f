/**
 * The shop end to end in test mode, as CI runs it against a real Counterpay server:
 *
 *   COUNTERPAY_URL=http://127.0.0.1:8080 COUNTERPAY_KEY=cpk_test_… node --import tsx examples/shop/run.ts
 *
 * It starts the shop, orders something, has Counterpay's built-in test till collect the voucher
 * (POST /v1/test_helpers/vouchers/{id}/collect), waits for the signed `voucher.paid` to mark the
 * order paid, and exits 0. A live key is refused: the test helpers exist in test mode only.
 */
import { createCounterpay } from '@counterpay/client';
import { startShop } from './shop.ts';

const counterpayUrl = process.env.COUNTERPAY_URL ?? 'http://127.0.0.1:8080';
const apiKey = process.env.COUNTERPAY_KEY ?? '';
if (!apiKey.startsWith('cpk_test_')) {
  console.error('set COUNTERPAY_KEY to a test-mode key (cpk_test_…): this run pays with the test till');
  process.exit(2);
}

const shop = await startShop({ counterpayUrl, apiKey });
try {
  const order = (await (await fetch(`${shop.url}/orders`, { method: 'POST', body: JSON.stringify({ amount: 4250, currency: 'EUR' }) })).json()) as {
    id: string;
    voucher_id: string;
  };
  console.log(`order ${order.id}: voucher ${order.voucher_id} created`);

  const counterpay = createCounterpay({ apiKey, baseUrl: counterpayUrl });
  const collected = await counterpay.call(
    counterpay.api.POST('/v1/test_helpers/vouchers/{id}/collect', { params: { path: { id: order.voucher_id } }, body: { outcome: 'accepted' } }),
  );
  console.log(`the test till collected it: ${collected.collections.map((c) => c.outcome).join(', ')}`);

  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = (await (await fetch(`${shop.url}/orders/${order.id}`)).json()) as { status: string; paid_at: string | null };
    if (now.status === 'paid') {
      console.log(`order ${order.id} is paid (${now.paid_at}), told by a verified voucher.paid webhook`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`order ${order.id} is still ${now.status} after a minute: no verified voucher.paid arrived`);
    await new Promise((r) => setTimeout(r, 200));
  }
} finally {
  await shop.close();
}
