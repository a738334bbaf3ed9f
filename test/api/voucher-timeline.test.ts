/**
 * Finding a voucher (GET /v1/vouchers `q`, `created_from`, `created_to`) and reading what happened
 * to it (GET /v1/vouchers/{id}/timeline), as the console's merchant pages do. Driven in test mode
 * through the test helpers, so the collection, the webhook delivery and the refund are real rows
 * made by the real paths. Both drivers. No worker runs: the webhook delivery stays queued and no
 * connection is ever made to its (loopback) endpoint.
 */
import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite } from '../support/harness.ts';

interface Voucher {
  id: string;
  order_ref: string;
  reference: string;
}
interface Entry {
  kind: string;
  status: string | null;
  channel: string | null;
  event_type: string | null;
  endpoint_url: string | null;
  delivery_id: string | null;
  amount: number | null;
  refund_id: string | null;
  at: string;
}

describe.each(drivers)('finding a voucher and its timeline on $name', (driver) => {
  const s = harnessPerSuite(driver);
  const create = async (body: Record<string, unknown>, key = s.h.testKeyA) =>
    (await (await s.h.req('POST', '/v1/vouchers', { amount: 1500, currency: 'EUR', ...body }, { key })).json()) as Voucher;
  const find = async (query: string, key = s.h.testKeyA) => {
    const res = await s.h.req('GET', `/v1/vouchers?${query}`, undefined, { key });
    return { status: res.status, ids: res.status === 200 ? ((await res.json()) as { data: Voucher[] }).data.map((v) => v.order_ref) : [] };
  };

  it('finds vouchers by order number (exact or its beginning), reference, or the shopper’s e-mail or phone, and by the day they were made', async () => {
    await create({ order_ref: 'FIND-1001', customer: { email: 'Ana@Example.com' } });
    s.h.clock.advance(86_400_000);
    await create({ order_ref: 'FIND-1002', customer: { phone: '+4915112345678' } });
    const third = await create({ order_ref: 'OTHER-7' });
    await create({ order_ref: 'FIND-1001' }, s.h.keyA); // live mode: never in test mode's answers

    expect((await find('q=FIND-1001')).ids).toEqual(['FIND-1001']);
    expect((await find('q=FIND-10')).ids).toEqual(['FIND-1002', 'FIND-1001']);
    expect((await find('q=find-')).ids, 'the beginning in any case').toEqual(['FIND-1002', 'FIND-1001']);
    expect((await find(`q=${encodeURIComponent(third.reference.replace(/(\d{4})/g, '$1 ').trim())}`)).ids).toEqual(['OTHER-7']);
    expect((await find('q=ana%40example.com')).ids).toEqual(['FIND-1001']);
    expect((await find(`q=${encodeURIComponent('+4915112345678')}`)).ids).toEqual(['FIND-1002']);
    expect((await find('q=%25')).ids, 'a % is a character, not a wildcard').toEqual([]);
    expect((await find('q=nothing-like-it')).ids).toEqual([]);

    const today = s.h.clock.now().toISOString().slice(0, 10);
    const yesterday = new Date(s.h.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    expect((await find(`created_from=${today}&q=FIND`)).ids).toEqual(['FIND-1002']);
    expect((await find(`created_to=${yesterday}&q=FIND`)).ids).toEqual(['FIND-1001']);
    expect((await find(`created_from=${yesterday}&created_to=${today}&q=FIND`)).ids).toEqual(['FIND-1002', 'FIND-1001']);
    expect((await find(`created_from=${today}&created_to=${yesterday}`)).status).toBe(400);
    expect((await find('created_from=yesterday')).status).toBe(400);
    expect((await find(`q=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('tells a voucher’s story oldest first: made, sent, collected, the webhook delivery of its payment, refunded and paid out', async () => {
    const endpoint = await s.h.req('POST', '/v1/webhook_endpoints', { url: 'http://127.0.0.1:9/never-called', events: ['voucher.paid', 'refund.created'] }, { key: s.h.testKeyA });
    expect(endpoint.status).toBe(201);
    const v = await create({ order_ref: 'STORY-1', customer: { email: 'story@example.com' }, notify: ['email'] });
    s.h.clock.advance(60_000);
    const collected = await s.h.req('POST', `/v1/test_helpers/vouchers/${v.id}/collect`, { outcome: 'accepted' }, { key: s.h.testKeyA });
    expect(collected.status).toBe(200);
    s.h.clock.advance(60_000);
    const refund = (await (await s.h.req('POST', '/v1/refunds', { voucher_id: v.id, amount: 500 }, { key: s.h.testKeyA })).json()) as { id: string };
    s.h.clock.advance(60_000);
    expect((await s.h.req('POST', `/v1/test_helpers/refunds/${refund.id}/pay_out`, undefined, { key: s.h.testKeyA })).status).toBe(200);

    const res = await s.h.req('GET', `/v1/vouchers/${v.id}/timeline`, undefined, { key: s.h.testKeyA });
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as { entries: Entry[] };
    const story = entries.map((e) => [e.kind, e.status ?? e.channel ?? ''].join(' '));
    expect(story[0]).toBe('created ');
    expect(story).toContain('message pending');
    expect(story).toContain('collection accepted');
    expect(story).toContain('refund paid');
    expect(story.at(-1)).toBe('refund_paid ');
    const paidHook = entries.find((e) => e.kind === 'webhook' && e.event_type === 'voucher.paid')!;
    expect(paidHook).toMatchObject({ status: 'pending', endpoint_url: 'http://127.0.0.1:9/never-called', delivery_id: expect.stringMatching(/^obx_/) });
    expect(entries.some((e) => e.kind === 'webhook' && e.event_type === 'refund.created')).toBe(true);
    expect(entries.find((e) => e.kind === 'refund')).toMatchObject({ amount: 500, refund_id: refund.id });
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());

    // Another merchant, or the other mode, reads nothing of it.
    expect((await s.h.req('GET', `/v1/vouchers/${v.id}/timeline`, undefined, { key: s.h.testKeyB })).status).toBe(404);
    expect((await s.h.req('GET', `/v1/vouchers/${v.id}/timeline`)).status).toBe(404);
  });

  it('ends the story of a canceled voucher with its cancelation, and of an unpaid one with its expiry', async () => {
    const canceled = await create({ order_ref: 'END-1' });
    await s.h.req('POST', `/v1/vouchers/${canceled.id}/cancel`, undefined, { key: s.h.testKeyA });
    const kinds = async (id: string) =>
      ((await (await s.h.req('GET', `/v1/vouchers/${id}/timeline`, undefined, { key: s.h.testKeyA })).json()) as { entries: Entry[] }).entries.map((e) => e.kind);
    expect(await kinds(canceled.id)).toEqual(['created', 'canceled']);
    const unpaid = await create({ order_ref: 'END-2', expires_in: 3600 });
    s.h.clock.advance(3600_000 + 1);
    expect(await kinds(unpaid.id)).toEqual(['created', 'expired']);
  });
});
