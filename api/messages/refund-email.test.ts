import { describe, expect, it } from 'vitest';
import { renderRefundEmail } from './refund-email.ts';
import type { RefundMessage } from './refund-message.ts';
import { voucherQrPng } from './voucher-email.ts';
import { sampleRefundMessage } from './testing.ts';

const m = (over: Partial<RefundMessage> = {}): RefundMessage => sampleRefundMessage({ ...over });

describe('renderRefundEmail', () => {
  it('leads with where to collect how much, and names the merchant and order, in English and in Chinese', async () => {
    const en = await renderRefundEmail(m());
    expect(en.subject).toBe('Collect €49.90 at any Counterpay store: your refund from Demo Shop, order ORD-1001');
    expect(en.text.split('\n')[0]).toBe('Collect €49.90 at any Counterpay store');
    expect(en.html).toContain('<h1 style="margin:0 0 12px;font-size:22px;line-height:1.3;">Collect €49.90 at any Counterpay store</h1>');
    const zh = await renderRefundEmail(m({ locale: 'zh-CN' }));
    expect(zh.subject).toBe('到任意 Counterpay 门店领取 €49.90：Demo Shop 订单 ORD-1001 的退款');
    expect(zh.text.split('\n')[0]).toBe('到任意 Counterpay 门店领取 €49.90');
    expect(zh.html).toContain('<html lang="zh-CN">');
  });

  it('gives the payout code, the grouped reference, the expiry and the refund link, in both languages', async () => {
    const en = await renderRefundEmail(m());
    for (const line of [
      'Shop: Demo Shop',
      'Order number: ORD-1001',
      'Refund: €49.90',
      'Collect by: Saturday, December 26, 2026 at 12:00 PM UTC',
      'Reference: 2109 8765 4321',
      'If the cashier asks for a code, it is 123456.',
      m().refund_url,
    ]) {
      expect(en.text.split('\n')).toContain(line);
    }
    expect(en.html).toContain('If the cashier asks for a code, it is 123456.');
    expect(en.html).toContain(`href="${m().refund_url}"`);

    const zh = await renderRefundEmail(m({ locale: 'zh-CN' }));
    for (const line of ['退款金额: €49.90', '领取截止: 2026年12月26日星期六 UTC 12:00', '参考号: 2109 8765 4321', '如果收银员要求提供验证码，验证码是 123456。', m().refund_url]) {
      expect(zh.text.split('\n')).toContain(line);
    }
    expect(zh.html).toContain('如果收银员要求提供验证码，验证码是 123456。');
  });

  it('shows the expiry in the configured zone with the zone named', async () => {
    expect((await renderRefundEmail(m(), { timeZone: 'Asia/Shanghai' })).text).toContain('Collect by: Saturday, December 26, 2026 at 8:00 PM GMT+8');
  });

  it('escapes merchant text in the HTML and keeps line breaks out of the subject', async () => {
    const mail = await renderRefundEmail(m({ merchant_name: 'Tom & "Jerry"\r\nBcc: x@y <script>' }));
    expect(mail.subject).toBe('Collect €49.90 at any Counterpay store: your refund from Tom & "Jerry" Bcc: x@y <script>, order ORD-1001');
    expect(mail.html).toContain('Tom &amp; &quot;Jerry&quot; Bcc: x@y &lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
  });

  it('shows no contact data of the customer', async () => {
    const mail = await renderRefundEmail(m());
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('+4915112345678');
      expect(part).not.toContain('shopper@example.com');
    }
  });

  it("carries the refund's QR as the voucher e-mail draws one, inline by cid, and loads no remote image", async () => {
    const mail = await renderRefundEmail(m());
    const [png] = mail.attachments;
    expect(png).toMatchObject({ filename: 'refund-210987654321.png', cid: 'qr-rfd_04j2kd8w1x7m2@counterpay', contentType: 'image/png' });
    expect(png.content.equals(await voucherQrPng(m().qr))).toBe(true);
    expect(mail.html).toContain(`<img src="cid:${png.cid}" width="260" height="260" alt="2109 8765 4321"`);
    expect(mail.html.match(/<img [^>]*>/g)).toHaveLength(1);
    expect(mail.html).not.toMatch(/src="https?:/);
  });
});
