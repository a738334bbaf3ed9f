import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../core/contract/till.ts';
import { catalogs, LOCALES } from '../app/messages.ts';
import { translate } from '../app/i18n.ts';
import { refusalSentence, type TillRefusal } from './refusals.ts';
import './messages.ts';

const ALL: TillRefusal[] = [
  'malformed',
  'unsupported',
  'unknown_key',
  'bad_signature',
  'expired',
  'wrong_currency',
  'paid_elsewhere',
  'canceled',
  'collected_here',
  'keys_unavailable',
  'lease_voucher_too_large',
  'lease_total_exceeded',
  'lease_count_exceeded',
  'lease_offline_too_long',
  'reference_offline',
  'reference_not_found',
  'server_error',
  'not_voucher',
  'reference_length',
  'reference_not_digits',
  'reference_check_digit',
  'device_revoked',
  'journal_failed',
];

const format = { money: (a: number, c: string) => `${c} ${a}`, date: (d: Date) => d.toISOString(), time: (d: Date) => d.toISOString().slice(11, 16) };
const ctx = {
  lease: { currency: 'EUR', ...DEFAULT_LIMITS },
  storeCurrency: 'EUR',
  reference: '123456789012',
  detail: 'HTTP 503',
  unsyncedCount: 100,
  claims: { kid: 1, voucherId: new Uint8Array(8), amount: 1, currency: 'JPY', expiresAt: 1_900_000_000, merchant: 'M', orderRef: 'O', summary: '' },
};

describe('till refusals', () => {
  it('has a sentence in every language for every reason, with every placeholder filled', () => {
    for (const [reason, at] of [...ALL.map((r) => [r, undefined] as const), ['collected_here', new Date('2030-03-17T14:02:00Z')] as const]) {
      const sentence = refusalSentence(reason, { ...ctx, collectedAt: at }, format);
      for (const locale of LOCALES) {
        expect(catalogs[locale][sentence.key], `${locale} ${reason}`).toBeTruthy();
        expect(translate(locale, sentence.key, sentence.params), `${locale} ${reason}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('names the figure the cashier must know: the cap, the expiry, the typed reference', () => {
    const say = (reason: TillRefusal) => {
      const sentence = refusalSentence(reason, ctx, format);
      return translate('en', sentence.key, sentence.params);
    };
    expect(say('lease_voucher_too_large')).toContain('EUR 25000');
    expect(say('lease_count_exceeded')).toContain('100 collections');
    expect(say('expired')).toContain('2030-03-17');
    expect(say('reference_not_found')).toContain('1234 5678 9012');
    expect(say('wrong_currency')).toContain('JPY');
    const here = refusalSentence('collected_here', { ...ctx, collectedAt: new Date('2030-03-17T14:02:00Z') }, format);
    expect(translate('en', here.key, here.params)).toContain('This till collected this voucher at 14:02');
  });
});
