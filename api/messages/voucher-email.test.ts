import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { escapeHtml, qrSegments, renderVoucherEmail } from './voucher-email.ts';
import type { VoucherMessage } from './voucher-message.ts';
import { sampleMessage } from './testing.ts';

const m = (over: Partial<VoucherMessage> = {}): VoucherMessage => sampleMessage({ ...over });

describe('renderVoucherEmail', () => {
  it('puts the amount, order and merchant in the subject, in English and in Chinese', async () => {
    expect((await renderVoucherEmail(m())).subject).toBe('Pay Demo Shop order ORD-1001 in cash: €49.90');
    expect((await renderVoucherEmail(m({ locale: 'zh-CN' }))).subject).toBe('以现金支付 Demo Shop 订单 ORD-1001：€49.90');
  });

  it('escapes merchant and item text in the HTML and keeps line breaks out of the subject', async () => {
    const mail = await renderVoucherEmail(
      m({ merchant_name: 'Tom & "Jerry"\r\nBcc: x@y <script>', items: [{ name: '<img src=x onerror=alert(1)>', quantity: 1, unit_amount: 4990 }] }),
    );
    expect(mail.subject).toBe('Pay Tom & "Jerry" Bcc: x@y <script> order ORD-1001 in cash: €49.90');
    expect(mail.html).toContain('Tom &amp; &quot;Jerry&quot; Bcc: x@y &lt;script&gt;');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img src=x');
  });

  it('shows no contact data of the customer', async () => {
    const mail = await renderVoucherEmail(m());
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('+4915112345678');
      expect(part).not.toContain('shopper@example.com');
    }
  });

  it('links the inline QR by cid with the reference as its alt text, and loads no remote image', async () => {
    const mail = await renderVoucherEmail(m());
    const [png] = mail.attachments;
    expect(png.contentType).toBe('image/png');
    expect(png.content.subarray(1, 4).toString()).toBe('PNG');
    expect(mail.html).toContain(`<img src="cid:${png.cid}" width="260" height="260" alt="1234 5678 9012"`);
    expect(mail.html.match(/<img [^>]*>/g)).toHaveLength(1);
  });

  it('links to the plain list of stores that take the voucher’s currency, in both parts', async () => {
    const mail = await renderVoucherEmail(m());
    expect(mail.text).toContain('Where to pay: stores near you:\nhttp://localhost:8080/stores?currency=EUR');
    expect(mail.html).toContain('<a href="http://localhost:8080/stores?currency=EUR" style="color:#0b57d0;">Where to pay: stores near you</a>');
    expect((await renderVoucherEmail(m({ locale: 'zh-CN' }))).text).toContain('在哪里付款：附近的门店');
  });

  it('shows the expiry in the configured zone with the zone named', async () => {
    expect((await renderVoucherEmail(m(), { timeZone: 'Asia/Shanghai' })).text).toContain('Pay by: Sunday, November 29, 2026 at 8:00 PM GMT+8');
    expect((await renderVoucherEmail(m({ locale: 'zh-CN' }))).text).toContain('有效期至: 2026年11月29日星期日 UTC 12:00');
  });
});

describe('the e-mail QR', () => {
  it('encodes the upper-cased prefix in alphanumeric mode and the token in numeric mode, keeping a 300-digit token at version 10-M', () => {
    const segments = qrSegments(m().qr);
    expect(segments.map((s) => s.mode)).toEqual(['alphanumeric', 'numeric']);
    expect(QRCode.create(segments, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(10);
  });

  it('falls back to byte mode for a prefix with lower-case path characters', () => {
    expect(qrSegments('HTTPS://EXAMPLE.COM/pay/V/123').map((s) => s.mode)).toEqual(['byte', 'numeric']);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
