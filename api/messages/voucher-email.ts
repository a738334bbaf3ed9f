/**
 * The voucher e-mail: a plain-text part and an HTML part in the shopper's language, with the QR as
 * an inline PNG (cid:), so the shopper can pay from the mailbox alone, even when the link is never
 * opened. The HTML uses inline styles and no remote images (mail clients block those), and every
 * text that came from a merchant is escaped.
 */
import QRCode from 'qrcode';
import { qrSegments } from '../../core/token/qr-segments.ts';
import { escapeHtml } from '../http/html.ts';
import { formatReference } from '../../core/reference/reference.ts';
import { amountText, expiryLong, lineAmountText, type FormatOptions } from './message-format.ts';
import type { MessageLocale, VoucherMessage } from './voucher-message.ts';

/** Blank modules around the code; ISO/IEC 18004 asks for four. */
const QUIET_ZONE = 4;
/** Pixels per module: a version-10 code (57 modules) becomes 520 px, sharp on a phone held to a camera. */
const PNG_SCALE = 8;
/** CSS pixels the image is shown at, whatever its version. */
const DISPLAY_PX = 260;

export interface EmailAttachment {
  filename: string;
  content: Buffer;
  cid: string;
  contentType: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: [EmailAttachment];
}

export { qrSegments };

/** The voucher QR as a PNG: exactly `qr`, level M, with its quiet zone. */
export async function voucherQrPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qrSegments(qr), { type: 'png', errorCorrectionLevel: 'M', margin: QUIET_ZONE, scale: PNG_SCALE });
}

const TEXTS = {
  en: {
    subject: (merchant: string, order: string, amount: string) => `Pay ${merchant} order ${order} in cash: ${amount}`,
    heading: (merchant: string) => `Your payment voucher from ${merchant}`,
    intro: (order: string) => `Pay for order ${order} in cash at the counter of a participating store. Show the QR code, or give the cashier the reference.`,
    merchant: 'Shop',
    order: 'Order number',
    items: 'Items',
    amount: 'Amount due',
    expires: 'Pay by',
    reference: 'Reference',
    referenceHelp: 'If the code does not scan, the cashier can type this reference.',
    open: 'Open your voucher',
    stores: 'Where to pay: stores near you',
    keep: 'Open the link once on your phone: the voucher is saved there and shows its code even without a connection.',
    expiry: 'After this time the voucher can no longer be paid; ask the shop for a new one.',
    footer: (merchant: string) => `Sent by Counterpay on behalf of ${merchant}. If you did not place this order, you can ignore this message.`,
  },
  'zh-CN': {
    subject: (merchant: string, order: string, amount: string) => `以现金支付 ${merchant} 订单 ${order}：${amount}`,
    heading: (merchant: string) => `${merchant} 的付款券`,
    intro: (order: string) => `请在合作门店的收银台以现金支付订单 ${order}。出示二维码，或向收银员提供参考号。`,
    merchant: '商家',
    order: '订单号',
    items: '商品',
    amount: '应付金额',
    expires: '有效期至',
    reference: '参考号',
    referenceHelp: '如果扫码失败，收银员可以输入此参考号。',
    open: '打开付款券',
    stores: '在哪里付款：附近的门店',
    keep: '在手机上打开一次链接，付款券即保存在手机上，无网络时也能出示付款码。',
    expiry: '过期后将无法付款，请向商家索取新的付款券。',
    footer: (merchant: string) => `此邮件由 Counterpay 代 ${merchant} 发送。如果您没有下过此订单，请忽略此邮件。`,
  },
} satisfies Record<MessageLocale, unknown>;

export { escapeHtml };

/** Header-safe: a line break in a merchant name must not reach the Subject line. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Subject, text and HTML of the voucher e-mail, and the QR as the inline attachment the HTML
 * shows through `cid:`. Only `m.to.email` is a recipient; no other customer data appears.
 */
export async function renderVoucherEmail(m: VoucherMessage, options: FormatOptions = {}): Promise<RenderedEmail> {
  const t = TEXTS[m.locale];
  const merchant = oneLine(m.merchant_name);
  const amount = amountText(m);
  const expires = expiryLong(m.expires_at, m.locale, options);
  const reference = formatReference(m.reference);
  const png = await voucherQrPng(m.qr);
  const cid = `qr-${m.voucher_id}@counterpay`;
  const items = m.items.map((i) => ({ name: oneLine(i.name), quantity: i.quantity, total: lineAmountText(m, i) }));

  // The plain store list (api/stores/stores.routes.ts), on the same server as the voucher link.
  const storesUrl = new URL(`/stores?currency=${m.currency}`, m.voucher_url).toString();
  const text = [
    t.heading(merchant),
    '',
    t.intro(m.order_ref),
    '',
    `${t.merchant}: ${merchant}`,
    `${t.order}: ${m.order_ref}`,
    `${t.amount}: ${amount}`,
    `${t.expires}: ${expires}`,
    `${t.reference}: ${reference}`,
    ...(items.length > 0 ? ['', `${t.items}:`, ...items.map((i) => `- ${i.quantity} × ${i.name}: ${i.total}`)] : []),
    '',
    `${t.open}:`,
    m.voucher_url,
    '',
    `${t.stores}:`,
    storesUrl,
    '',
    t.keep,
    t.expiry,
    '',
    '-- ',
    t.footer(merchant),
    '',
  ].join('\n');

  const e = escapeHtml;
  const cell = 'padding:6px 0;vertical-align:top;';
  const row = (label: string, value: string) =>
    `<tr><th scope="row" style="${cell}text-align:left;font-weight:normal;color:#555;padding-right:16px;">${e(label)}</th><td style="${cell}color:#111;">${value}</td></tr>`;
  const itemRows = items
    .map(
      (i) =>
        `<tr><td style="${cell}padding-right:12px;white-space:nowrap;">${i.quantity} ×</td><td style="${cell}width:100%;">${e(i.name)}</td><td style="${cell}text-align:right;white-space:nowrap;padding-left:12px;">${e(i.total)}</td></tr>`,
    )
    .join('');
  const html = `<!DOCTYPE html>
<html lang="${m.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(t.subject(merchant, m.order_ref, amount))}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei',Arial,sans-serif;font-size:16px;line-height:1.5;color:#111;">
<tr><td style="padding:24px 24px 8px;">
<h1 style="margin:0 0 12px;font-size:22px;line-height:1.3;">${e(t.heading(merchant))}</h1>
<p style="margin:0;">${e(t.intro(m.order_ref))}</p>
</td></tr>
<tr><td align="center" style="padding:16px 24px;">
<img src="cid:${e(cid)}" width="${DISPLAY_PX}" height="${DISPLAY_PX}" alt="${e(reference)}" style="display:block;width:${DISPLAY_PX}px;height:${DISPLAY_PX}px;border:0;background:#ffffff;">
<p style="margin:12px 0 0;font-size:24px;font-weight:bold;letter-spacing:2px;font-family:Menlo,Consolas,monospace;">${e(reference)}</p>
<p style="margin:4px 0 0;font-size:14px;color:#555;">${e(t.referenceHelp)}</p>
</td></tr>
<tr><td style="padding:8px 24px;">
<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;">
${row(t.merchant, e(merchant))}
${row(t.order, e(m.order_ref))}
${row(t.amount, `<strong style="font-size:20px;">${e(amount)}</strong>`)}
${row(t.expires, e(expires))}
</table>
</td></tr>
${
  items.length > 0
    ? `<tr><td style="padding:8px 24px;">
<h2 style="margin:0 0 4px;font-size:16px;">${e(t.items)}</h2>
<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;">${itemRows}</table>
</td></tr>`
    : ''
}
<tr><td align="center" style="padding:16px 24px;">
<a href="${e(m.voucher_url)}" style="display:inline-block;padding:12px 24px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">${e(t.open)}</a>
<p style="margin:8px 0 0;font-size:13px;word-break:break-all;"><a href="${e(m.voucher_url)}" style="color:#0b57d0;">${e(m.voucher_url)}</a></p>
<p style="margin:12px 0 0;font-size:14px;"><a href="${e(storesUrl)}" style="color:#0b57d0;">${e(t.stores)}</a></p>
</td></tr>
<tr><td style="padding:8px 24px 24px;font-size:14px;color:#333;">
<p style="margin:0 0 8px;">${e(t.keep)}</p>
<p style="margin:0 0 16px;">${e(t.expiry)}</p>
<p style="margin:0;font-size:12px;color:#666;">${e(t.footer(merchant))}</p>
</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;

  return {
    subject: oneLine(t.subject(merchant, m.order_ref, amount)),
    text,
    html,
    attachments: [{ filename: `voucher-${m.reference}.png`, content: png, cid, contentType: 'image/png' }],
  };
}
