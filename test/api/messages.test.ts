/**
 * Voucher delivery against real servers: an SMTP server (npm smtp-server) that receives the real
 * message, which mailparser reads back and zbarimg decodes; and an HTTP receiver standing in for
 * the SMS provider. The voucher comes from the real API, so its QR text is a real signed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closedPort, startSmtp, type Smtp } from '../support/smtp.ts';
import { drivers } from '../support/databases.ts';
import { harness, type Harness } from '../support/harness.ts';
import type { Database } from '../../api/db/client.ts';
import { formatReference } from '../../core/reference/reference.ts';
import { createDelivery } from '../../api/messages/config.ts';
import { DeliveryError, deliverVoucher } from '../../api/messages/delivery.ts';
import { smsLength } from '../../api/messages/sms-encoding.ts';
import { SmtpMailer } from '../../api/messages/smtp-mailer.ts';
import type { VoucherMessage } from '../../api/messages/voucher-message.ts';
import { voucherMessage } from '../../api/outbox/message-sender.ts';

const EMAIL = 'shopper@example.com';
const PHONE = '+4915112345678';
const quiet = () => {};

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

// ---- a real HTTP receiver for the SMS provider ------------------------------------------------

interface SmsRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

async function startSmsProvider(answer: (req: SmsRequest) => { status: number; body: string }) {
  const requests: SmsRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const r: SmsRequest = { method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(raw) };
      requests.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/sms`, port, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The zbarimg reading of a PNG's QR code, exactly as the tool prints it (one symbol, newline removed; other symbologies are off, since a QR's modules can read as a short Codabar such as "A20A"). */
function zbarimg(png: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-qr-'));
  try {
    const file = path.join(dir, 'qr.png');
    writeFileSync(file, png);
    return execFileSync('/usr/bin/zbarimg', ['--nodbus', '--raw', '-q', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' }).replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- a voucher from the real API --------------------------------------------------------------

let database: Database;
let h: Harness;
let message: VoucherMessage;

beforeAll(async () => {
  database = await drivers[0]!.open();
  h = await harness(database);
  const res = await h.req('POST', '/v1/vouchers', {
    order_ref: 'ORD-1001',
    amount: 4990,
    currency: 'EUR',
    items: [
      { name: 'Mug', quantity: 2, unit_amount: 1995 },
      { name: 'Tea & <biscuits>', quantity: 1, unit_amount: 1000 },
    ],
    customer: { email: EMAIL, phone: PHONE },
  });
  expect(res.status).toBe(201);
  const v = await res.json();
  message = voucherMessage(v, { email: v.customer.email, phone: v.customer.phone }, 'en');
});
afterAll(async () => database?.close());

/** The voucher a short link opens, through the shopper API. */
async function openLink(url: string) {
  const code = new URL(url).pathname.replace(/^\/v\//, '');
  const res = await h.req('GET', `/v1/voucher-links/${code}`, undefined, { key: null });
  return { status: res.status, body: await res.json() };
}

// ---- e-mail -----------------------------------------------------------------------------------

describe('voucher e-mail over SMTP', () => {
  let smtp: Smtp;
  beforeAll(async () => {
    smtp = await startSmtp({
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 's3cret pass') return callback(null, { user: auth.username });
        callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('nobody@')) return callback(smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: no such user`));
        if (address.address.startsWith('busy@')) return callback(smtpError(451, '4.2.1 Mailbox busy, try again later'));
        callback();
      },
    });
  });
  afterAll(async () => smtp?.close());

  const deliveryTo = (url: string, env: Record<string, string> = {}) => createDelivery({ SMTP_URL: url, SMTP_FROM: 'Shop payments <payments@shop.test>', ...env }, quiet);

  it('arrives with a text and an HTML part, a link that opens the voucher and an inline QR that decodes to its qr', async () => {
    const delivery = deliveryTo(smtp.url('mailer:s3cret%20pass'));
    const before = smtp.received.length;
    const { providerId } = await deliverVoucher('email', message, delivery);
    delivery.close();

    expect(smtp.received).toHaveLength(before + 1);
    const { envelope, mail } = smtp.received.at(-1)!;
    expect(envelope).toEqual({ from: 'payments@shop.test', to: [EMAIL] });
    expect(providerId).toBe(mail.messageId);
    expect(mail.subject).toBe('Pay Shop A order ORD-1001 in cash: €49.90');
    expect(mail.from?.value).toEqual([{ name: 'Shop payments', address: 'payments@shop.test' }]);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

    const reference = formatReference(message.reference);
    const text = mail.text!;
    for (const part of ['Shop A', 'ORD-1001', '€49.90', reference, '2 × Mug: €39.90', '1 × Tea & <biscuits>: €10.00', message.voucher_url]) expect(text).toContain(part);
    // The shopper's other contact data never appears in the e-mail.
    expect(text).not.toContain(PHONE);

    const html = mail.html as string;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`href="${message.voucher_url}"`);
    expect(html).toContain('Tea &amp; &lt;biscuits&gt;');
    expect(html).not.toContain('<biscuits>');
    expect(html).not.toContain(PHONE);
    expect(html).not.toMatch(/src="https?:/); // no remote images

    // The image the HTML shows is the inline attachment, and it decodes to exactly the voucher's QR.
    expect(mail.attachments).toHaveLength(1);
    const png = mail.attachments[0]!;
    expect(png.contentType).toBe('image/png');
    expect(png.contentDisposition).toBe('inline');
    expect(html).toContain(`<img src="cid:${png.cid}"`);
    expect(html).toContain(`alt="${reference}"`);
    expect(zbarimg(png.content)).toBe(message.qr);

    // The link in the message opens this voucher.
    const link = text.match(/https?:\/\/\S+\/v\/[0-9a-z]{26}/)![0];
    const opened = await openLink(link);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ voucher_id: message.voucher_id, qr: message.qr, status: 'open', order_ref: 'ORD-1001' });
  });

  it('is written in Simplified Chinese for a zh-CN shopper', async () => {
    const delivery = deliveryTo(smtp.url(), { MESSAGE_TIME_ZONE: 'Asia/Shanghai' });
    await deliverVoucher('email', { ...message, locale: 'zh-CN' }, delivery);
    delivery.close();
    const { mail } = smtp.received.at(-1)!;
    expect(mail.subject).toBe('以现金支付 Shop A 订单 ORD-1001：€49.90');
    expect(mail.text).toContain('应付金额: €49.90');
    // Expiry in the shopper's language and the configured zone, with the zone named.
    const expected = new Intl.DateTimeFormat('zh-CN', { month: 'long', day: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date(message.expires_at));
    expect(mail.text).toContain(expected);
    expect(mail.text).toContain('GMT+8');
    expect(mail.html).toContain('<html lang="zh-CN">');
    expect(zbarimg(mail.attachments[0]!.content)).toBe(message.qr);
  });

  it('gives a permanent error quoting the reply when the server refuses the recipient (550), and nothing arrives', async () => {
    const delivery = deliveryTo(smtp.url());
    const before = smtp.received.length;
    const error = await deliverVoucher('email', { ...message, to: { email: 'nobody@example.com' } }, delivery).catch((e: unknown) => e);
    delivery.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(true);
    expect((error as DeliveryError).message).toBe(
      `SMTP server ${smtp.url()} refused the recipient nobody@example.com at RCPT TO: 550 5.1.1 <nobody@example.com>: Recipient address rejected: no such user`,
    );
    expect(smtp.received).toHaveLength(before);
  });

  it('gives a transient error for a 4xx refusal, which a later attempt may pass', async () => {
    const delivery = deliveryTo(smtp.url());
    const error = (await deliverVoucher('email', { ...message, to: { email: 'busy@example.com' } }, delivery).catch((e: unknown) => e)) as DeliveryError;
    delivery.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('451 4.2.1 Mailbox busy, try again later');
  });

  it('gives a transient error naming the server, without the password, when the login is refused', async () => {
    const delivery = deliveryTo(smtp.url('mailer:wrong-password'));
    const error = (await deliverVoucher('email', message, delivery).catch((e: unknown) => e)) as DeliveryError;
    delivery.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(`SMTP server ${smtp.url('mailer')} refused the login: 535 5.7.8 Authentication credentials invalid; check the user and password in SMTP_URL`);
    expect(error.message).not.toContain('wrong-password');
  });

  it('gives a transient error when the SMTP server is down (connection refused)', async () => {
    const port = await closedPort();
    const delivery = deliveryTo(`smtp://127.0.0.1:${port}`);
    const error = (await deliverVoucher('email', message, delivery).catch((e: unknown) => e)) as DeliveryError;
    delivery.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(
      `could not connect to SMTP server smtp://127.0.0.1:${port}: connection refused (ECONNREFUSED); is the SMTP server running and SMTP_URL's host and port right?`,
    );
  });

  it('delays an e-mail while the SMTP server is down and sends the same message once it is back', async () => {
    const port = await closedPort();
    const delivery = deliveryTo(`smtp://127.0.0.1:${port}`);
    await expect(deliverVoucher('email', message, delivery)).rejects.toMatchObject({ permanent: false });
    // The server comes back on the same port; the message the worker kept is sent as it was.
    const back = await startSmtp({}, port);
    try {
      const { providerId } = await deliverVoucher('email', message, delivery);
      expect(back.received).toHaveLength(1);
      const mail = back.received[0]!.mail;
      expect(mail.messageId).toBe(providerId);
      expect(zbarimg(mail.attachments[0]!.content)).toBe(message.qr);
    } finally {
      delivery.close();
      await back.close();
    }
  });

  it('gives a transient error when the SMTP server accepts the connection but never greets', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'payments@shop.test', { timeoutMs: 300 });
    try {
      const error = (await deliverVoucher('email', message, { mailer, sms: { send: async () => ({ providerId: null }) } }).catch((e: unknown) => e)) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.permanent).toBe(false);
      expect(error.message).toMatch(new RegExp(`^SMTP server smtp://127\\.0\\.0\\.1:${port} did not answer in time \\(GREETING_TIMEOUT\\): `));
    } finally {
      mailer.close();
      silent.close();
    }
  });

  it('keeps the e-mail waiting with a transient error when SMTP_URL is not set', async () => {
    const lines: string[] = [];
    const delivery = createDelivery({}, (l) => lines.push(l));
    expect(lines).toContain('e-mail: not configured (SMTP_URL is not set); voucher e-mails wait in the outbox until it is');
    const error = (await deliverVoucher('email', message, delivery).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('set SMTP_URL');
  });
});

// ---- SMS --------------------------------------------------------------------------------------

describe('voucher SMS through the HTTP provider adapter', () => {
  it('posts one GSM-7 SMS that carries the link, with the bearer token, and returns the provider id', async () => {
    const provider = await startSmsProvider(() => ({ status: 201, body: JSON.stringify({ id: 'sms-42', status: 'queued' }) }));
    try {
      const delivery = createDelivery({ SMS_URL: provider.url, SMS_TOKEN: 'tok_123' }, quiet);
      const { providerId } = await deliverVoucher('sms', message, delivery);
      expect(providerId).toBe('sms-42');
      expect(provider.requests).toHaveLength(1);
      const r = provider.requests[0]!;
      expect(r).toMatchObject({ method: 'POST', path: '/v1/sms' });
      expect(r.headers.authorization).toBe('Bearer tok_123');
      expect(r.headers['content-type']).toBe('application/json');
      const body = r.body as { to: string; text: string };
      expect(body.to).toBe(PHONE);
      expect(body.text).toMatch(/^Shop A: pay order ORD-1001 \(€49\.90\) in cash at a store by .+ UTC: http:\/\/localhost:8080\/v\/[0-9a-z]{26}$/);
      expect(body.text.endsWith(message.voucher_url)).toBe(true);
      expect(body.text).not.toContain(EMAIL);
      const size = smsLength(body.text);
      expect(size.encoding).toBe('GSM-7');
      expect(size.units).toBeLessThanOrEqual(160);
      // The link in the SMS opens this voucher.
      const opened = await openLink(body.text.match(/http:\/\/\S+$/)![0]);
      expect(opened).toMatchObject({ status: 200, body: { voucher_id: message.voucher_id } });
    } finally {
      await provider.close();
    }
  });

  it('sends a Chinese SMS in UCS-2 within 70 units, with basic credentials and a provider-shaped body', async () => {
    const provider = await startSmsProvider(() => ({ status: 200, body: JSON.stringify({ messages: [{ 'message-id': 'abc-1' }] }) }));
    try {
      const url = provider.url.replace('http://', 'http://acct:p%40ss@');
      const delivery = createDelivery(
        { SMS_URL: url, SMS_BODY: '{"from":"SHOP","messages":[{"destination":"{to}","content":"{text}"}]}', SMS_ID_FIELD: 'messages.0.message-id' },
        quiet,
      );
      const { providerId } = await deliverVoucher('sms', { ...message, locale: 'zh-CN' }, delivery);
      expect(providerId).toBe('abc-1');
      const r = provider.requests[0]!;
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('acct:p@ss').toString('base64')}`);
      const body = r.body as { from: string; messages: Array<{ destination: string; content: string }> };
      expect(body.from).toBe('SHOP');
      expect(body.messages[0]!.destination).toBe(PHONE);
      const text = body.messages[0]!.content;
      expect(text).toBe(`Shop A：到店付现金€49.90 ${message.voucher_url}`);
      const size = smsLength(text);
      expect(size.encoding).toBe('UCS-2');
      expect(size.units).toBeLessThanOrEqual(70);
    } finally {
      await provider.close();
    }
  });

  it('gives a transient error with the URL, status and answer when the provider answers 500', async () => {
    const provider = await startSmsProvider(() => ({ status: 500, body: '{"error":"upstream carrier unavailable"}' }));
    try {
      const delivery = createDelivery({ SMS_URL: `${provider.url}?api_key=secret`, SMS_TOKEN: 't' }, quiet);
      const error = (await deliverVoucher('sms', message, delivery).catch((e: unknown) => e)) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.permanent).toBe(false);
      expect(error.message).toBe(`SMS provider ${provider.url} answered HTTP 500 Internal Server Error: {"error":"upstream carrier unavailable"}`);
      expect(error.message).not.toContain('secret');
    } finally {
      await provider.close();
    }
  });

  it('gives a permanent error when the provider refuses the number (400)', async () => {
    const provider = await startSmsProvider(() => ({ status: 400, body: '{"error":"invalid destination number"}' }));
    try {
      const delivery = createDelivery({ SMS_URL: provider.url }, quiet);
      const error = (await deliverVoucher('sms', message, delivery).catch((e: unknown) => e)) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.permanent).toBe(true);
      expect(error.message).toBe(`SMS provider ${provider.url} answered HTTP 400 Bad Request for ${PHONE}: {"error":"invalid destination number"}`);
    } finally {
      await provider.close();
    }
  });

  it('gives a transient error when the provider is down (connection refused)', async () => {
    const port = await closedPort();
    const delivery = createDelivery({ SMS_URL: `http://127.0.0.1:${port}/send` }, quiet);
    const error = (await deliverVoucher('sms', message, delivery).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(`could not connect to SMS provider http://127.0.0.1:${port}/send: connection refused (ECONNREFUSED)`);
  });

  it('writes the SMS to the log when SMS_URL is not set', async () => {
    const lines: string[] = [];
    const delivery = createDelivery({}, (l) => lines.push(l));
    const { providerId } = await deliverVoucher('sms', message, delivery);
    expect(providerId).toBeNull();
    const line = lines.find((l) => l.startsWith('SMS (not sent'))!;
    expect(line).toContain(`to ${PHONE}, GSM-7 `);
    expect(line).toContain(message.voucher_url);
  });
});
