import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drivers } from '../support/databases.ts';
import { harness, PUBLIC_URL, type Harness } from '../support/harness.ts';
import type { Database } from '../../api/db/client.ts';
import { importVerificationKeys } from '../../core/token/operator-keys.ts';
import { verifyVoucherToken } from '../../core/token/voucher-token.ts';
import { voucherQrText } from '../../core/token/limits.ts';
import { referenceForVoucherId, dammValid } from '../../core/reference/reference.ts';
import { parseVoucherId } from '../../core/vouchers/voucher-id.ts';

const order = (over: Record<string, unknown> = {}) => ({
  order_ref: 'ORD-1001',
  amount: 4990,
  currency: 'EUR',
  items: [
    { name: 'Mug', quantity: 2, unit_amount: 1995 },
    { name: 'Tea', quantity: 1, unit_amount: 1000 },
  ],
  customer: { email: 'shopper@example.com', phone: '+4915112345678' },
  ...over,
});

describe.each(drivers)('voucher API on $name', (driver) => {
  let database: Database;
  let h: Harness;
  beforeAll(async () => {
    database = await driver.open();
    h = await harness(database);
  });
  afterAll(async () => database?.close());

  const create = async (over: Record<string, unknown> = {}, opts?: Parameters<Harness['req']>[3]) => h.req('POST', '/v1/vouchers', order(over), opts);
  const expectProblem = async (res: Response, status: number, type: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status, type: `/docs/problems#${type}` });
    expect(typeof body.title).toBe('string');
    expect(body.detail.length).toBeGreaterThan(5);
    return body;
  };

  describe('creating a voucher', () => {
    it('answers 201 with a signed token, its QR text, a derived reference and a short link', async () => {
      const res = await create();
      expect(res.status).toBe(201);
      const v = await res.json();
      expect(v).toMatchObject({
        object: 'voucher',
        status: 'open',
        order_ref: 'ORD-1001',
        amount: 4990,
        currency: 'EUR',
        merchant: { id: h.merchantA, name: 'Shop A' },
        paid_at: null,
        canceled_at: null,
      });
      expect(v.id).toMatch(/^vch_[0-9a-z]{13}$/);
      expect(v.qr).toBe(voucherQrText(PUBLIC_URL, v.token));
      expect(v.voucher_url).toMatch(/^http:\/\/localhost:8080\/v\/[0-9a-z]{26}$/);
      expect(v.reference).toBe(referenceForVoucherId(parseVoucherId(v.id)!));
      expect(dammValid(v.reference)).toBe(true);
      expect(Date.parse(v.expires_at) - Date.parse(v.created_at)).toBe(3 * 24 * 3600 * 1000);

      const keys = await importVerificationKeys(await (await h.req('GET', '/v1/keys')).json());
      const check = await verifyVoucherToken(v.token, keys);
      expect(check.ok).toBe(true);
      if (check.ok) {
        expect(check.claims).toMatchObject({ amount: 4990, currency: 'EUR', orderRef: 'ORD-1001', merchant: 'Shop A', summary: '2× Mug +1' });
        expect(check.claims.expiresAt * 1000).toBe(Date.parse(v.expires_at));
      }
    });

    it('keeps a zero-decimal currency in whole units', async () => {
      const res = await create({ amount: 1200, currency: 'JPY', items: [{ name: 'お茶', quantity: 3, unit_amount: 400 }] });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ amount: 1200, currency: 'JPY' });
    });

    it('takes expires_at, rounded down to whole seconds as in the token', async () => {
      const at = new Date(h.clock.now().getTime() + 3600_000 + 500).toISOString();
      const v = await (await create({ expires_at: at })).json();
      expect(v.expires_at).toBe(new Date(Math.floor(Date.parse(at) / 1000) * 1000).toISOString());
    });
  });

  describe('bad input gets a precise problem and writes nothing', () => {
    const cases: Array<[string, () => Promise<Response>, number, string, string?]> = [
      ['malformed JSON', () => h.req('POST', '/v1/vouchers', '{"order_ref": '), 400, 'malformed-json'],
      ['a wrong type', () => create({ amount: '49.90' }), 400, 'validation-failed', 'amount'],
      ['a fractional amount', () => create({ amount: 49.9, items: undefined }), 400, 'validation-failed', 'amount'],
      ['an unknown currency', () => create({ currency: 'EUX' }), 400, 'validation-failed', 'currency'],
      ['items that do not add up', () => create({ amount: 5000 }), 400, 'validation-failed', 'items'],
      ['an expiry too soon', () => create({ expires_in: 60 }), 400, 'validation-failed', 'expires_in'],
      ['an expiry too far', () => create({ expires_in: 61 * 24 * 3600 }), 400, 'validation-failed', 'expires_in'],
      ['an expires_at in the past', () => create({ expires_at: '2020-01-01T00:00:00Z' }), 400, 'validation-failed', 'expires_at'],
      ['both expires_at and expires_in', () => create({ expires_in: 3600, expires_at: '2026-11-27T00:00:00Z' }), 400, 'validation-failed', 'expires_in'],
      ['an order_ref over 64 characters', () => create({ order_ref: 'x'.repeat(65) }), 400, 'validation-failed', 'order_ref'],
      ['a non-ASCII order_ref', () => create({ order_ref: '订单1' }), 400, 'validation-failed', 'order_ref'],
      ['a missing order_ref', () => create({ order_ref: undefined }), 400, 'validation-failed', 'order_ref'],
      ['an unknown field', () => create({ colour: 'red' }), 400, 'validation-failed', 'colour'],
      ['notify by SMS without a phone', () => create({ notify: ['sms'], customer: { email: 'a@example.com' } }), 400, 'validation-failed', 'notify'],
      ['an unknown notify channel', () => create({ notify: ['pigeon'] }), 400, 'validation-failed', 'notify.0'],
      ['a bad phone number', () => create({ customer: { phone: '0151 1234' } }), 400, 'validation-failed', 'customer.phone'],
      ['too many metadata keys', () => create({ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }), 400, 'validation-failed', 'metadata'],
      ['a body over 64 KiB', () => create({ description: 'x'.repeat(70_000) }), 413, 'body-too-large'],
      [
        'a form-encoded body',
        () => h.req('POST', '/v1/vouchers', 'order_ref=1', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        415,
        'unsupported-media-type',
      ],
      ['no API key', () => create({}, { key: null }), 401, 'unauthenticated'],
      ['a wrong API key', () => create({}, { key: 'cpk_wrong' }), 401, 'unauthenticated'],
      ['a malformed Authorization header', () => create({}, { key: null, headers: { authorization: 'Basic abc' } }), 401, 'unauthenticated'],
      ['an over-long Idempotency-Key', () => create({}, { headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'validation-failed', 'Idempotency-Key'],
    ];
    for (const [name, send, status, type, field] of cases) {
      it(`refuses ${name} with ${status} ${type}`, async () => {
        const before = await h.countVouchers();
        const body = await expectProblem(await send(), status, type);
        if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(await h.countVouchers()).toBe(before);
      });
    }

    it('answers every random body with a 201 or a 4xx problem, never a 500', async () => {
      const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
      const body = fc.record(
        {
          order_ref: fc.oneof(fc.string({ maxLength: 70 }), value),
          amount: fc.oneof(fc.integer({ min: -10, max: 200_000_000 }), value),
          currency: fc.oneof(fc.constantFrom('EUR', 'JPY', 'eur', 'XXX', ''), value),
          items: fc.oneof(
            fc.array(fc.record({ name: fc.string(), quantity: fc.integer({ min: -1, max: 3 }), unit_amount: fc.integer({ min: -1, max: 5000 }) }), { maxLength: 3 }),
            value,
          ),
          expires_in: fc.oneof(fc.integer(), value),
          expires_at: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            value,
          ),
          metadata: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), value),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(body, fc.jsonValue(), fc.string()), async (b) => {
          const res = await h.req('POST', '/v1/vouchers', typeof b === 'string' ? b : JSON.stringify(b));
          expect(res.status === 201 || (res.status >= 400 && res.status < 500)).toBe(true);
          if (res.status !== 201) expect(res.headers.get('content-type')).toBe('application/problem+json');
        }),
        { numRuns: 150, seed: 42 },
      );
    });
  });

  describe('idempotency', () => {
    it('answers the same key and body with the first answer and creates nothing more', async () => {
      const headers = { 'idempotency-key': `same-${driver.name}` };
      const first = await create({}, { headers });
      const before = await h.countVouchers();
      const again = await create({}, { headers });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(await first.json());
      expect(await h.countVouchers()).toBe(before);
    });

    it('refuses the same key with another body with 422', async () => {
      const headers = { 'idempotency-key': `reuse-${driver.name}` };
      expect((await create({}, { headers })).status).toBe(201);
      const before = await h.countVouchers();
      await expectProblem(await create({ order_ref: 'OTHER' }, { headers }), 422, 'idempotency-key-reused');
      expect(await h.countVouchers()).toBe(before);
    });

    it('keeps keys per merchant', async () => {
      const headers = { 'idempotency-key': `per-merchant-${driver.name}` };
      const a = await (await create({}, { headers })).json();
      const b = await (await create({}, { headers, key: h.keyB })).json();
      expect(b.id).not.toBe(a.id);
      expect(b.merchant.name).toBe('Shop B');
    });

    it('takes over at once a claim whose request died, with no wait for it to go stale', async () => {
      const key = `died-${driver.name}`;
      const { idempotencyRepository } = await import('../../api/idempotency/idempotency.repository.ts');
      const { requestFingerprint } = await import('../../api/idempotency/idempotency.service.ts');
      const merchant = (await h.services.network.merchantForApiKey(h.keyA).then((k) => (k?.ok ? k.merchant : undefined)))!;
      // A claim committed by a request whose process then died (or whose database failed over): no transaction holds it.
      await idempotencyRepository.claim(database.db, merchant.id, key, requestFingerprint('POST /v1/vouchers', order()), h.clock.now());
      const retry = await create({}, { headers: { 'idempotency-key': key } });
      expect(retry.status).toBe(201);
      const replay = await create({}, { headers: { 'idempotency-key': key } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await replay.json()).id).toBe((await retry.json()).id);
    });

    it.runIf(driver.name === 'postgres')(
      'answers 409 with Retry-After 1 while the first request’s work transaction holds the claim (PostgreSQL only: PGlite runs one transaction at a time)',
      async () => {
        const key = `held-${driver.name}`;
        const { idempotencyRepository } = await import('../../api/idempotency/idempotency.repository.ts');
        const { requestFingerprint } = await import('../../api/idempotency/idempotency.service.ts');
        const merchant = (await h.services.network.merchantForApiKey(h.keyA).then((k) => (k?.ok ? k.merchant : undefined)))!;
        const claimedAt = h.clock.now();
        await idempotencyRepository.claim(database.db, merchant.id, key, requestFingerprint('POST /v1/vouchers', order()), claimedAt);
        let finish!: () => void;
        const finished = new Promise<void>((r) => (finish = r));
        let held!: () => void;
        const holding = new Promise<void>((r) => (held = r));
        // The first request, still at work: its transaction holds the claim until it ends (here: rolls back).
        const first = database.db
          .transaction(async (tx) => {
            expect(await idempotencyRepository.hold(tx, merchant.id, key, claimedAt)).toBe(true);
            held();
            await finished;
            throw new Error('the first request fails');
          })
          .catch(() => idempotencyRepository.release(database.db, merchant.id, key, claimedAt));
        await holding;
        const busy = await create({}, { headers: { 'idempotency-key': key } });
        await expectProblem(busy, 409, 'idempotency-key-in-use');
        expect(busy.headers.get('retry-after')).toBe('1');
        finish();
        await first;
        expect((await create({}, { headers: { 'idempotency-key': key } })).status).toBe(201);
      },
    );

    it('stores no answer from a request whose claim another took over before its work began', async () => {
      const key = `slow-${driver.name}`;
      const { idempotencyRepository } = await import('../../api/idempotency/idempotency.repository.ts');
      const { requestFingerprint } = await import('../../api/idempotency/idempotency.service.ts');
      const merchant = (await h.services.network.merchantForApiKey(h.keyA).then((k) => (k?.ok ? k.merchant : undefined)))!;
      const slowClaim = h.clock.now();
      await idempotencyRepository.claim(database.db, merchant.id, key, requestFingerprint('POST /v1/vouchers', order()), slowClaim);
      h.clock.advance(1000);
      const second = await (await create({}, { headers: { 'idempotency-key': key } })).json();
      // The slow first request now begins its work: the claim is no longer its own.
      expect(await database.db.transaction((tx) => idempotencyRepository.hold(tx, merchant.id, key, slowClaim))).toBe(false);
      expect(await database.db.transaction((tx) => idempotencyRepository.complete(tx, merchant.id, key, slowClaim, 201, { id: 'vch_slow' }))).toBe(false);
      await idempotencyRepository.release(database.db, merchant.id, key, slowClaim);
      const replay = await create({}, { headers: { 'idempotency-key': key } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await replay.json()).id).toBe(second.id);
    });

    it('creates exactly one voucher from 50 simultaneous requests with one key', async () => {
      const headers = { 'idempotency-key': `burst-${driver.name}` };
      const before = await h.countVouchers();
      const answers = await Promise.all(Array.from({ length: 50 }, () => create({ order_ref: 'BURST' }, { headers })));
      const statuses = answers.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const ids = new Set(await Promise.all(answers.filter((r) => r.status === 201).map(async (r) => (await r.json()).id)));
      expect(ids.size).toBe(1);
      expect(await h.countVouchers()).toBe(before + 1);
    });
  });

  describe('reading, listing, canceling', () => {
    it("answers 404 for another merchant's voucher, on read and on cancel", async () => {
      const v = await (await create()).json();
      await expectProblem(await h.req('GET', `/v1/vouchers/${v.id}`, undefined, { key: h.keyB }), 404, 'not-found');
      await expectProblem(await h.req('POST', `/v1/vouchers/${v.id}/cancel`, undefined, { key: h.keyB }), 404, 'not-found');
      expect((await (await h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('open');
    });

    it('lists only your own vouchers, newest first, a page at a time', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        h.clock.advance(1000);
        ids.push((await (await create({ order_ref: `PAGE-${i}` }, { key: h.keyB })).json()).id);
      }
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await (await h.req('GET', `/v1/vouchers?limit=2${after ? `&starting_after=${after}` : ''}`, undefined, { key: h.keyB })).json();
        seen.push(...page.data.map((v: { id: string }) => v.id));
        expect(page.data.every((v: { merchant: { name: string } }) => v.merchant.name === 'Shop B')).toBe(true);
        if (!page.has_more) break;
        after = page.data.at(-1).id;
      }
      expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    });

    it('refuses a bad limit and an unknown cursor', async () => {
      await expectProblem(await h.req('GET', '/v1/vouchers?limit=0'), 400, 'validation-failed');
      await expectProblem(await h.req('GET', '/v1/vouchers?limit=abc'), 400, 'validation-failed');
      await expectProblem(await h.req('GET', '/v1/vouchers?starting_after=vch_nope'), 400, 'validation-failed');
      await expectProblem(await h.req('GET', '/v1/vouchers?status=lost'), 400, 'validation-failed');
    });

    it('cancels an open voucher once; a second cancel is 409', async () => {
      const v = await (await create()).json();
      const canceled = await (await h.req('POST', `/v1/vouchers/${v.id}/cancel`)).json();
      expect(canceled).toMatchObject({ status: 'canceled', canceled_at: h.clock.now().toISOString() });
      const body = await expectProblem(await h.req('POST', `/v1/vouchers/${v.id}/cancel`), 409, 'voucher-not-open');
      expect(body.detail).toContain('canceled');
    });

    it('reads an open voucher as expired the moment its time passes, and will not cancel it', async () => {
      const v = await (await create({ expires_in: 900, order_ref: 'SOON' })).json();
      h.clock.advance(899_000);
      expect((await (await h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('open');
      h.clock.advance(1_000);
      expect((await (await h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('expired');
      const expired = await (await h.req('GET', '/v1/vouchers?status=expired&limit=100')).json();
      expect(expired.data.map((x: { id: string }) => x.id)).toContain(v.id);
      const open = await (await h.req('GET', '/v1/vouchers?status=open&limit=100')).json();
      expect(open.data.map((x: { id: string }) => x.id)).not.toContain(v.id);
      await expectProblem(await h.req('POST', `/v1/vouchers/${v.id}/cancel`), 409, 'voucher-not-open');
    });
  });

  describe('delivery to the shopper', () => {
    it('queues e-mail and SMS in the outbox with the voucher, and resends on request', async () => {
      const { outbox } = await import('../../api/db/schema.ts');
      const { eq } = await import('drizzle-orm');
      const v = await (await create({ notify: ['email', 'sms'] })).json();
      const queued = await database.db.select().from(outbox).where(eq(outbox.voucherId, v.id));
      expect(queued.map((q) => q.kind).sort()).toEqual(['email', 'sms']);
      const resent = await h.req('POST', `/v1/vouchers/${v.id}/resend`, { notify: ['email'] });
      expect(resent.status).toBe(202);
      expect(await resent.json()).toEqual({ object: 'voucher_delivery', voucher_id: v.id, queued: ['email'] });
      expect(await database.db.select().from(outbox).where(eq(outbox.voucherId, v.id))).toHaveLength(3);
      // The merchant's default applies when a request does not say, for the contacts it has.
      await h.services.network.setDefaultNotify(h.merchantA, ['sms']);
      const byDefault = await (await create({ customer: { phone: '+4915112345678' } })).json();
      expect((await database.db.select().from(outbox).where(eq(outbox.voucherId, byDefault.id))).map((q) => q.kind)).toEqual(['sms']);
      await h.services.network.setDefaultNotify(h.merchantA, []);
      await expect(h.services.network.setDefaultNotify(h.merchantA, ['fax'])).rejects.toThrow(/unknown channel "fax"/);
      const noContact = await (await create({ customer: undefined })).json();
      await expectProblem(await h.req('POST', `/v1/vouchers/${noContact.id}/resend`, {}), 400, 'validation-failed');
      await h.req('POST', `/v1/vouchers/${v.id}/cancel`);
      await expectProblem(await h.req('POST', `/v1/vouchers/${v.id}/resend`, {}), 409, 'voucher-not-open');
    });
  });

  describe('shopper endpoints', () => {
    it('opens a voucher from its short link without customer data', async () => {
      const v = await (await create()).json();
      const code = v.voucher_url.split('/v/')[1];
      const link = await (await h.req('GET', `/v1/voucher-links/${code}`, undefined, { key: null })).json();
      expect(link).toMatchObject({ object: 'voucher_link', voucher_id: v.id, token: v.token, qr: v.qr, reference: v.reference, merchant: { name: 'Shop A' }, status: 'open' });
      expect(link).not.toHaveProperty('customer');
      await expectProblem(await h.req('GET', '/v1/voucher-links/aaaaaaaaaaaaaaaaaaaaaaaaaa', undefined, { key: null }), 404, 'not-found');
    });

    it('tells a token holder the current status and refuses an altered token', async () => {
      const v = await (await create()).json();
      await h.req('POST', `/v1/vouchers/${v.id}/cancel`);
      const altered = v.token.slice(0, 40) + ((Number(v.token[40]) + 1) % 10) + v.token.slice(41);
      const res = await h.req('POST', '/v1/voucher-status', { tokens: [v.token, altered, 'junk'] }, { key: null });
      expect(res.status).toBe(200);
      const { data } = await res.json();
      expect(data[0]).toMatchObject({ voucher_id: v.id, status: 'canceled' });
      expect(data[1]).toEqual({ error: 'invalid_token' });
      expect(data[2]).toEqual({ error: 'invalid_token' });
      await expectProblem(await h.req('POST', '/v1/voucher-status', { tokens: [] }, { key: null }), 400, 'validation-failed');
    });
  });

  describe('signing keys', () => {
    it('keeps verifying tokens of a rotated key and drops a withdrawn one', async () => {
      const old = await (await create()).json();
      const rotated = await h.services.keys.rotate();
      const fresh = await (await create()).json();
      const jwks = await (await h.req('GET', '/v1/keys')).json();
      expect(jwks.keys.map((k: { kid: string }) => Number(k.kid))).toEqual(expect.arrayContaining([rotated.current.kid, rotated.retired!.kid]));
      const retiredJwk = jwks.keys.find((k: { kid: string }) => Number(k.kid) === rotated.retired!.kid);
      expect(Date.parse(retiredJwk.verify_until)).toBeGreaterThanOrEqual(Date.parse(old.expires_at));
      const keys = await importVerificationKeys(jwks);
      expect((await verifyVoucherToken(old.token, keys)).ok).toBe(true);
      expect((await verifyVoucherToken(fresh.token, keys)).ok).toBe(true);

      await h.services.keys.withdraw(rotated.retired!.kid);
      const after = await importVerificationKeys(await (await h.req('GET', '/v1/keys')).json());
      expect(await verifyVoucherToken(old.token, after)).toMatchObject({ ok: false, reason: 'unknown_key' });
      expect((await verifyVoucherToken(fresh.token, after)).ok).toBe(true);
    });
  });

  describe('documents', () => {
    it('serves an OpenAPI 3.1 document built from the validating schemas, and a reference page', async () => {
      const doc = await (await h.req('GET', '/openapi.json', undefined, { key: null })).json();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/vouchers', '/v1/vouchers/{id}', '/v1/vouchers/{id}/cancel', '/v1/keys', '/v1/voucher-status']));
      expect(doc.components.schemas.CreateVoucher.required).toEqual(expect.arrayContaining(['order_ref', 'amount', 'currency']));
      const page = await h.req('GET', '/docs', undefined, { key: null });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/v1/vouchers/{id}/cancel');
      expect((await (await h.req('GET', '/healthz', undefined, { key: null })).json()).status).toBe('ok');
      await expectProblem(await h.req('GET', '/v1/nothing-here', undefined, { key: null }), 404, 'not-found');
    });
  });
});
