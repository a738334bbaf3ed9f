import { describe, expect, it } from 'vitest';
import type { RefundMessage } from './refund-message.ts';
import { renderRefundSms } from './refund-sms.ts';
import { gsm7Septets, smsLength } from './sms-encoding.ts';
import { SmsTooLongError } from './voucher-sms.ts';
import { sampleRefundMessage } from './testing.ts';

const LINK = 'http://localhost:8080/v/0123456789abcdefghijklmnop?refund=rfd_04j2kd8w1x7m2';
const m = (over: Partial<RefundMessage> = {}): RefundMessage => sampleRefundMessage({ ...over });
/** The refund link under another origin. */
const at = (origin: string) => `${origin}/v/0123456789abcdefghijklmnop?refund=rfd_04j2kd8w1x7m2`;

/** What every refund SMS must carry whole, and its size as a network counts it. */
function expectOneSms(text: string, refund: RefundMessage) {
  expect(text.endsWith(` ${refund.refund_url}`)).toBe(true);
  expect(text).toContain(refund.payout_code);
  expect(text).toContain('€49.90');
  const size = smsLength(text);
  expect(size.encoding).toBe('GSM-7');
  expect(size.units).toBeLessThanOrEqual(160);
}

describe('renderRefundSms', () => {
  it('writes one GSM-7 SMS that leads with the amount to collect and keeps the merchant, the code and the whole link', () => {
    const text = `Collect €49.90 at any Counterpay store (Demo Shop refund). Code if asked: 123456 ${LINK}`;
    expect(renderRefundSms(m())).toEqual({ text, encoding: 'GSM-7', length: gsm7Septets(text), segments: 1 });
    expect(gsm7Septets(text)).toBeLessThanOrEqual(160);
  });

  it('writes a Chinese-reading shopper the same GSM-7 text: a Chinese one and the link never fit the 70 UCS-2 units', () => {
    const sms = renderRefundSms(m({ locale: 'zh-CN', merchant_name: '演示商店' }));
    expect(sms.text).toBe(`Collect €49.90 at any Counterpay store. Code if asked: 123456 ${LINK}`);
    expect(sms.encoding).toBe('GSM-7');
    expectOneSms(sms.text, m());
  });

  it('names the expiry, in the configured zone, when the link is short enough', () => {
    const refund = m({ refund_url: at('https://cp.eu') });
    const sms = renderRefundSms(refund, { timeZone: 'Europe/Berlin' });
    expect(sms.text).toBe(`Collect €49.90 at any Counterpay store by Dec 26, 1:00 PM GMT+1. Code if asked: 123456 ${refund.refund_url}`);
    expectOneSms(sms.text, refund);
  });

  it('cuts the merchant name, then leaves it out, as the link grows, and never cuts the link or the code', () => {
    const cut = m({ refund_url: at('https://pay.counterpay.eu') });
    expect(renderRefundSms(cut).text).toBe(`Collect €49.90 at any Counterpay store (Demo... refund). Code if asked: 123456 ${cut.refund_url}`);
    for (const origin of ['https://pay.counterpay.eu', 'https://payments.counterpay.example.com', `https://${'p'.repeat(30)}.example`]) {
      const refund = m({ refund_url: at(origin), merchant_name: 'A very long merchant name that goes on and on GmbH & Co. KG' });
      expectOneSms(renderRefundSms(refund).text, refund);
    }
  });

  it('keeps the SMS in GSM-7 when Intl puts no-break spaces in the amount or the merchant name is outside the alphabet', () => {
    const chf = renderRefundSms(m({ currency: 'CHF' }));
    expect(chf.text).toContain('Collect CHF 49.90 at any Counterpay store');
    expect(chf.encoding).toBe('GSM-7');
    const chinese = renderRefundSms(m({ merchant_name: '演示商店' }));
    expect(chinese.text).toBe(`Collect €49.90 at any Counterpay store. Code if asked: 123456 ${LINK}`);
    expect(chinese.encoding).toBe('GSM-7');
  });

  it('shows nothing of the customer but sends to them', () => {
    const text = renderRefundSms(m()).text;
    expect(text).not.toContain('+4915112345678');
    expect(text).not.toContain('shopper@example.com');
  });

  it('throws SmsTooLongError naming the refund and the numbers when even the shortest text cannot fit', () => {
    const longUrl = `https://example.com/${'x'.repeat(130)}`;
    const run = () => renderRefundSms(m({ refund_url: longUrl }));
    expect(run).toThrow(SmsTooLongError);
    expect(run).toThrow(`the SMS for refund rfd_04j2kd8w1x7m2 takes ${gsm7Septets(`Collect €49.90 at a Counterpay store, code 123456: ${longUrl}`)} GSM-7 septets`);
    expect(run).toThrow(`one SMS holds 160; the link alone takes ${longUrl.length}. Use a shorter PUBLIC_URL.`);
  });
});
