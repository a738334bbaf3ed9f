import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../core/contract/till.ts';
import type { DeviceRecord } from '../offline/till-records.ts';
import { enrolmentCodeFromQuery, enrolmentCodeFromScan, enrolTill, normalizeCode, withoutEnrolQuery, type EnrolPorts } from './enrol.ts';

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

describe('an enrolment code from the console’s link or QR', () => {
  const origin = 'https://pay.example.com';

  it('reads the code from the console’s link, as the server makes it (enrol_url)', () => {
    expect(enrolmentCodeFromScan(`${origin}/cashier?enrol=${encodeURIComponent('ABCD-EFGH')}`, origin)).toBe('ABCD-EFGH');
    expect(enrolmentCodeFromScan(`  ${origin}/cashier?enrol=abcd-efgh\n`, origin)).toBe('abcd-efgh');
    // Scheme and host in capitals (a QR's alphanumeric mode) are the same origin.
    expect(enrolmentCodeFromScan('HTTPS://PAY.EXAMPLE.COM/cashier?enrol=ABCD-EFGH', origin)).toBe('ABCD-EFGH');
    expect(enrolmentCodeFromScan(`${origin}/cashier?lang=zh&enrol=ABCD-EFGH#top`, origin)).toBe('ABCD-EFGH');
    expect(enrolmentCodeFromScan('http://127.0.0.1:8080/cashier?enrol=ABCD%20EFGH', 'http://127.0.0.1:8080')).toBe('ABCD EFGH');
  });

  it('reads a bare code shaped as the server prints it, in any case, with or without the dash', () => {
    expect(enrolmentCodeFromScan('ABCD-EFGH', origin)).toBe('ABCD-EFGH');
    expect(enrolmentCodeFromScan(' abcd efgh ', origin)).toBe('ABCDEFGH');
    expect(enrolmentCodeFromScan('7K2Q-09XZ', origin)).toBe('7K2Q-09XZ');
  });

  it('takes nothing else: another site’s or path’s link, a link without a code, a voucher’s QR, a reference, a word', () => {
    for (const text of [
      'https://evil.example.com/cashier?enrol=ABCD-EFGH',
      'http://pay.example.com/cashier?enrol=ABCD-EFGH',
      'https://pay.example.com:8443/cashier?enrol=ABCD-EFGH',
      `${origin}/?enrol=ABCD-EFGH`,
      `${origin}/cashier/extra?enrol=ABCD-EFGH`,
      `${origin}/cashier`,
      `${origin}/cashier?enrol=`,
      `${origin}/cashier?enrol=${'A'.repeat(41)}`,
      'HTTPS://PAY.EXAMPLE.COM/V/1234567890123456789012345678901234567890123456789012345678901234',
      `${origin}/v/AB12CD`,
      'mailto:ABCD-EFGH@example.com',
      'https://',
      '123456789012',
      'ABCD-EFG',
      'ABCD-EFGH-IJKL',
      'ABCD_EFGH',
      'hello',
      '',
    ])
      expect(enrolmentCodeFromScan(text, origin), text).toBeNull();
  });

  it('takes no link when the page’s own origin is unknown', () => {
    expect(enrolmentCodeFromScan(`${origin}/cashier?enrol=ABCD-EFGH`, 'null')).toBeNull();
  });

  it('reads the code from the page’s query, and nothing from a query without one', () => {
    expect(enrolmentCodeFromQuery('?enrol=ABCD-EFGH')).toBe('ABCD-EFGH');
    expect(enrolmentCodeFromQuery('?x=1&enrol=%20abcd-efgh%20')).toBe('abcd-efgh');
    expect(enrolmentCodeFromQuery('')).toBeNull();
    expect(enrolmentCodeFromQuery('?enrol=')).toBeNull();
    expect(enrolmentCodeFromQuery('?other=ABCD-EFGH')).toBeNull();
  });

  it('removes only the code from the page’s address once the till is enrolled', () => {
    expect(withoutEnrolQuery(`${origin}/cashier?enrol=ABCD-EFGH`)).toBe('/cashier');
    expect(withoutEnrolQuery(`${origin}/cashier?lang=zh&enrol=ABCD-EFGH#top`)).toBe('/cashier?lang=zh#top');
    expect(withoutEnrolQuery(`${origin}/cashier`)).toBeNull();
  });
});
