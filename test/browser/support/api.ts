/** The merchant API calls the browser tests need, made over real HTTP against the real server. */
export interface CreatedVoucher {
  id: string;
  status: string;
  order_ref: string;
  amount: number;
  currency: string;
  reference: string;
  token: string;
  qr: string;
  voucher_url: string;
  expires_at: string;
}

let orderNumber = 0;

export async function createVoucher(server: { url: string; apiKey: string }, body: Record<string, unknown> = {}): Promise<CreatedVoucher> {
  orderNumber++;
  const res = await fetch(`${server.url}/v1/vouchers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json', 'idempotency-key': `browser-test-${Date.now()}-${orderNumber}` },
    body: JSON.stringify({
      order_ref: `WEB-${1000 + orderNumber}`,
      amount: 4_250,
      currency: 'EUR',
      items: [
        { name: 'Ceramic mug', quantity: 2, unit_amount: 1_500 },
        { name: 'Green tea', quantity: 1, unit_amount: 1_250 },
      ],
      ...body,
    }),
  });
  if (res.status !== 201) throw new Error(`create voucher: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedVoucher;
}

export async function cancelVoucher(server: { url: string; apiKey: string }, id: string): Promise<void> {
  const res = await fetch(`${server.url}/v1/vouchers/${id}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'idempotency-key': `browser-test-cancel-${id}` },
  });
  if (!res.ok) throw new Error(`cancel voucher: ${res.status} ${await res.text()}`);
}
