/** docs/till-protocol-vectors.json checked with the very code tills and the server run. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, importDevicePublicKey, recordHash, signingInput, verifyCollectionSignature, type SignedCollection } from './collection-record.ts';
import { verifyServerTime } from './server-time.ts';

const vectors = JSON.parse(readFileSync(new URL('../../docs/till-protocol-vectors.json', import.meta.url), 'utf8'));

describe('till protocol conformance vectors', () => {
  it('has each record’s signing input, a device signature that verifies, and the hash the next record names', async () => {
    const key = await importDevicePublicKey(vectors.device.public_key);
    let prev = GENESIS_HASH;
    for (const v of [...vectors.chain]) {
      const record = v.record as SignedCollection;
      expect(new TextDecoder().decode(signingInput(record))).toBe(v.signing_input);
      expect(await verifyCollectionSignature(record, key)).toBe(true);
      expect(await recordHash(record)).toBe(v.hash);
      expect(record.prev_hash).toBe(prev);
      prev = v.hash;
    }
    const v1 = vectors.record_v1;
    expect(new TextDecoder().decode(signingInput(v1.record))).toBe(v1.signing_input);
    expect(await verifyCollectionSignature(v1.record, key)).toBe(true);
    expect(await recordHash(v1.record)).toBe(v1.hash);
  });

  it('refuses a vector record with one field changed', async () => {
    const key = await importDevicePublicKey(vectors.device.public_key);
    const record = vectors.chain[0].record as SignedCollection;
    for (const change of [{ amount: record.amount + 1 }, { collected_at: '2026-11-26T11:00:00.000Z' }, { server_time: '2026-11-27T12:00:00.000Z' }, { seq: 2 }]) {
      expect(await verifyCollectionSignature({ ...record, ...change } as SignedCollection, key)).toBe(false);
    }
  });

  it('has a server-time proof that verifies with the operator key, for that till only', async () => {
    const { kid, ...jwk } = vectors.operator_key;
    const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const keys = new Map([[Number(kid), key]]);
    const t = vectors.server_time;
    expect(await verifyServerTime(t.device_id, t.server_time, t.server_time_proof, keys)).toBe(true);
    expect(await verifyServerTime('dev_other', t.server_time, t.server_time_proof, keys)).toBe(false);
    expect(await verifyServerTime(t.device_id, '2026-11-26T12:00:01.000Z', t.server_time_proof, keys)).toBe(false);
  });
});
