/**
 * The edges that face the world (docs/security.md): what no till may send, the till's clock,
 * revoked tills, guessing, and text that would hide or reorder what a person reads.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite, tillRequest } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';
import { MAX_AMOUNT } from '../../core/token/limits.ts';
import { ledgerRepository } from '../../api/ledger/ledger.repository.ts';
import { describeForLog } from '../../api/http/problem.ts';

describe.each(drivers)('hardened edges on $name', (driver) => {
  const s = harnessPerSuite(driver);
  let store: string;
  beforeAll(async () => {
    store = (await s.h.services.network.createStore('Edge Store'))!.id;
  });

  const till = async () => TestTill.enrol(tillRequest(s.h), (await s.h.services.devices.createEnrolmentCode(store)).code);
  const voucher = async (body: Record<string, unknown> = {}) => (await s.h.req('POST', '/v1/vouchers', { order_ref: 'EDGE-1', amount: 4_990, currency: 'EUR', ...body })).json();
  const balances = async () => JSON.stringify((await s.h.services.ledger.balances()).data);

  describe('money no till may send', () => {
    it('refuses a signed record above the largest voucher, and one in a currency the store does not take, posting nothing', async () => {
      const t = await till();
      const v = await voucher();
      const before = await balances();
      const [huge, yen] = await t.outcomes([await t.record(v.token, Number.MAX_SAFE_INTEGER), await t.record(v.token, 4_990, { currency: 'JPY' })]);
      expect(huge).toMatchObject({ outcome: 'rejected', reason: 'amount_out_of_range' });
      expect(yen).toMatchObject({ outcome: 'rejected', reason: 'currency_not_store' });
      expect(await balances()).toBe(before);
      expect((await (await s.h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('open');
    });

    it('sums balances exactly past 2^53 minor units, never through a float', async () => {
      const near = BigInt(Number.MAX_SAFE_INTEGER);
      await s.database.db.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) {
          await ledgerRepository.post(tx, { kind: 'correction', livemode: true, currency: 'XTS', memo: 'exactness', createdAt: s.h.clock.now() }, [
            { account: 'test:big', amount: Number.MAX_SAFE_INTEGER, currency: 'XTS' },
            { account: 'test:other', amount: -Number.MAX_SAFE_INTEGER, currency: 'XTS' },
          ]);
        }
      });
      const big = (await s.h.services.ledger.balances()).data.find((b) => b.account === 'test:big');
      expect(big?.balance).toBe((near * 3n).toString());
    });

    it('accepts a collection exactly when its amount is within the voucher maximum, for amounts near every limit', async () => {
      const t = await till();
      const near = fc.oneof(
        fc.integer({ min: MAX_AMOUNT - 3, max: MAX_AMOUNT + 3 }),
        fc.integer({ min: Number.MAX_SAFE_INTEGER - 3, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 3 }),
      );
      await fc.assert(
        fc.asyncProperty(near, async (amount) => {
          const v = await voucher({ amount: Math.min(amount, MAX_AMOUNT) });
          const before = await balances();
          const [answer] = await t.outcomes([await t.record(v.token, amount)]);
          if (amount > MAX_AMOUNT) {
            expect(answer).toMatchObject({ outcome: 'rejected', reason: 'amount_out_of_range' });
            expect(await balances()).toBe(before);
          } else {
            expect(answer!.outcome).toBe('accepted');
            // Every posting is a whole number and the books still sum to zero per currency.
            const eur = (await s.h.services.ledger.balances()).data.filter((b) => b.currency === 'EUR');
            expect(eur.reduce((sum, b) => sum + BigInt(b.balance), 0n)).toBe(0n);
          }
        }),
        { seed: 9, numRuns: 12 },
      );
    });
  });

  describe("the till's clock", () => {
    it('holds for review a backdated record that alone would make an expired voucher paid, and flags it', async () => {
      const t = await till();
      const v = await voucher({ expires_in: 900 });
      s.h.clock.advance(20 * 60_000);
      // Claims a time before the till's enrolment and before the server time it had seen.
      const [answer] = await t.outcomes([await t.record(v.token, 4_990, { collectedAt: new Date(s.h.clock.now().getTime() - 2 * 3600_000) })]);
      expect(answer).toMatchObject({ outcome: 'rejected', reason: 'clock_out_of_bounds' });
      expect(answer!.flags).toContain('clock_out_of_bounds');
      expect((await (await s.h.req('GET', `/v1/vouchers/${v.id}`)).json()).status).toBe('expired');
    });

    it('accepts an honest offline collection made before expiry and sent after it, with no flag', async () => {
      const t = await till();
      const v = await voucher({ expires_in: 900 });
      const madeAt = new Date(s.h.clock.now().getTime() + 10 * 60_000);
      s.h.clock.advance(60 * 60_000);
      const [answer] = await t.outcomes([await t.record(v.token, 4_990, { collectedAt: madeAt })]);
      expect(answer).toMatchObject({ outcome: 'accepted', flags: [] });
    });

    it('flags a record dated 2001, one before its previous record, and a forged server time', async () => {
      const t = await till();
      const [a, b] = [await voucher(), await voucher()];
      const [old] = await t.outcomes([await t.record(a.token, 4_990, { collectedAt: new Date('2001-01-01T00:00:00Z') })]);
      expect(old!.flags).toContain('clock_out_of_bounds');
      const first = await t.record(b.token, 4_990);
      const proof = t.serverTime!.proof;
      const at = proof.indexOf('.') + 10;
      const forged = { ...t.serverTime!, proof: proof.slice(0, at) + (proof[at] === 'A' ? 'B' : 'A') + proof.slice(at + 1) };
      t.serverTime = forged;
      const c = await voucher();
      const second = await t.record(c.token, 4_990, { collectedAt: new Date(s.h.clock.now().getTime() - 3600_000) });
      const answers = await t.outcomes([first, second]);
      expect(answers[0]!.flags).toEqual([]);
      expect(answers[1]!.flags).toEqual(expect.arrayContaining(['bad_server_time', 'clock_out_of_bounds']));
    });
  });

  describe('revoked tills and guessing', () => {
    it('refuses a revoked till on every till route but keeps what it sends as rejected', async () => {
      const t = await till();
      const v = await voucher();
      await s.h.services.devices.revoke(t.id);
      // Revoking again is a conflict with the till's state, as canceling a paid voucher is.
      await expect(s.h.services.devices.revoke(t.id)).rejects.toMatchObject({ kind: 'conflict', code: 'device-already-revoked' });
      const auth = { authorization: `Bearer ${t.credential}` };
      for (const path of ['/v1/till/feed', `/v1/till/vouchers/by-reference/${v.reference}`]) {
        const res = await s.h.req('GET', path, undefined, { key: null, headers: auth });
        expect(res.status, path).toBe(403);
        expect((await res.json()).type).toBe('/docs/problems#device-revoked');
      }
      const [answer] = await t.outcomes([await t.record(v.token, 4_990)]);
      expect(answer).toMatchObject({ outcome: 'rejected', reason: 'device_revoked' });
    });

    it('answers an unknown, a used and an expired enrolment code alike, and limits attempts per address', async () => {
      const used = (await s.h.services.devices.createEnrolmentCode(store)).code;
      await TestTill.enrol(tillRequest(s.h), used);
      const expired = (await s.h.services.devices.createEnrolmentCode(store)).code;
      s.h.clock.advance(24 * 3600_000 + 1);
      const valid = {
        kty: 'EC',
        crv: 'P-256',
        ...(await crypto.subtle.exportKey('jwk', (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])).publicKey)),
      };
      const attempt = (address: string, code: string) =>
        s.h.app.request(
          '/v1/devices',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ enrollment_code: code, public_key: { kty: 'EC', crv: 'P-256', x: valid.x, y: valid.y } }),
          },
          { incoming: { socket: { remoteAddress: address } } },
        );
      const details = await Promise.all(['ZZZZ-ZZZZ', used, expired].map(async (code) => (await (await attempt('192.0.2.7', code)).json()).detail));
      expect(new Set(details).size).toBe(1);
      let limited: Response | undefined;
      for (let i = 0; i < 30 && !limited; i++) {
        const res = await attempt('192.0.2.8', 'ZZZZ-ZZZZ');
        if (res.status === 429) limited = res;
      }
      expect(limited?.status).toBe(429);
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await attempt('192.0.2.9', 'ZZZZ-ZZZZ')).status).toBe(400);
    });

    it('limits typed reference look-ups per till', async () => {
      const t = await till();
      const auth = { authorization: `Bearer ${t.credential}` };
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) statuses.push((await s.h.req('GET', '/v1/till/vouchers/by-reference/000000000000', undefined, { key: null, headers: auth })).status);
      expect(statuses.slice(0, 30).every((s) => s === 400 || s === 404)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
    });
  });

  describe('text', () => {
    it('refuses a control character in any string field with a 400 naming the field, and stores nothing', async () => {
      const before = await s.h.countVouchers();
      for (const [body, field] of [
        [{ order_ref: 'A\u0000B' }, 'order_ref'],
        [{ customer: { email: 'a\u0000@example.com' } }, 'customer.email'],
        [{ metadata: { note: 'x\u0007' } }, 'metadata.note'],
        [{ description: 'line\u001b[2J' }, 'description'],
      ] as Array<[Record<string, unknown>, string]>) {
        const res = await s.h.req('POST', '/v1/vouchers', { order_ref: 'T-1', amount: 100, currency: 'EUR', ...body });
        expect(res.status, field).toBe(400);
        expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const nulInPath = await s.h.req('GET', '/v1/vouchers/vch_%00x');
      expect(nulInPath.status).toBe(400);
      expect(await s.h.countVouchers()).toBe(before);
    });

    it('refuses bidirectional overrides and invisible characters in what people read', async () => {
      for (const [body, field] of [
        [{ items: [{ name: 'Mug \u202E00.01 RUE', quantity: 1, unit_amount: 100 }] }, 'items.0.name'],
        [{ description: 'zero\u200Bwidth' }, 'description'],
      ] as const) {
        const res = await s.h.req('POST', '/v1/vouchers', { order_ref: 'T-2', amount: 100, currency: 'EUR', ...body });
        expect(res.status, field).toBe(400);
        expect((await res.json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(/bidirectional|invisible/) })]));
      }
      await expect(s.h.services.network.createStore('Shop \u202Eevil')).rejects.toThrow(/bidirectional control U\+202E/);
      // An emoji sequence (zero width joiner) is fine.
      expect(
        (await s.h.req('POST', '/v1/vouchers', { order_ref: 'T-3', amount: 100, currency: 'EUR', items: [{ name: 'Family 👨‍👩‍👧 mug', quantity: 1, unit_amount: 100 }] })).status,
      ).toBe(201);
    });

    it('neutralises spreadsheet formulas in CSV statements', async () => {
      const t = await till();
      const v = await voucher({ order_ref: '=HYPERLINK("x")' });
      await t.outcomes([await t.record(v.token, 4_990)]);
      s.h.clock.advance(2 * 86_400_000);
      const day = new Date(s.h.clock.now().getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
      const run = await s.h.services.ledger.settle(day);
      const statement = run.statements.find((s) => s.party.kind === 'merchant')!;
      const csv = await s.h.services.ledger.statementCsv(statement.id);
      expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
      expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    });

    it('logs a failed query in one line without its SQL or parameters', () => {
      const err = Object.assign(new Error('Failed query: insert into vouchers values ($1)\nparams: cpk_secret,shopper@example.com'), {
        cause: { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
      });
      const line = describeForLog(err);
      expect(line).toBe('Error (SQLSTATE 22021): invalid byte sequence for encoding "UTF8": 0x00');
      expect(describeForLog(new Error('Failed query: select 1\nparams: shopper@example.com'))).toBe('Error: a database query failed');
    });
  });
});
