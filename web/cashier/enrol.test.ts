import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../core/contract/till.ts';
import type { DeviceRecord } from '../offline/till-records.ts';
import { enrolTill, normalizeCode, type EnrolPorts } from './enrol.ts';

const answer = {
  object: 'device' as const,
  id: 'dev_1',
  name: 'Front till',
  store: { id: 'sto_demo', name: 'Demo Store', currency: 'EUR' },
  credential: 'cpd_secret',
  lease: { currency: 'EUR', ...DEFAULT_LIMITS },
  enrolled_at: '2030-01-01T00:00:00Z',
  server_time: '2030-01-01T00:00:00Z',
  server_time_proof: 'proof',
};

describe('enrolment', () => {
  it('sends only the public half of a new non-extractable key and keeps the pair with the credential', async () => {
    const sent: unknown[] = [];
    const saved: DeviceRecord[] = [];
    const ports: EnrolPorts = {
      enrol: async (body) => {
        sent.push(body);
        return { ok: true, data: answer };
      },
      save: async (d) => void saved.push(d),
    };
    const result = await enrolTill(' abcd-efgh ', 'Front till', ports);
    expect(result.ok).toBe(true);
    expect(sent).toEqual([{ enrollment_code: 'ABCD-EFGH', name: 'Front till', public_key: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) } }]);
    expect(JSON.stringify(sent)).not.toMatch(/"d"/);
    expect(saved[0]).toMatchObject({ deviceId: 'dev_1', credential: 'cpd_secret', store: { id: 'sto_demo' }, revokedAt: null });
    expect(saved[0]!.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', saved[0]!.privateKey)).rejects.toThrow();
  });

  it('tells a refused code apart from no network, and saves nothing for either', async () => {
    const saved: DeviceRecord[] = [];
    const save = async (d: DeviceRecord) => void saved.push(d);
    expect(
      await enrolTill('X', '', { save, enrol: async () => ({ ok: false, reason: 'status', status: 400, problem: 'enrollment-code-invalid', detail: 'expired' }) }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await enrolTill('X', '', { save, enrol: async () => ({ ok: false, reason: 'network' }) })).toMatchObject({ ok: false, reason: 'offline' });
    expect(await enrolTill('  ', '', { save, enrol: async () => ({ ok: true, data: answer }) })).toMatchObject({ ok: false, reason: 'no_code' });
    expect(saved).toEqual([]);
  });

  it('reads a code typed in lower case or with spaces', () => {
    expect(normalizeCode(' abcd efgh ')).toBe('ABCDEFGH');
  });
});
