/**
 * Refund delivery end to end, in process: a voucher paid at a real (test) till, a refund from the
 * real API (the merchant's, or Counterpay's own for a duplicate collection), the outbox worker
 * with the real delivery (createDelivery, as api/outbox/run-worker.ts builds it) → a real SMTP
 * server on 127.0.0.1, whose message mailparser reads back and zbarimg decodes, and a real HTTP
 * receiver standing in for the SMS provider. The harness's clock drives the API, the tills and
 * the worker, so nothing depends on today's date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { drivers } from '../support/databases.ts';
import { harnessPerSuite, tillRequest } from '../support/harness.ts';
import { startReceiver } from '../support/receiver.ts';
import { scratchDir } from '../support/scratch.ts';
import { startSmtp, type Smtp } from '../support/smtp.ts';
import { TestTill } from '../support/till.ts';
import type { Refund } from '../../core/contract/refunds.ts';
import { formatReference } from '../../core/reference/reference.ts';
import { outbox } from '../../api/db/schema.ts';
import { createDelivery, type Delivery } from '../../api/messages/config.ts';
import { smsLength } from '../../api/messages/sms-encoding.ts';
import { voucherMessageSender } from '../../api/outbox/message-sender.ts';
import { OutboxWorker } from '../../api/outbox/worker.ts';

const EMAIL = 'shopper@example.com';
const PHONE = '+4915112345678';

/** The zbarimg reading of a PNG's QR code, exactly as the tool prints it (one symbol, newline removed; other symbologies are off, since a QR's modules can read as a short Codabar such as "A20A"); the file goes with the test file's scratch folder. */
function zbarimg(png: Buffer): string {
  const file = path.join(scratchDir('refund-qr'), 'qr.png');
  writeFileSync(file, png);
  return execFileSync('/usr/bin/zbarimg', ['--nodbus', '--raw', '-q', '-Sdisable', '-Sqrcode.enable', file], { encoding: 'utf8' }).replace(/\n$/, '');
}

describe.each(drivers)('refund e-mail and SMS through the outbox on $name', (driver) => {
  const suite = harnessPerSuite(driver);
  let smtp: Smtp;
  let sms: Awaited<ReturnType<typeof startReceiver>>;
  let delivery: Delivery;
  let worker: OutboxWorker;
  let store: string;
  const log: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    sms = await startReceiver(() => 200);
    const { h } = suite;
    // The server's worker, as api/outbox/run-worker.ts builds it, on the harness's clock.
    delivery = createDelivery({ SMTP_URL: smtp.url(), SMTP_FROM: 'Counterpay <no-reply@counterpay.test>', SMS_URL: `${sms.url}/sms`, PUBLIC_URL: h.services.publicUrl }, (l) =>
      log.push(l),
    );
    const sender = voucherMessageSender(h.services.database.db, h.services.vouchers, h.services.refunds, h.clock, delivery);
    worker = new OutboxWorker(h.services.database.db, h.services.vault, h.clock, sender, { log: (l) => log.push(l), expireAlso: [() => h.services.refunds.expireDue()] });
    store = (await h.services.network.createStore('Refund Corner'))!.id;
  });
  afterAll(async () => {
    delivery?.close();
    await smtp?.close();
    await sms?.close();
  });

  const till = async () => TestTill.enrol(tillRequest(suite.h), (await suite.h.services.devices.createEnrolmentCode(store)).code);

  /** A voucher with the shopper's e-mail and phone, paid in cash at `at`. */
  async function paidVoucher(at: TestTill, orderRef: string, customer: Record<string, string> = {}) {
    const res = await suite.h.req('POST', '/v1/vouchers', { order_ref: orderRef, amount: 4990, currency: 'EUR', customer: { email: EMAIL, phone: PHONE, ...customer } });
    expect(res.status).toBe(201);
    const v = await res.json();
    const [answer] = await at.outcomes([await at.record(v.token, 4990)]);
    expect(answer).toMatchObject({ outcome: 'accepted', voucher_id: v.id });
    return v as { id: string; token: string };
  }

  async function refund(voucherId: string, amount: number): Promise<Refund> {
    const res = await suite.h.req('POST', '/v1/refunds', { voucher_id: voucherId, amount });
    expect(res.status, await res.clone().text()).toBe(201);
    return res.json();
  }

  /** The refund's outbox rows, by channel. */
  async function rowsOf(refundId: string) {
    const rows = await suite.h.services.database.db.select().from(outbox).where(eq(outbox.refundId, refundId));
    return Object.fromEntries(rows.map((r) => [r.kind, r]));
  }

  /** Runs the worker until nothing is due, and returns what arrived meanwhile. */
  async function runWorker() {
    const before = { mail: smtp.received.length, sms: sms.received.length };
    while ((await worker.runOnce()) > 0) {
      /* drain */
    }
    return { mails: smtp.received.slice(before.mail), texts: sms.received.slice(before.sms).map((r) => JSON.parse(r.body) as { to: string; text: string }) };
  }

  /** The refund as the shopper's link shows it. */
  async function openLink(url: string) {
    const u = new URL(url);
    expect(u.searchParams.get('refund')).toMatch(/^rfd_/);
    const res = await suite.h.req('GET', `/v1/voucher-links/${u.pathname.replace(/^\/v\//, '')}`, undefined, { key: null });
    expect(res.status).toBe(200);
    const link = await res.json();
    return (link.refunds as Array<{ id: string; qr: string; status: string }>).find((r) => r.id === u.searchParams.get('refund'));
  }

  /** The e-mail and the SMS of `r` arrived as the shopper needs them: link, amount, code, and a QR that decodes to the refund's. */
  async function expectDelivered(r: Refund, got: Awaited<ReturnType<typeof runWorker>>, amount: string) {
    expect(r.payout_code).toMatch(/^[0-9]{6}$/);
    expect(r.payout_code_sent_to.sort()).toEqual(['email', 'sms']);

    expect(got.mails).toHaveLength(1);
    const { envelope, mail } = got.mails[0]!;
    expect(envelope.to).toEqual([EMAIL]);
    expect(mail.subject).toBe(`Collect ${amount} at any Counterpay store: your refund from Shop A, order ${r.order_ref}`);
    const text = mail.text!;
    expect(text.split('\n')[0]).toBe(`Collect ${amount} at any Counterpay store`);
    for (const part of [r.refund_url, `If the cashier asks for a code, it is ${r.payout_code}.`, `Reference: ${formatReference(r.reference)}`, `Order number: ${r.order_ref}`]) {
      expect(text).toContain(part);
    }
    expect(text).not.toContain(PHONE);
    const html = mail.html as string;
    expect(html).toContain(`href="${r.refund_url}"`);
    expect(html).toContain(r.payout_code);
    expect(html).not.toContain(PHONE);
    expect(mail.attachments).toHaveLength(1);
    const png = mail.attachments[0]!;
    expect(png.contentType).toBe('image/png');
    expect(png.contentDisposition).toBe('inline');
    expect(html).toContain(`<img src="cid:${png.cid}"`);
    expect(zbarimg(png.content)).toBe(r.qr);

    expect(got.texts).toHaveLength(1);
    const sent = got.texts[0]!;
    expect(sent.to).toBe(PHONE);
    expect(sent.text).toContain(r.refund_url);
    expect(sent.text).toContain(amount);
    expect(sent.text).toContain(r.payout_code);
    expect(sent.text).not.toContain(EMAIL);
    const size = smsLength(sent.text);
    expect(size.encoding).toBe('GSM-7');
    expect(size.units).toBeLessThanOrEqual(160);

    // The link in both messages opens the shopper's page with this refund and its QR.
    expect(await openLink(text.match(/https?:\/\/\S+\?refund=rfd_\S+/)![0])).toMatchObject({ id: r.id, qr: r.qr, status: 'pending' });
    expect(await openLink(sent.text.match(/https?:\/\/\S+$/)![0])).toMatchObject({ id: r.id, qr: r.qr });

    const rows = await rowsOf(r.id);
    for (const channel of ['email', 'sms']) expect(rows[channel], channel).toMatchObject({ attempts: 1, lastError: null, gaveUpAt: null, deliveredAt: suite.h.clock.now() });
  }

  it("e-mails and texts a merchant's refund: the link, the amount, the code, and an inline QR that decodes to the refund's qr", async () => {
    const t = await till();
    const v = await paidVoucher(t, 'RFD-1');
    // Nothing for the voucher itself was asked to be sent (no notify).
    expect((await runWorker()).mails).toHaveLength(0);
    const r = await refund(v.id, 1990);
    expect(r).toMatchObject({ status: 'pending', amount: 1990, voucher_id: v.id, reason: 'customer_request' });
    await expectDelivered(r, await runWorker(), '€19.90');
  });

  it('writes to a Chinese-reading shopper in Chinese by e-mail, and in the GSM alphabet by SMS (a Chinese SMS cannot hold the link)', async () => {
    const t = await till();
    const v = await paidVoucher(t, 'RFD-ZH', { locale: 'zh-CN' });
    const r = await refund(v.id, 4990);
    const got = await runWorker();
    const mail = got.mails[0]!.mail;
    expect(mail.subject).toBe(`到任意 Counterpay 门店领取 €49.90：Shop A 订单 RFD-ZH 的退款`);
    expect(mail.text).toContain(`如果收银员要求提供验证码，验证码是 ${r.payout_code}。`);
    expect(mail.html).toContain('<html lang="zh-CN">');
    expect(zbarimg(mail.attachments[0]!.content)).toBe(r.qr);
    const text = got.texts[0]!.text;
    expect(text).toContain(r.refund_url);
    expect(text).toContain(r.payout_code);
    expect(smsLength(text)).toMatchObject({ encoding: 'GSM-7' });
  });

  it('delivers the automatic refund of a duplicate collection the same way', async () => {
    const [first, second] = [await till(), await till()];
    const v = await paidVoucher(first, 'RFD-DUP');
    const [dup] = await second.outcomes([await second.record(v.token, 4990)]);
    expect(dup).toMatchObject({ outcome: 'duplicate', voucher_id: v.id });
    const list = await (await suite.h.req('GET', `/v1/refunds?voucher_id=${v.id}`)).json();
    expect(list.data).toHaveLength(1);
    const r = list.data[0] as Refund;
    expect(r).toMatchObject({ reason: 'duplicate', amount: 4990, collection_id: dup!.id, status: 'pending' });
    await expectDelivered(r, await runWorker(), '€49.90');
  });

  it('does not send a refund that was canceled or paid out before the worker ran, and ends its messages with the reason', async () => {
    const t = await till();
    const canceled = await refund((await paidVoucher(t, 'RFD-CXL')).id, 1000);
    const cancel = await suite.h.req('POST', `/v1/refunds/${canceled.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect((await cancel.json()).status).toBe('canceled');

    const paid = await refund((await paidVoucher(t, 'RFD-PAID')).id, 2000);
    const payer = await till();
    const grant = await payer.granted(paid.token, paid.payout_code);
    const [payout] = await payer.outcomes([await payer.payout(paid.token, grant)]);
    expect(payout).toMatchObject({ outcome: 'accepted', refund_id: paid.id });
    expect((await (await suite.h.req('GET', `/v1/refunds/${paid.id}`)).json()).status).toBe('paid');

    const got = await runWorker();
    expect(got.mails).toHaveLength(0);
    expect(got.texts).toHaveLength(0);
    for (const [r, status] of [
      [canceled, 'canceled'],
      [paid, 'paid'],
    ] as const) {
      const rows = await rowsOf(r.id);
      for (const channel of ['email', 'sms']) {
        expect(rows[channel], `${status} ${channel}`).toMatchObject({
          attempts: 1,
          deliveredAt: null,
          gaveUpAt: suite.h.clock.now(),
          lastError: `refund ${r.id} is ${status}; the shopper no longer needs it`,
        });
      }
    }
  });
});
