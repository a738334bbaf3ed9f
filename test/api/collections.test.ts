import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { storeSuite, tillRequest, withTestFlag, type Harness } from '../support/harness.ts';
import { TestTill } from '../support/till.ts';

describe.each(drivers)('till API on $name', (driver) => {
  let h: Harness, store: string;
  storeSuite(driver, 'Corner Store', (s) => {
    ({ h, store } = s);
  });

  const code = async () => (await h.services.devices.createEnrolmentCode(store)).code;
  const till = async () => TestTill.enrol(tillRequest(h), await code());
  const voucher = async (over: Record<string, unknown> = {}) => {
    const res = await h.req('POST', '/v1/vouchers', { order_ref: 'ORD-7', amount: 2500, currency: 'EUR', ...over });
    expect(res.status).toBe(201);
    return res.json();
  };
  const status = async (id: string) => await (await h.req('GET', `/v1/vouchers/${id}`)).json();

  describe('enrolment', () => {
    it('gives a till its credential, store and lease once per code', async () => {
      const c = await code();
      const t = await TestTill.enrol(tillRequest(h), c.toLowerCase().replace('-', ' '));
      expect(t.enrolment).toMatchObject({
        object: 'device',
        store: { id: store, currency: 'EUR' },
        lease: { currency: 'EUR', max_voucher_amount: 25_000, max_unsynced_total: 100_000, max_unsynced_count: 100, max_offline_seconds: 86_400 },
      });
      expect(t.credential).toMatch(/^cpd_/);
      await expect(TestTill.enrol(tillRequest(h), c)).rejects.toThrow(/400.*not valid: it may be mistyped, already used or expired/);
    });

    it('refuses an unknown code, an expired code and a key that is not P-256', async () => {
      await expect(TestTill.enrol(tillRequest(h), 'ZZZZ-ZZZZ')).rejects.toThrow(/400.*not valid: it may be mistyped, already used or expired/);
      const c = await code();
      h.clock.advance(24 * 3600_000 + 1);
      await expect(TestTill.enrol(tillRequest(h), c)).rejects.toThrow(/400.*not valid: it may be mistyped, already used or expired/);
      const res = await h.req('POST', '/v1/devices', { enrollment_code: await code(), public_key: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB' } }, { key: null });
      expect(res.status).toBe(400);
      expect((await res.json()).detail).toContain('not a P-256 public key');
    });
  });

  describe('collections', () => {
    it('accepts a collection: the voucher becomes paid at the time the cash was taken, and the shopper sees it', async () => {
      const t = await till();
      const v = await voucher();
      const at = new Date(h.clock.now().getTime() - 60_000);
      const [answer] = await t.outcomes([await t.record(v.token, 2500, { collectedAt: at })]);
      expect(answer).toMatchObject({ outcome: 'accepted', voucher_id: v.id, flags: [] });
      expect(await status(v.id)).toMatchObject({ status: 'paid', paid_at: at.toISOString() });
      const shopper = await (await h.req('POST', '/v1/voucher-status', { tokens: [v.token] }, { key: null })).json();
      expect(shopper.data[0].status).toBe('paid');
    });

    it('answers a resent collection with the same outcome and changes nothing', async () => {
      const t = await till();
      const v = await voucher();
      const record = await t.record(v.token, 2500);
      const first = await t.outcomes([record]);
      const before = await status(v.id);
      expect(await t.outcomes([record, record])).toEqual([first[0], { ...first[0], index: 1 }]);
      expect(await status(v.id)).toEqual(before);
    });

    it('decides a new record sent twice in one batch once, beside the batch’s other records: both copies answer the one outcome', async () => {
      // One batch is one transaction; a record twice in it makes the transaction give way, and each
      // record is then decided alone (api/till-api/collections.service.ts).
      const t = await till();
      const [v, w] = [await voucher(), await voucher({ order_ref: 'ORD-8' })];
      const record = await t.record(v.token, 2500);
      const other = await t.record(w.token, 2500);
      const answers = await t.outcomes([record, other, record]);
      expect(answers.map((a) => a.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(answers[2]).toEqual({ ...answers[0], index: 2 });
      expect(answers[1]).toMatchObject({ voucher_id: w.id });
      expect((await status(v.id)).status).toBe('paid');
      expect(await t.outcomes([record])).toEqual([answers[0]]);
    });

    it('accepts one of two tills collecting one voucher; the other is a duplicate owed back to the shopper', async () => {
      const [a, b] = [await till(), await till()];
      const v = await voucher();
      const ra = await a.record(v.token, 2500);
      const rb = await b.record(v.token, 2500);
      const [[oa], [ob]] = await Promise.all([a.outcomes([ra]), b.outcomes([rb])]);
      expect([oa!.outcome, ob!.outcome].sort()).toEqual(['accepted', 'duplicate']);
      const dup = oa!.outcome === 'duplicate' ? oa! : ob!;
      expect(dup.detail).toMatch(/already paid .*refund 2500 EUR/);
    });

    it('calls a collection after expiry or cancel late, and a wrong amount a mismatch', async () => {
      const t = await till();
      const expiring = await voucher({ expires_in: 900 });
      const canceled = await voucher();
      await h.req('POST', `/v1/vouchers/${canceled.id}/cancel`);
      const other = await voucher();
      const afterExpiry = new Date(Date.parse(expiring.expires_at) + 1000);
      const answers = await t.outcomes([
        await t.record(expiring.token, 2500, { collectedAt: afterExpiry }),
        await t.record(canceled.token, 2500),
        await t.record(other.token, 2400),
      ]);
      expect(answers.map((a) => a.outcome)).toEqual(['late', 'late', 'mismatch']);
      expect(answers[0]!.detail).toContain('expired');
      expect(answers[1]!.detail).toContain('canceled');
      expect((await status(other.id)).status).toBe('open');
    });

    it('rejects for review a bad device signature, an altered token and a record naming another till', async () => {
      const t = await till();
      const v = await voucher();
      const forged = { ...(await t.record(v.token, 2500)), amount: 1 };
      const altered = await t.record(v.token.slice(0, 20) + ((Number(v.token[20]) + 1) % 10) + v.token.slice(21), 2500);
      const other = await till();
      const foreign = await other.record(v.token, 2500);
      const answers = await t.outcomes([forged, altered, foreign]);
      expect(answers.map((a) => [a.outcome, a.reason])).toEqual([
        ['rejected', 'bad_device_signature'],
        ['rejected', 'bad_token'],
        ['rejected', 'wrong_device'],
      ]);
      expect((await status(v.id)).status).toBe('open');
    });

    it('rejects a test-mode token for review: no till takes money for it, and the voucher stays open', async () => {
      const t = await till();
      const v = await voucher();
      const testToken = await withTestFlag(h, v.token);
      const [answer] = await t.outcomes([await t.record(testToken, 2500)]);
      expect(answer).toMatchObject({ outcome: 'rejected', reason: 'test_token' });
      expect(answer!.detail).toContain('test-mode voucher');
      expect((await status(v.id)).status).toBe('open');
    });

    it('answers a malformed record as such without storing it, and still decides the rest of the batch', async () => {
      const t = await till();
      const v = await voucher();
      const good = await t.record(v.token, 2500);
      const answers = await t.outcomes([{ id: 'x', amount: 'lots' }, good]);
      expect(answers[0]).toMatchObject({ index: 0, id: 'x', outcome: 'rejected', reason: 'malformed' });
      expect(answers[0]!.detail).toContain('cannot read');
      expect(answers[1]).toMatchObject({ index: 1, outcome: 'accepted' });
    });

    it('flags a sequence gap and a broken chain on the record and on the till, and still settles the money', async () => {
      const t = await till();
      const [v1, v2, v3] = [await voucher(), await voucher(), await voucher()];
      const r1 = await t.record(v1.token, 2500);
      await t.record(v2.token, 2500); // recorded, never sent: a lost record
      const r3 = await t.record(v3.token, 2500);
      const answers = await t.outcomes([r1, r3]);
      expect(answers.map((a) => a.outcome)).toEqual(['accepted', 'accepted']);
      expect(answers[1]!.flags).toEqual(['sequence_gap']);
      const list = await h.services.devices.list();
      expect(list.find((d) => d.id === t.id)).toMatchObject({ missing_records: 1, flags: ['1 missing record(s)'] });

      const t2 = await till();
      const a = await t2.record((await voucher()).token, 2500);
      t2.prevHash = 'f'.repeat(64); // an altered journal
      const b = await t2.record((await voucher()).token, 2500);
      const chain = await t2.outcomes([a, b]);
      expect(chain[1]!.flags).toEqual(['chain_mismatch']);
      expect((await h.services.devices.list()).find((d) => d.id === t2.id)!.chain_breaks).toBe(1);
    });

    it('rejects what a revoked till sends afterwards and keeps what it sent before', async () => {
      const t = await till();
      const [v1, v2] = [await voucher(), await voucher()];
      expect((await t.outcomes([await t.record(v1.token, 2500)]))[0]!.outcome).toBe('accepted');
      await h.services.devices.revoke(t.id);
      const [late] = await t.outcomes([await t.record(v2.token, 2500)]);
      expect(late).toMatchObject({ outcome: 'rejected', reason: 'device_revoked' });
      expect((await status(v1.id)).status).toBe('paid');
      expect((await status(v2.id)).status).toBe('open');
      const feed = await t.feed();
      expect(feed.status).toBe(403);
      expect((await feed.json()).type).toBe('/docs/problems#device-revoked');
    });

    it('refuses a batch that is empty, too large or unauthenticated', async () => {
      const t = await till();
      expect((await t.send([])).status).toBe(400);
      expect((await t.send(Array.from({ length: 501 }, () => ({})))).status).toBe(400);
      const res = await h.req('POST', '/v1/collections', { collections: [{}] }, { key: null });
      expect(res.status).toBe(401);
    });
  });

  describe('feed and typed references', () => {
    it('lists paid and canceled vouchers since a cursor, with keys and lease', async () => {
      const t = await till();
      const first = await (await t.feed()).json();
      expect(first).toMatchObject({ object: 'till_feed', lease: { currency: 'EUR' }, store: { id: store } });
      expect(first.keys.keys.length).toBeGreaterThan(0);
      const paid = await voucher();
      const canceled = await voucher();
      await t.outcomes([await t.record(paid.token, 2500)]);
      await h.req('POST', `/v1/vouchers/${canceled.id}/cancel`);
      const next = await (await t.feed(first.cursor)).json();
      const changes = Object.fromEntries(next.changes.map((c: { voucher_id: string; status: string }) => [c.voucher_id, c.status]));
      expect(changes[paid.id]).toBe('paid');
      expect(changes[canceled.id]).toBe('canceled');
      expect((await t.feed('garbage')).status).toBe(400);
    });

    it('resolves a typed reference to its token, and says why a typed reference is wrong', async () => {
      const t = await till();
      const v = await voucher();
      const auth = { authorization: `Bearer ${t.credential}` };
      const ok = await h.req('GET', `/v1/till/vouchers/by-reference/${v.reference}`, undefined, { key: null, headers: auth });
      expect(await ok.json()).toEqual({ voucher_id: v.id, token: v.token, status: 'open' });
      const wrongDigit = v.reference.slice(0, 11) + ((Number(v.reference[11]) + 1) % 10);
      const bad = await h.req('GET', `/v1/till/vouchers/by-reference/${wrongDigit}`, undefined, { key: null, headers: auth });
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toContain('check digit');
      // A well-formed reference no voucher has: find one by changing two digits and fixing the check digit.
      const { dammCheckDigit } = await import('../../core/reference/reference.ts');
      const body = String((Number(v.reference.slice(0, 11)) + 1) % 1e11).padStart(11, '0');
      const unknown = await h.req('GET', `/v1/till/vouchers/by-reference/${body}${dammCheckDigit(body)}`, undefined, { key: null, headers: auth });
      expect(unknown.status).toBe(404);
    });
  });
});
