/**
 * The refund e-mail: money going back to the shopper, collected in cash at any Counterpay store.
 * A plain-text and an HTML part in the shopper's language, with the refund's QR as an inline PNG
 * (cid:) made exactly as the voucher e-mail makes the voucher's, so the shopper can collect from
 * the mailbox alone. It carries the payout code a till may ask for, and nothing about the
 * customer but the address it goes to. Every text that came from a merchant is escaped.
 */
import { formatReference } from '../../core/reference/reference.ts';
import { escapeHtml } from '../http/html.ts';
import { amountText, expiryLong, type FormatOptions } from './message-format.ts';
import type { RefundMessage } from './refund-message.ts';
import { voucherQrPng, type RenderedEmail } from './voucher-email.ts';
import type { MessageLocale } from './voucher-message.ts';

/** CSS pixels the image is shown at, as in the voucher e-mail. */
const DISPLAY_PX = 260;

const TEXTS = {
  en: {
    lead: (amount: string) => `Collect ${amount} at any Counterpay store`,
    subject: (amount: string, merchant: string, order: string) => `Collect ${amount} at any Counterpay store: your refund from ${merchant}, order ${order}`,
    intro: (merchant: string, order: string) =>
      `A refund for your order ${order} at ${merchant} is waiting for you. Collect it in cash at the counter of any Counterpay store: show the QR code, or give the cashier the reference.`,
    merchant: 'Shop',
    order: 'Order number',
    amount: 'Refund',
    expires: 'Collect by',
    reference: 'Reference',
    referenceHelp: 'If the code does not scan, the cashier can type this reference.',
    code: (code: string) => `If the cashier asks for a code, it is ${code}.`,
    codeHelp: 'Tell it only to the cashier paying you out. The refund page does not show it: keep this message.',
    open: 'Open your refund',
    keep: 'Open the link once on your phone: the refund is saved there and shows its QR code even without a connection.',
    expiry: (merchant: string) => `After this time the refund can no longer be collected at a store; ask ${merchant} about it.`,
    footer: (merchant: string) => `Sent by Counterpay on behalf of ${merchant}. If you expected no refund, you can ignore this message.`,
  },
  'zh-CN': {
    lead: (amount: string) => `到任意 Counterpay 门店领取 ${amount}`,
    subject: (amount: string, merchant: string, order: string) => `到任意 Counterpay 门店领取 ${amount}：${merchant} 订单 ${order} 的退款`,
    intro: (merchant: string, order: string) => `您在 ${merchant} 的订单 ${order} 有一笔退款待领取。请在任意 Counterpay 门店的收银台领取现金：出示二维码，或向收银员提供参考号。`,
    merchant: '商家',
    order: '订单号',
    amount: '退款金额',
    expires: '领取截止',
    reference: '参考号',
    referenceHelp: '如果扫码失败，收银员可以输入此参考号。',
    code: (code: string) => `如果收银员要求提供验证码，验证码是 ${code}。`,
    codeHelp: '请只告诉为您付款的收银员。退款页面不显示此验证码，请保留此邮件。',
    open: '打开退款',
    keep: '在手机上打开一次链接，退款即保存在手机上，无网络时也能出示二维码。',
    expiry: (merchant: string) => `过期后将无法在门店领取，请联系 ${merchant}。`,
    footer: (merchant: string) => `此邮件由 Counterpay 代 ${merchant} 发送。如果您没有在等待退款，请忽略此邮件。`,
  },
} satisfies Record<MessageLocale, unknown>;

/** Header-safe: a line break in a merchant name must not reach the Subject line. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Subject, text and HTML of the refund e-mail, and the QR as the inline attachment the HTML shows
 * through `cid:`. Only `m.to.email` is a recipient; no other customer data appears.
 */
export async function renderRefundEmail(m: RefundMessage, options: FormatOptions = {}): Promise<RenderedEmail> {
  const t = TEXTS[m.locale];
  const merchant = oneLine(m.merchant_name);
  const order = oneLine(m.order_ref);
  const amount = amountText(m);
  const expires = expiryLong(m.expires_at, m.locale, options);
  const reference = formatReference(m.reference);
  const png = await voucherQrPng(m.qr);
  const cid = `qr-${m.refund_id}@counterpay`;
  const subject = oneLine(t.subject(amount, merchant, order));

  const text = [
    t.lead(amount),
    '',
    t.intro(merchant, order),
    '',
    `${t.merchant}: ${merchant}`,
    `${t.order}: ${order}`,
    `${t.amount}: ${amount}`,
    `${t.expires}: ${expires}`,
    `${t.reference}: ${reference}`,
    '',
    t.code(m.payout_code),
    t.codeHelp,
    '',
    `${t.open}:`,
    m.refund_url,
    '',
    t.keep,
    t.expiry(merchant),
    '',
    '-- ',
    t.footer(merchant),
    '',
  ].join('\n');

  const e = escapeHtml;
  const cell = 'padding:6px 0;vertical-align:top;';
  const row = (label: string, value: string) =>
    `<tr><th scope="row" style="${cell}text-align:left;font-weight:normal;color:#555;padding-right:16px;">${e(label)}</th><td style="${cell}color:#111;">${value}</td></tr>`;
  const html = `<!DOCTYPE html>
<html lang="${m.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',Arial,sans-serif;font-size:16px;line-height:1.5;color:#111;">
<tr><td style="padding:24px 24px 8px;">
<h1 style="margin:0 0 12px;font-size:22px;line-height:1.3;">${e(t.lead(amount))}</h1>
<p style="margin:0;">${e(t.intro(merchant, order))}</p>
</td></tr>
<tr><td align="center" style="padding:16px 24px;">
<img src="cid:${e(cid)}" width="${DISPLAY_PX}" height="${DISPLAY_PX}" alt="${e(reference)}" style="display:block;width:${DISPLAY_PX}px;height:${DISPLAY_PX}px;border:0;background:#ffffff;">
<p style="margin:12px 0 0;font-size:24px;font-weight:bold;letter-spacing:2px;font-family:Menlo,Consolas,monospace;">${e(reference)}</p>
<p style="margin:4px 0 0;font-size:14px;color:#555;">${e(t.referenceHelp)}</p>
</td></tr>
<tr><td style="padding:8px 24px;">
<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;">
${row(t.merchant, e(merchant))}
${row(t.order, e(order))}
${row(t.amount, `<strong style="font-size:20px;">${e(amount)}</strong>`)}
${row(t.expires, e(expires))}
</table>
</td></tr>
<tr><td style="padding:8px 24px;">
<p style="margin:0;padding:12px 16px;background:#f4f4f5;border-radius:6px;">${e(t.code(m.payout_code))}<br><span style="font-size:14px;color:#555;">${e(t.codeHelp)}</span></p>
</td></tr>
<tr><td align="center" style="padding:16px 24px;">
<a href="${e(m.refund_url)}" style="display:inline-block;padding:12px 24px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">${e(t.open)}</a>
<p style="margin:8px 0 0;font-size:13px;word-break:break-all;"><a href="${e(m.refund_url)}" style="color:#0b57d0;">${e(m.refund_url)}</a></p>
</td></tr>
<tr><td style="padding:8px 24px 24px;font-size:14px;color:#333;">
<p style="margin:0 0 8px;">${e(t.keep)}</p>
<p style="margin:0 0 16px;">${e(t.expiry(merchant))}</p>
<p style="margin:0;font-size:12px;color:#666;">${e(t.footer(merchant))}</p>
</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;

  return {
    subject,
    text,
    html,
    attachments: [{ filename: `refund-${m.reference}.png`, content: png, cid, contentType: 'image/png' }],
  };
}
