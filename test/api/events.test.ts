/**
 * The events API: every event a merchant's webhooks carry, listed newest first with a type filter
 * and cursor pages for 30 days, readable by id; the id is the delivery's `webhook-id` and the body
 * is the delivery's. Merchants never see each other's events. On PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harness, tillRequest, type Harness } from '../support/harness.ts';
import { startReceiver } from '../support/receiver.ts';
import { TestTill } from '../support/till.ts';
import { OutboxWorker, type MessageSender } from '../../api/outbox/worker.ts';
import type { Database } from '../../api/db/client.ts';

const noMessages: MessageSender = {
  sendVoucher: async () => {
    throw new Error('no messages in this test');
  },
  sendRefund: async () => {
    throw new Error('no messages in this test');
  },
};

describe.each(drivers)('the events API on $name', (driver) => {
  let database: Database;
  let h: Harness;
  let store: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: OutboxWorker;

  beforeAll(async () => {
    database = await driver.open();
    h = await harness(database);
    store = (await h.services.network.createStore('Events Store'))!.id;
    receiver = await startReceiver(() => 200);
    worker = new OutboxWorker(database.db, h.services.vault, h.clock, noMessages, { random: () => 0.5, targets: 'public-and-loopback' });
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.close();
  });

  const voucher = async (order: string, key = h.keyA) =>
    (await (await h.req('POST', '/v1/vouchers', { order_ref: order, amount: 1200, currency: 'EUR' }, { key })).json()) as { id: string; token: string };
  const cancel = async (id: string, key = h.keyA) => expect((await h.req('POST', `/v1/vouchers/${id}/cancel`, undefined, { key })).status).toBe(200);
  const events = async (query = '', key = h.keyA) => {
    const res = await h.req('GET', `/v1/events${query}`, undefined, { key });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      object: string;
      has_more: boolean;
      data: Array<{ id: string; object: string; type: string; timestamp: string; data: { object: { id: string; status: string } } }>;
    };
  };

  it('lists a paid voucher’s event with the id and body its webhook delivery carried', async () => {
    const endpoint = await (await h.req('POST', '/v1/webhook_endpoints', { url: `${receiver.url}/hooks`, events: ['voucher.paid'] })).json();
    const v = await voucher('EV-1');
    const till = await TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
    await till.outcomes([await till.record(v.token, 1200)]);
    while ((await worker.runOnce()) > 0) {
      /* until nothing is due */
    }
    const hit = receiver.received.find((r) => JSON.parse(r.body).data.object.id === v.id)!;
    expect(hit).toBeDefined();

    const [event] = (await events('?type=voucher.paid')).data;
    expect(event).toMatchObject({ object: 'event', type: 'voucher.paid', data: { object: { id: v.id, status: 'paid' } } });
    expect(event!.id).toBe(hit.headers['webhook-id']);
    // The delivery's body is the event's, field for field.
    expect(JSON.parse(hit.body)).toEqual({ type: event!.type, timestamp: event!.timestamp, data: event!.data });
    const deliveries = await (await h.req('GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`)).json();
    expect(deliveries.data.map((d: { event_id: string }) => d.event_id)).toContain(event!.id);

    const one = await h.req('GET', `/v1/events/${event!.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(event);
  });

  it('lists newest first, filters by type and pages with starting_after without a gap or a repeat', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000);
      const v = await voucher(`EV-C${i}`);
      await cancel(v.id);
      ids.push(v.id);
    }
    const all = await events('?type=voucher.canceled&limit=100');
    expect(all.data.every((e) => e.type === 'voucher.canceled')).toBe(true);
    expect(all.data.map((e) => e.data.object.id)).toEqual([...ids].reverse());
    const stamps = all.data.map((e) => Date.parse(e.timestamp));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));

    const paged: string[] = [];
    let after = '';
    for (;;) {
      const page = await events(`?type=voucher.canceled&limit=2${after ? `&starting_after=${after}` : ''}`);
      paged.push(...page.data.map((e) => e.id));
      if (!page.has_more) break;
      after = page.data.at(-1)!.id;
    }
    expect(paged).toEqual(all.data.map((e) => e.id));
    // Without a filter the page holds both kinds, newest first.
    expect((await events('?limit=1')).data[0]!.type).toBe('voucher.canceled');
  });

  it('shows a merchant only its own events: another merchant’s id is not found and is no cursor', async () => {
    const mine = (await events('?limit=1')).data[0]!;
    expect((await events('', h.keyB)).data).toEqual([]);
    const res = await h.req('GET', `/v1/events/${mine.id}`, undefined, { key: h.keyB });
    expect(res.status).toBe(404);
    expect((await res.json()).type).toMatch(/not-found$/);
    const cursor = await h.req('GET', `/v1/events?starting_after=${mine.id}`, undefined, { key: h.keyB });
    expect(cursor.status).toBe(400);
    expect((await h.req('GET', '/v1/events', undefined, { key: null })).status).toBe(401);
  });

  it('answers bad queries with a precise problem', async () => {
    for (const [query, field] of [
      ['?type=voucher.created', 'type'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?starting_after=evt_nothing', 'starting_after'],
      ['?colour=green', ''],
    ] as const) {
      const res = await h.req('GET', `/v1/events${query}`);
      expect(res.status, query).toBe(400);
      const body = await res.json();
      expect(body.type, query).toMatch(/validation-failed$/);
      if (field) expect(JSON.stringify(body), query).toContain(field);
    }
  });

  it('keeps events for 30 days: after that they are neither listed nor found', async () => {
    h.clock.advance(1000);
    const v = await voucher('EV-OLD');
    await cancel(v.id);
    const event = (await events('?limit=1')).data[0]!;
    expect(event.data.object.id).toBe(v.id);
    h.clock.advance(30 * 86_400_000 - 1);
    expect((await h.req('GET', `/v1/events/${event.id}`)).status).toBe(200);
    h.clock.advance(2);
    expect((await h.req('GET', `/v1/events/${event.id}`)).status).toBe(404);
    expect((await events('?limit=100')).data.map((e) => e.id)).not.toContain(event.id);
  });
});
