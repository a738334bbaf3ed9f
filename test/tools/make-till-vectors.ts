/**
 * Writes docs/till-protocol-vectors.json: collection records with their signing inputs, device
 * signatures and chain hashes, and a server-time proof, made with fixed keys (ECDSA signatures are
 * randomised, so a verifier checks them with the public keys given, not by comparing bytes).
 * Run: node --import tsx test/tools/make-till-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { GENESIS_HASH, recordHash, signCollection, signingInput, type CollectionRecord } from '../../core/collections/collection-record.ts';
import { signServerTime } from '../../core/collections/server-time.ts';

const DEVICE_JWK = await crypto.subtle.exportKey('jwk', (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).privateKey);
const OPERATOR_JWK = await crypto.subtle.exportKey('jwk', (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).privateKey);
const importPrivate = (jwk: JsonWebKey) => crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const publicHalf = ({ kty, crv, x, y }: JsonWebKey) => ({ kty, crv, x, y });

const deviceId = 'dev_vectors00001';
const serverTime = '2026-11-26T12:00:00.000Z';
const proof = await signServerTime(deviceId, serverTime, { kid: 1, sign: await importPrivate(OPERATOR_JWK) });
const deviceKey = await importPrivate(DEVICE_JWK);

const records = [];
let prev = GENESIS_HASH;
const bases: Array<Partial<CollectionRecord>> = [
  { tender: 'cash', tender_reference: null, amount: 4990, collected_at: '2026-11-26T12:05:00.000Z' },
  { tender: 'bank_card', tender_reference: 'TERM-0042', amount: 1999, collected_at: '2026-11-26T12:07:30.000Z' },
  { tender: 'prepaid_card', tender_reference: 'PP-7', amount: 120, collected_at: '2026-11-26T12:09:00.000Z' },
];
for (const [i, base] of bases.entries()) {
  const record = {
    v: 2 as const,
    id: `00000000-0000-4000-8000-00000000000${i + 1}`,
    device_id: deviceId,
    seq: i + 1,
    prev_hash: prev,
    token: '1'.repeat(20 + i),
    amount: base.amount!,
    currency: 'EUR',
    tender: base.tender!,
    tender_reference: base.tender_reference ?? null,
    collected_at: base.collected_at!,
    server_time: serverTime,
    server_time_proof: proof,
  };
  const signed = await signCollection(record, deviceKey);
  const hash = await recordHash(signed);
  records.push({ record: signed, signing_input: new TextDecoder().decode(signingInput(record)), hash });
  prev = hash;
}
const v1 = {
  v: 1 as const,
  id: '00000000-0000-4000-8000-000000000010',
  device_id: deviceId,
  seq: 1,
  prev_hash: GENESIS_HASH,
  token: '123',
  amount: 500,
  currency: 'EUR',
  tender: 'cash' as const,
  tender_reference: null,
  collected_at: serverTime,
};
const v1Signed = await signCollection(v1, deviceKey);

writeFileSync(
  new URL('../../docs/till-protocol-vectors.json', import.meta.url),
  `${JSON.stringify(
    {
      about: 'Conformance vectors for docs/till-protocol.md. Signatures are ECDSA P-256/SHA-256 (raw r||s, base64url) and randomised: verify them with the public keys given.',
      device: { id: deviceId, public_key: publicHalf(DEVICE_JWK) },
      operator_key: { kid: '1', ...publicHalf(OPERATOR_JWK), alg: 'ES256' },
      server_time: { device_id: deviceId, server_time: serverTime, server_time_proof: proof, signing_input: JSON.stringify(['counterpay-server-time-v1', deviceId, serverTime]) },
      chain: records,
      record_v1: { record: v1Signed, signing_input: new TextDecoder().decode(signingInput(v1)), hash: await recordHash(v1Signed) },
      // A scenario for a server: one till, two vouchers; each batch with the outcomes it must get.
      batches: [
        {
          description: 'a collection of an open voucher, then the same record again',
          send: [{ voucher: 'A', amount: 'voucher' }, { same_as: 0 }],
          outcomes: ['accepted', 'accepted'],
        },
        {
          description: 'a second collection of the paid voucher, and a wrong amount for another',
          send: [
            { voucher: 'A', amount: 'voucher' },
            { voucher: 'B', amount: 1 },
          ],
          outcomes: ['duplicate', 'mismatch'],
        },
        {
          description: 'a record signed by another key',
          send: [{ voucher: 'B', amount: 'voucher', forge_signature: true }],
          outcomes: ['rejected'],
          reasons: ['bad_device_signature'],
        },
        {
          description: "an amount no voucher has, and another currency than the store's",
          send: [
            { voucher: 'B', amount: 100000000 },
            { voucher: 'B', amount: 'voucher', currency: 'JPY' },
          ],
          outcomes: ['rejected', 'rejected'],
          reasons: ['amount_out_of_range', 'currency_not_store'],
        },
        { description: 'a record that is not a record', send: [{ malformed: true }], outcomes: ['rejected'], reasons: ['malformed'] },
      ],
    },
    null,
    2,
  )}\n`,
);
console.log('wrote docs/till-protocol-vectors.json');
