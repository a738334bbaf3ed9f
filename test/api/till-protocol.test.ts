/**
 * The batches in docs/till-protocol-vectors.json, sent to the server by a till built from the
 * protocol document alone (no Counterpay till code: WebCrypto, fetch-shaped requests, JSON).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite } from '../support/harness.ts';

const vectors = JSON.parse(readFileSync(new URL('../../docs/till-protocol-vectors.json', import.meta.url), 'utf8'));
const b64url = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('base64url');
const hex = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('hex');

describe.each(drivers)('a till written from docs/till-protocol.md on $name', (driver) => {
  const s = harnessPerSuite(driver);

  it('gets the outcomes the vectors name, batch by batch', async () => {
    const store = (await s.h.services.network.createStore('Protocol Store'))!.id;
    const { code } = await s.h.services.devices.createEnrolmentCode(store);
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const enrolled = await (
      await s.h.req('POST', '/v1/devices', { enrollment_code: code, public_key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, name: 'Protocol till' }, { key: null })
    ).json();
    const auth = { authorization: `Bearer ${enrolled.credential}` };
    const vouchers: Record<string, { token: string; amount: number }> = {
      A: await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'P-A', amount: 2500, currency: 'EUR' })).json(),
      B: await (await s.h.req('POST', '/v1/vouchers', { order_ref: 'P-B', amount: 1200, currency: 'EUR' })).json(),
    };
    let seq = 0;
    let prevHash = '0'.repeat(64);
    const sign = async (spec: { voucher: string; amount: number | 'voucher'; currency?: string; forge_signature?: boolean }) => {
      seq += 1;
      const v = vouchers[spec.voucher]!;
      const r = {
        v: 2,
        id: crypto.randomUUID(),
        device_id: enrolled.id,
        seq,
        prev_hash: prevHash,
        token: v.token,
        amount: spec.amount === 'voucher' ? v.amount : spec.amount,
        currency: spec.currency ?? 'EUR',
        tender: 'cash',
        tender_reference: null,
        collected_at: s.h.clock.now().toISOString(),
        server_time: enrolled.server_time,
        server_time_proof: enrolled.server_time_proof,
      };
      const input = new TextEncoder().encode(
        JSON.stringify([
          'counterpay-collection-v2',
          r.id,
          r.device_id,
          r.seq,
          r.prev_hash,
          r.token,
          r.amount,
          r.currency,
          r.tender,
          r.tender_reference,
          r.collected_at,
          r.server_time,
          r.server_time_proof,
        ]),
      );
      const signature = b64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, (spec.forge_signature ? other : keys).privateKey, input));
      prevHash = hex(await crypto.subtle.digest('SHA-256', Buffer.concat([Buffer.from(input), Buffer.from(`.${signature}`)])));
      return { ...r, signature };
    };
    for (const batch of vectors.batches) {
      const sent: unknown[] = [];
      for (const item of batch.send) sent.push(item.same_as !== undefined ? sent[item.same_as] : item.malformed ? { v: 2, id: 'nope' } : await sign(item));
      const res = await s.h.req('POST', '/v1/collections', { collections: sent }, { key: null, headers: auth });
      expect(res.status, batch.description).toBe(200);
      const answers = (await res.json()).data as Array<{ outcome: string; reason?: string; flags: string[] }>;
      expect(
        answers.map((a) => a.outcome),
        batch.description,
      ).toEqual(batch.outcomes);
      if (batch.reasons)
        expect(
          answers.map((a) => a.reason),
          batch.description,
        ).toEqual(batch.reasons);
      for (const a of answers) if (a.outcome !== 'rejected') expect(a.flags, batch.description).toEqual([]);
    }
  });
});
