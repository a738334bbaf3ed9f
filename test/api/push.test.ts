/**
 * Push to the shopper's phone (docs/push.md), against a push service stand-in on 127.0.0.1 that
 * receives the real encrypted request: the VAPID header verifies with the server's public key, the
 * payload decrypts with an independent RFC 8291 implementation (test/support/webpush_decrypt.py),
 * a voucher paid at a till produces exactly one "paid" message, a refund one "refund ready", a
 * voucher with less than a day left one "expires in 24 hours"; a 410 removes the subscription.
 * On PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { harness, tillRequest, type Harness } from '../support/harness.ts';
import { checkVapid, decrypt, startPushService, type FakeSubscription } from '../support/push-service.ts';
import { TestTill } from '../support/till.ts';
import { OutboxWorker, type MessageSender } from '../../api/outbox/worker.ts';
import type { Database } from '../../api/db/client.ts';
import { PushService } from '../../api/push/push.service.ts';

const noMessages: MessageSender = {
  sendVoucher: async () => {},
  sendRefund: async () => {},
};

describe.each(drivers)('push notifications on $name', (driver) => {
  let database: Database;
  let h: Harness;
  let store: string;
  let service: Awaited<ReturnType<typeof startPushService>>;
  let answer = 201;
  let worker: OutboxWorker;
  let serverKey: string;

  beforeAll(async () => {
    database = await driver.open();
    h = await harness(database);
    store = (await h.services.network.createStore('Push Store'))!.id;
    service = await startPushService(() => answer);
    worker = new OutboxWorker(database.db, h.services.vault, h.clock, noMessages, { random: () => 0.5, targets: 'public-and-loopback', push: h.services.push });
    serverKey = ((await (await h.req('GET', '/v1/push/key', undefined, { key: null })).json()) as { public_key: string }).public_key;
  });
  afterAll(async () => {
    await service?.close();
    await database?.close();
  });

  const voucher = async (order: string, extra: Record<string, unknown> = {}) =>
    (await (await h.req('POST', '/v1/vouchers', { order_ref: order, amount: 4250, currency: 'EUR', ...extra })).json()) as { id: string; token: string; expires_at: string };
  const subscribe = async (sub: FakeSubscription, tokens: string[], locale?: 'en' | 'zh') =>
    h.req('POST', '/v1/push/subscriptions', { subscription: { endpoint: sub.endpoint, keys: sub.keys }, tokens, ...(locale ? { locale } : {}) }, { key: null });
  const drain = async () => {
    while ((await worker.runOnce()) > 0) {
      /* until nothing is due */
    }
  };
  /** Pays the voucher and drains the outbox while the push service answers `status`. */
  const payWhileAnswering = async (status: number, token: string) => {
    answer = status;
    try {
      await pay(token);
      await drain();
    } finally {
      answer = 201;
    }
  };
  const to = (sub: FakeSubscription) => service.received.filter((r) => sub.endpoint.endsWith(r.path));
  const pay = async (token: string) => {
    const till = await TestTill.enrol(tillRequest(h), (await h.services.devices.createEnrolmentCode(store)).code);
    const record = await till.record(token, 4250);
    const [first] = await till.outcomes([record]);
    return { till, record, first };
  };

  it('serves one VAPID public key: an uncompressed P-256 point, the same every time, cacheable', async () => {
    expect(Buffer.from(serverKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(serverKey, 'base64url')[0]).toBe(4);
    const again = await h.req('GET', '/v1/push/key', undefined, { key: null });
    expect(((await again.json()) as { public_key: string }).public_key).toBe(serverKey);
    expect(again.headers.get('cache-control')).toBe('public, max-age=300');
    // Another service over the same database finds the stored pair, not a new one.
    const other = new PushService(database.db, h.clock, h.services.vault, h.services.keys, h.services.webhookRules, 'http://localhost:8080');
    expect((await other.vapid()).publicKey).toBe(serverKey);
  });

  it('sends exactly one "paid" message for a voucher paid at a till: VAPID verifies, the payload decrypts', async () => {
    const v = await voucher('PUSH-1');
    const sub = await service.subscription();
    const res = await subscribe(sub, [v.token]);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ object: 'push_subscription', voucher_ids: [v.id], unknown_voucher_ids: [], locale: 'en' });
    const { till, record, first } = await pay(v.token);
    expect(first!.outcome).toBe('accepted');
    await drain();
    // The same record sent again (a till's retry) and more worker passes change nothing.
    await till.outcomes([record]);
    await drain();
    const got = to(sub);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(got[0]!.headers.ttl)).toBeGreaterThan(0);
    expect(checkVapid(got[0]!, serverKey, service.url).sub).toBeTruthy();
    const message = JSON.parse(await decrypt(got[0]!, sub));
    expect(message).toEqual({ kind: 'paid', title: 'Paid: €42.50 to Shop A', body: 'Order PUSH-1 is paid. Thank you!', url: `/vouchers/${v.id}`, voucher_id: v.id, locale: 'en' });
  });

  it('tells of a refund, in the subscription’s language', async () => {
    const v = await voucher('PUSH-2');
    const sub = await service.subscription();
    expect((await subscribe(sub, [v.token], 'zh')).status).toBe(201);
    await pay(v.token);
    const refund = (await (await h.req('POST', '/v1/refunds', { voucher_id: v.id, reason: 'goods_returned', amount: 1000 })).json()) as { id: string };
    await drain();
    const messages = await Promise.all(to(sub).map(async (r) => JSON.parse(await decrypt(r, sub))));
    expect(messages.map((m) => m.kind).sort()).toEqual(['paid', 'refund']);
    const told = messages.find((m) => m.kind === 'refund');
    expect(told).toMatchObject({ refund_id: refund.id, url: `/vouchers/${v.id}?refund=${refund.id}` });
    expect(told.title).toBe('退款可领取：€10.00');
    expect(told.locale).toBe('zh');
  });

  it('tells once that an open voucher expires within 24 hours', async () => {
    const v = await voucher('PUSH-3', { expires_in: 30 * 3600 });
    const sub = await service.subscription();
    await subscribe(sub, [v.token]);
    expect(await h.services.push.queueExpiring()).toBe(0); // 30 hours left
    h.clock.advance(7 * 3600_000); // 23 hours left
    expect(await h.services.push.queueExpiring()).toBe(1);
    expect(await h.services.push.queueExpiring()).toBe(0);
    await drain();
    const messages = await Promise.all(to(sub).map(async (r) => JSON.parse(await decrypt(r, sub))));
    expect(messages).toEqual([expect.objectContaining({ kind: 'expiring', title: 'Pay within 24 hours: €42.50', url: `/vouchers/${v.id}` })]);
  });

  it('removes a subscription the push service answers 410 (or 404) for, with what was queued for it', async () => {
    const v = await voucher('PUSH-4');
    const sub = await service.subscription();
    await subscribe(sub, [v.token]);
    await payWhileAnswering(410, v.token);
    expect(to(sub)).toHaveLength(1);
    const left = (await database.db.execute(sql`select count(*)::int as n from push_subscriptions where endpoint = ${sub.endpoint}`)) as unknown as { rows: Array<{ n: number }> };
    expect(left.rows[0]!.n).toBe(0);
    const queued = (await database.db.execute(sql`select count(*)::int as n from outbox where kind = 'push' and voucher_id = ${v.id}`)) as unknown as {
      rows: Array<{ n: number }>;
    };
    expect(queued.rows[0]!.n).toBe(0);
    // A refund of that voucher now tells nobody.
    await h.req('POST', '/v1/refunds', { voucher_id: v.id, reason: 'goods_returned', amount: 500 });
    await drain();
    expect(to(sub)).toHaveLength(1);
  });

  it('retries a push service that fails, and sends once it answers', async () => {
    const v = await voucher('PUSH-5');
    const sub = await service.subscription();
    await subscribe(sub, [v.token]);
    await payWhileAnswering(503, v.token);
    expect(to(sub)).toHaveLength(1);
    h.clock.advance(10 * 60_000);
    await drain();
    expect(to(sub)).toHaveLength(2);
    h.clock.advance(60 * 60_000);
    await drain();
    expect(to(sub)).toHaveLength(2);
  });

  it('answers a bad subscription precisely and keeps nothing; unsubscribing stops it', async () => {
    const v = await voucher('PUSH-6');
    const sub = await service.subscription();
    const bad = async (body: unknown, field: string) => {
      const res = await h.req('POST', '/v1/push/subscriptions', body, { key: null });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const p = (await res.json()) as { errors?: Array<{ field: string }> };
      expect(p.errors?.map((e) => e.field).join(' ')).toContain(field);
    };
    const good = { subscription: { endpoint: sub.endpoint, keys: sub.keys }, tokens: [v.token] };
    await bad({ ...good, tokens: [] }, 'tokens');
    await bad({ ...good, tokens: [`${v.token.slice(0, -1)}${v.token.endsWith('0') ? '1' : '0'}`] }, 'tokens.0');
    await bad({ ...good, subscription: { ...good.subscription, endpoint: 'not a url' } }, 'subscription.endpoint');
    await bad({ ...good, subscription: { ...good.subscription, keys: { ...sub.keys, auth: 'short' } } }, 'subscription.keys.auth');
    await bad({ ...good, locale: 'fr' }, 'locale');
    const count = (await database.db.execute(sql`select count(*)::int as n from push_subscriptions where endpoint = ${sub.endpoint}`)) as unknown as { rows: Array<{ n: number }> };
    expect(count.rows[0]!.n).toBe(0);

    // A voucher the server no longer holds is left out and named; with none held, nothing is kept.
    const gone = await voucher('PUSH-6-GONE');
    await database.db.execute(sql`delete from outbox where voucher_id = ${gone.id}`);
    await database.db.execute(sql`delete from vouchers where id = ${gone.id}`);
    const partly = await subscribe(sub, [v.token, gone.token]);
    expect(partly.status).toBe(201);
    expect(await partly.json()).toMatchObject({ voucher_ids: [v.id], unknown_voucher_ids: [gone.id] });
    expect((await subscribe(await service.subscription(), [gone.token])).status).toBe(404);
    expect((await subscribe(sub, [v.token])).status).toBe(201);
    expect((await h.req('DELETE', '/v1/push/subscriptions', { endpoint: sub.endpoint }, { key: null })).status).toBe(204);
    expect((await h.req('DELETE', '/v1/push/subscriptions', { endpoint: sub.endpoint }, { key: null })).status).toBe(404);
    await pay(v.token);
    await drain();
    expect(to(sub)).toHaveLength(0);
  });

  it('refuses, in production, a push endpoint on a private address, and no connection reaches it', async () => {
    const strict = await harness(database, { webhookTargets: 'public' });
    const v = (await (await strict.req('POST', '/v1/vouchers', { order_ref: 'PUSH-7', amount: 100, currency: 'EUR' })).json()) as { token: string };
    const sub = await service.subscription();
    const before = service.received.length;
    const res = await strict.req('POST', '/v1/push/subscriptions', { subscription: { endpoint: sub.endpoint, keys: sub.keys }, tokens: [v.token] }, { key: null });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/subscription.endpoint is refused/);
    expect(service.received.length).toBe(before);
  });
});
