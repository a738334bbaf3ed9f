/**
 * A tiny shop that takes payment in cash at a store counter through Counterpay.
 *
 * It creates a voucher for each order (the shopper gets its link by e-mail or SMS and pays at any
 * store), receives `voucher.paid` on its webhook endpoint, checks the delivery's signature with the
 * Standard Webhooks helper, and marks the order paid. Orders live in memory: a real shop keeps them
 * in its database and, after an outage of its webhook endpoint, reconciles with GET /v1/events.
 *
 *   POST /orders            {"amount": 1250, "currency": "EUR"}  → the order and its voucher link
 *   GET  /orders/{id}       the order and whether it is paid
 *   POST /counterpay/events Counterpay's webhook deliveries
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCounterpay, verifyWebhook, WebhookVerificationError, type Counterpay } from '@counterpay/client';

export interface Order {
  id: string;
  amount: number;
  currency: string;
  status: 'awaiting_payment' | 'paid';
  voucher_id: string;
  voucher_url: string;
  paid_at: string | null;
}

export interface Shop {
  url: string;
  orders: Map<string, Order>;
  /** Deliveries refused because their signature did not verify. */
  refused: number;
  close(): Promise<void>;
}

/** Starts the shop on 127.0.0.1 and registers its webhook endpoint with Counterpay. */
export async function startShop(options: { counterpayUrl: string; apiKey: string; port?: number }): Promise<Shop> {
  const counterpay = createCounterpay({ apiKey: options.apiKey, baseUrl: options.counterpayUrl });
  const orders = new Map<string, Order>();
  let secret = '';
  const shop: Shop = { url: '', orders, refused: 0, close: async () => undefined };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => reply(res, 500, { error: String(err) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await read(req);
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    if (req.method === 'POST' && path === '/orders') return reply(res, 201, await createOrder(counterpay, orders, JSON.parse(body || '{}')));
    const order = /^\/orders\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && order) {
      const found = orders.get(order[1]!);
      return found ? reply(res, 200, found) : reply(res, 404, { error: 'no such order' });
    }
    if (req.method === 'POST' && path === '/counterpay/events') {
      let event: ReturnType<typeof verifyWebhook>;
      try {
        event = verifyWebhook(secret, body, req.headers as Record<string, string>);
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
        shop.refused++;
        return reply(res, 400, { error: 'the signature does not verify' });
      }
      if (event.type === 'voucher.paid') {
        const voucher = event.data.object as { id: string; metadata: Record<string, string>; paid_at: string };
        const paid = orders.get(voucher.metadata.order_id ?? '');
        // A redelivery of the same event changes nothing.
        if (paid && paid.voucher_id === voucher.id && paid.status !== 'paid') Object.assign(paid, { status: 'paid', paid_at: voucher.paid_at });
      }
      res.writeHead(204).end();
      return;
    }
    reply(res, 404, { error: 'not found' });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  shop.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const endpoint = await counterpay.call(counterpay.api.POST('/v1/webhook_endpoints', { body: { url: `${shop.url}/counterpay/events`, events: ['voucher.paid'] } }));
  secret = endpoint.secret;
  shop.close = async () => {
    await counterpay.call(counterpay.api.DELETE('/v1/webhook_endpoints/{id}', { params: { path: { id: endpoint.id } } }));
    await new Promise((resolve) => server.close(resolve));
  };
  return shop;
}

let orderNumber = 0;

async function createOrder(counterpay: Counterpay, orders: Map<string, Order>, input: { amount?: number; currency?: string }): Promise<Order> {
  const id = `ORD-${Date.now().toString(36)}-${++orderNumber}`;
  const voucher = await counterpay.call(
    counterpay.api.POST('/v1/vouchers', {
      params: { header: { 'idempotency-key': `order-${id}` } },
      body: { order_ref: id, amount: input.amount ?? 1250, currency: input.currency ?? 'EUR', metadata: { order_id: id } },
    }),
  );
  const order: Order = {
    id,
    amount: voucher.amount,
    currency: voucher.currency,
    status: 'awaiting_payment',
    voucher_id: voucher.id,
    voucher_url: voucher.voucher_url,
    paid_at: null,
  };
  orders.set(id, order);
  return order;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
