import { describe, expect, it } from 'vitest';
import { gsm7Septets, isGsm7, smsLength } from './sms-encoding.ts';
import { checkSmsTemplate, renderVoucherSms, SmsTemplateError, SmsTooLongError } from './voucher-sms.ts';
import type { VoucherMessage } from './voucher-message.ts';
import { sampleMessage } from './testing.ts';

const URL_26 = 'http://localhost:8080/v/0123456789abcdefghijklmnop';

const m = (over: Partial<VoucherMessage> = {}): VoucherMessage => sampleMessage({ ...over });

describe('SMS length (3GPP TS 23.038)', () => {
  it('counts GSM-7 extension characters as two septets', () => {
    expect(gsm7Septets('€')).toBe(2);
    expect(gsm7Septets('[a]{b}~^|\\')).toBe(2 + 1 + 2 + 2 + 1 + 2 + 2 + 2 + 2 + 2);
    expect(smsLength('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, limit: 160 });
    expect(smsLength('€'.repeat(81)).units).toBe(162);
  });

  it('keeps accented Latin letters of the GSM alphabet in GSM-7', () => {
    expect(isGsm7('Grüße aus Köln, café, Ñoño, Øre, ¿Qué?')).toBe(true);
  });

  it('switches to UCS-2 for one character outside the alphabet, counting UTF-16 units', () => {
    expect(isGsm7('façade')).toBe(false); // lower-case ç is not in the default alphabet
    expect(isGsm7('Ñandú')).toBe(false); // nor ú
    expect(smsLength('Shop…')).toEqual({ encoding: 'UCS-2', units: 5, limit: 70 });
    expect(smsLength('演示商店')).toEqual({ encoding: 'UCS-2', units: 4, limit: 70 });
    expect(smsLength('🙂').units).toBe(2);
  });
});

describe('renderVoucherSms', () => {
  it('writes an English SMS in GSM-7 within 160 septets with the whole link', () => {
    const sms = renderVoucherSms(m());
    expect(sms).toEqual({
      text: `Demo Shop: pay order ORD-1001 (€49.90) in cash at a store by Nov 29, 12:00 PM UTC: ${URL_26}`,
      encoding: 'GSM-7',
      length: gsm7Septets(`Demo Shop: pay order ORD-1001 (€49.90) in cash at a store by Nov 29, 12:00 PM UTC: ${URL_26}`),
      segments: 1,
    });
    expect(sms.length).toBeLessThanOrEqual(160);
  });

  it('writes a Chinese SMS in UCS-2 within 70 units with the whole link', () => {
    const sms = renderVoucherSms(m({ locale: 'zh-CN', merchant_name: '演示商店' }));
    expect(sms.text).toBe(`演示商店：到店付现金€49.90 ${URL_26}`);
    expect(sms.encoding).toBe('UCS-2');
    expect(sms.length).toBe(sms.text.length);
    expect(sms.length).toBeLessThanOrEqual(70);
  });

  it('shows the expiry in the configured time zone, named', () => {
    expect(renderVoucherSms(m(), undefined, { timeZone: 'Europe/Berlin' }).text).toContain('by Nov 29, 1:00 PM GMT+1:');
  });

  it('keeps the SMS in GSM-7 when Intl puts no-break spaces in the amount', () => {
    const sms = renderVoucherSms(m({ currency: 'CHF' }));
    expect(sms.text).toContain('(CHF 49.90)');
    expect(sms.encoding).toBe('GSM-7');
  });

  it('cuts a long merchant name and order number, never the link, to stay in one SMS', () => {
    const sms = renderVoucherSms(m({ merchant_name: 'A very long merchant name that goes on and on GmbH & Co. KG', order_ref: 'ORDER-2026-11-26-000000001234' }));
    expect(sms.encoding).toBe('GSM-7');
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms.text.endsWith(URL_26)).toBe(true);
    expect(sms.text).toMatch(/^A very long mer\S*\.\.\.: pay order ORDER-2026-11-\S*\.\.\. \(€49\.90\)/);
  });

  it('drops a merchant name outside the GSM alphabet from an English SMS rather than overflow UCS-2', () => {
    const sms = renderVoucherSms(m({ merchant_name: '演示商店' }));
    expect(sms.text).toBe(`Pay €49.90 in cash at a store by Nov 29, 12:00 PM UTC: ${URL_26}`);
    expect(sms.encoding).toBe('GSM-7');
  });

  it('uses a custom template with every placeholder', () => {
    const sms = renderVoucherSms(m(), '{merchant} {order} {amount} {expires} {reference} {url}');
    expect(sms.text).toBe(`Demo Shop ORD-1001 €49.90 Nov 29, 12:00 PM UTC 1234 5678 9012 ${URL_26}`);
  });

  it("picks the template of the shopper's language from per-locale templates", () => {
    const templates = { 'zh-CN': '付款：{url}' };
    expect(renderVoucherSms(m({ locale: 'zh-CN' }), templates).text).toBe(`付款：${URL_26}`);
    expect(renderVoucherSms(m(), templates).text).toContain('Demo Shop: pay order');
  });

  it('throws SmsTooLongError naming the numbers when even the shortest text cannot fit', () => {
    const longUrl = `https://payments.a-rather-long-host-name.example.com/${'x'.repeat(100)}`;
    const run = () => renderVoucherSms(m({ voucher_url: longUrl }), 'Pay {amount} at a store: {url}');
    expect(run).toThrow(SmsTooLongError);
    expect(run).toThrow(`the SMS for voucher vch_04j2kd8w1x7m2 takes ${gsm7Septets(`Pay €49.90 at a store: ${longUrl}`)} GSM-7 septets`);
    expect(run).toThrow(`one SMS holds 160; the link alone takes ${longUrl.length}. Shorten SMS_TEMPLATE (or PUBLIC_URL).`);
  });

  it('refuses a template without {url} or with an unknown placeholder', () => {
    expect(() => checkSmsTemplate('Pay {amount}')).toThrow(SmsTemplateError);
    expect(() => checkSmsTemplate('Pay {amount}')).toThrow('must include {url}');
    expect(() => checkSmsTemplate('{shop}: {url}')).toThrow('uses unknown placeholder {shop}; known: {merchant} {order} {amount} {expires} {reference} {url}');
    expect(() => renderVoucherSms(m(), '{total} {url}')).toThrow('unknown placeholder {total}');
  });
});
