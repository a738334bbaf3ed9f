import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers, freshPostgresDatabase, postgresUrl } from '../support/databases.ts';
import { harness, tillRequest, type Harness } from '../support/harness.ts';
import { startReceiver, verifyStandardWebhook } from '../support/receiver.ts';
import { TestTill } from '../support/till.ts';
import { ROOT } from '../support/server.ts';
import { OutboxWorker, RETRY_DELAYS_S, type MessageSender } from '../../api/outbox/worker.ts';
import { openDatabase, type Database } from '../../api/db/client.ts';
import { createServices } from '../../api/context.ts';
import { events as eventsTable } from '../../api/db/schema.ts';
import { eq } from 'drizzle-orm';

const noMessages: MessageSender = {
  sendVoucher: async () => {
    throw new Error('no messages in this test');
  },
  sendRefund: async () => {
    throw new Error('no messages in this test');
  },
};

describe.each(drivers)('webhooks and expiry on $name', (driver) => {
  let database: Database;
  let h: Harness;
  let worker: OutboxWorker;
  let store: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let answer: (n: number) => number = () => 200;
  beforeAll(async () => {
    database = await driver.open();
    h = await harness(database);
    store = (await h.services.network.createStore('Hook Store'))!.id;
    worker = new OutboxWorker(database.db, h.services.vault, h.clock, noMessages, { random: () => 0.5, targets: 'public-and-loopback' });
    receiver = await startReceiver((_r, n) => answer(n));
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.close();
  });

  const register = async (events: string[], key = h.keyA) => {
    const res = await h.req('POST', '/v1/webhook_endpoints', { url: `${receiver.url}/hooks`, events }, { key });
    expect(res.status).toBe(201);
    return res.json();
  };
  const pay = async () => {
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'W-1', amount: 1200, currency: 'EUR' })).json();
    const t = await TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
    await t.outcomes([await t.record(v.token, 1200)]);
    return v;
  };
  const drain = async () => {
    while ((await worker.runOnce()) > 0) {
      /* until nothing is due */
    }
  };

  it('delivers voucher.paid with a Standard Webhooks signature that verifies', async () => {
    receiver.reset();
    answer = () => 200;
    const endpoint = await register(['voucher.paid']);
    const v = await pay();
    await drain();
    const hit = receiver.received.find((r) => JSON.parse(r.body).data.object.id === v.id)!;
    expect(hit).toBeDefined();
    expect(JSON.parse(hit.body)).toMatchObject({ type: 'voucher.paid', data: { object: { id: v.id, status: 'paid', order_ref: 'W-1' } } });
    expect(hit.headers['webhook-id']).toMatch(/^evt_/);
    expect(await verifyStandardWebhook(endpoint.secret, hit.headers, hit.body, h.clock.now())).toBe(true);
    expect(await verifyStandardWebhook(endpoint.secret, hit.headers, hit.body.replace('W-1', 'W-2'), h.clock.now())).toBe(false);
    await h.req('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
  });

  it('retries a receiver that is down with backoff, and it gets every event when it comes back', async () => {
    receiver.reset();
    answer = () => 503;
    const endpoint = await register(['voucher.paid', 'voucher.canceled']);
    const paid = await pay();
    const canceled = await (await h.req('POST', '/v1/vouchers', { order_ref: 'W-C', amount: 500, currency: 'EUR' })).json();
    await h.req('POST', `/v1/vouchers/${canceled.id}/cancel`);
    await drain();
    expect(receiver.received.length).toBe(2);
    let deliveries = (await (await h.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json()).data;
    expect(deliveries.every((d: { status: string; last_status: number }) => d.status === 'pending' && d.last_status === 503)).toBe(true);
    answer = () => 200;
    h.clock.advance(RETRY_DELAYS_S[0]! * 1000 * 1.2);
    await drain();
    const ids = receiver.received.filter((r) => r.headers['webhook-id']).map((r) => JSON.parse(r.body).data.object.id);
    expect(ids).toEqual(expect.arrayContaining([paid.id, canceled.id]));
    deliveries = (await (await h.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json()).data;
    expect(deliveries.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
      ['delivered', 2],
      ['delivered', 2],
    ]);

    // Redelivery on request: a new delivery, the same webhook-id.
    receiver.reset();
    const again = await (await h.req('POST', `/v1/webhook_deliveries/${deliveries[0].id}/redeliver`)).json();
    expect(again).toMatchObject({ status: 'pending', event_id: deliveries[0].event_id });
    await drain();
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([deliveries[0].event_id]);
    await h.req('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
  });

  it('gives up after about three days and marks the endpoint failing', async () => {
    answer = () => 500;
    const endpoint = await register(['voucher.canceled']);
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'W-F', amount: 500, currency: 'EUR' })).json();
    await h.req('POST', `/v1/vouchers/${v.id}/cancel`);
    for (let i = 0; i <= RETRY_DELAYS_S.length; i++) {
      await drain();
      h.clock.advance((RETRY_DELAYS_S[i] ?? 0) * 1000 * 1.2 + 1000);
    }
    const total = RETRY_DELAYS_S.reduce((a, b) => a + b, 0) / 3600;
    expect(total).toBeGreaterThan(70);
    expect(total).toBeLessThan(80);
    const [d] = (await (await h.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json()).data;
    expect(d).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_S.length + 1, last_status: 500 });
    expect((await (await h.req('GET', '/v1/webhook_endpoints')).json()).data.find((e: { id: string }) => e.id === endpoint.id).status).toBe('failing');
    await h.req('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
  });

  it('signs with both secrets while a rotated one overlaps', async () => {
    receiver.reset();
    answer = () => 200;
    const endpoint = await register(['voucher.paid']);
    const rotated = await (await h.req('POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`)).json();
    await pay();
    await drain();
    const hit = receiver.received.at(-1)!;
    expect(String(hit.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(await verifyStandardWebhook(endpoint.secret, hit.headers, hit.body, h.clock.now())).toBe(true);
    expect(await verifyStandardWebhook(rotated.secret, hit.headers, hit.body, h.clock.now())).toBe(true);
    await h.req('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
  });

  it('expires an open voucher once, with one voucher.expired event', async () => {
    const v = await (await h.req('POST', '/v1/vouchers', { order_ref: 'W-E', amount: 500, currency: 'EUR', expires_in: 900 })).json();
    h.clock.advance(901_000);
    await worker.expireDue();
    await worker.expireDue();
    expect((await (await h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('expired');
    const expired = (await database.db.select().from(eventsTable).where(eq(eventsTable.type, 'voucher.expired'))).filter(
      (e) => (e.data as { object: { id: string } }).object.id === v.id,
    );
    expect(expired).toHaveLength(1);
  });

  it('refuses an unknown event name, and in production a plain-HTTP or unresolvable URL', async () => {
    const bad = await h.req('POST', '/v1/webhook_endpoints', { url: `${receiver.url}/x`, events: ['voucher.paid', 'voucher.teleported'] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toContain('unknown event name "voucher.teleported"');
    // A resolver that knows no names: the test never sends a DNS query off this machine.
    const noDns = async (hostname: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const prod = await createServices(database, { publicUrl: 'https://pay.example', production: true, webhookLookup: noDns });
    await expect(prod.webhooks.create(h.merchantA, { url: 'http://shop.example/hooks', events: ['voucher.paid'] })).rejects.toThrow(/must use HTTPS in production/);
    await expect(prod.webhooks.create(h.merchantA, { url: 'https://no-such-host.invalid/hooks', events: ['voucher.paid'] })).rejects.toThrow(
      /unreachable: the host no-such-host.invalid does not resolve/,
    );
  });
});

describe.runIf(postgresUrl)('outbox workers on PostgreSQL', () => {
  it('lets two workers drain one outbox without ever sending one event at the same moment', async () => {
    const fresh = await freshPostgresDatabase();
    const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 10 });
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return 200;
    });
    try {
      const h = await harness(database);
      await h.req('POST', '/v1/webhook_endpoints', { url: receiver.url, events: ['voucher.canceled'] });
      for (let i = 0; i < 30; i++) {
        const v = await (await h.req('POST', '/v1/vouchers', { order_ref: `P-${i}`, amount: 100, currency: 'EUR' })).json();
        await h.req('POST', `/v1/vouchers/${v.id}/cancel`);
      }
      const workers = [0, 1].map(() => new OutboxWorker(database.db, h.services.vault, h.clock, noMessages, { batch: 3, targets: 'public-and-loopback' }));
      await Promise.all(
        workers.map(async (w) => {
          while ((await w.runOnce()) > 0) {
            /* drain */
          }
        }),
      );
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(30);
      expect(ids).toHaveLength(30);
      expect(receiver.maxConcurrentPerId()).toBe(1);
    } finally {
      await receiver.close();
      await database.close();
      await fresh.drop();
    }
  });

  it('does not lose a delivery when its worker is killed in the middle of it', async () => {
    const fresh = await freshPostgresDatabase();
    const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 4 });
    let first = true;
    const receiver = await startReceiver(() => {
      if (first) {
        first = false;
        return 'hang';
      }
      return 200;
    });
    const env = { ...process.env, DATABASE_URL: fresh.url, OUTBOX_LEASE_MS: '2000', WORKER_INTERVAL_MS: '100' };
    const startWorker = () => spawn(process.execPath, ['bin/counterpay.js', 'worker'], { cwd: ROOT, env, stdio: 'ignore' });
    try {
      const services = await createServices(database, { publicUrl: 'http://localhost:8080' });
      await services.keys.ensureCurrent();
      const m = (await services.network.createMerchant('Kill Shop'))!;
      await services.webhooks.create(m.id, { url: receiver.url, events: ['voucher.canceled'] });
      const v = await services.vouchers.create({ id: m.id, name: 'Kill Shop', livemode: true }, { order_ref: 'K-1', amount: 100, currency: 'EUR' }, database.db as never);
      await services.vouchers.cancel({ id: m.id, name: 'Kill Shop', livemode: true }, v.id);

      const a = startWorker();
      await waitFor(() => receiver.received.length === 1, 30_000);
      a.kill('SIGKILL'); // mid-delivery: the request is in flight, nothing recorded
      const b = startWorker();
      try {
        await waitFor(() => receiver.received.length === 2, 30_000);
        expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
        await waitFor(
          async () =>
            (await services.webhooks.list(m.id)).data.length > 0 &&
            (await services.webhooks.deliveries(m.id, (await services.webhooks.list(m.id)).data[0]!.id)).data[0]!.status === 'delivered',
          30_000,
        );
      } finally {
        b.kill('SIGTERM');
      }
    } finally {
      await receiver.close();
      await database.close();
      await fresh.drop();
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
