import { describe, expect, it } from 'vitest';
import { createDelivery, parseMessagesEnv } from './config.ts';
import { DeliveryError, deliverRefund, deliverVoucher, type Mailer, type OutgoingMail, type SmsSender } from './delivery.ts';
import { parseRefundMessage, type RefundMessage } from './refund-message.ts';
import { LogSmsSender } from './sms-senders.ts';
import { messageLocaleFor, parseVoucherMessage, type VoucherMessage } from './voucher-message.ts';
import { sampleMessage, sampleRefundMessage } from './testing.ts';

const m = (over: Partial<VoucherMessage> = {}): VoucherMessage => sampleMessage({ qr: 'HTTP://LOCALHOST:8080/V/1234567890', items: [], ...over });

class RecordingMailer implements Mailer {
  sent: OutgoingMail[] = [];
  constructor(private readonly fail?: unknown) {}
  async send(mail: OutgoingMail) {
    if (this.fail) throw this.fail;
    this.sent.push(mail);
    return { messageId: '<1@test>' };
  }
}
const noSms: SmsSender = { send: async () => ({ providerId: null }) };

describe('deliverVoucher', () => {
  it("sends the e-mail to the voucher's address only and returns its Message-ID", async () => {
    const mailer = new RecordingMailer();
    expect(await deliverVoucher('email', m(), { mailer, sms: noSms })).toEqual({ providerId: '<1@test>' });
    expect(mailer.sent.map((x) => x.to)).toEqual(['shopper@example.com']);
  });

  it('fails permanently when the voucher has no address for the channel', async () => {
    const noEmail = deliverVoucher('email', m({ to: { phone: '+4915112345678' } }), { mailer: new RecordingMailer(), sms: noSms });
    await expect(noEmail).rejects.toThrow(new DeliveryError('voucher vch_04j2kd8w1x7m2 has no e-mail address to send to', true));
    await expect(noEmail).rejects.toMatchObject({ permanent: true });
    await expect(deliverVoucher('sms', m({ to: {} }), { mailer: new RecordingMailer(), sms: noSms })).rejects.toMatchObject({
      permanent: true,
      message: 'voucher vch_04j2kd8w1x7m2 has no phone number to send an SMS to',
    });
  });

  it('keeps an SMS that cannot fit one message waiting (transient), saying why', async () => {
    const error = await deliverVoucher('sms', m({ voucher_url: `https://example.com/${'x'.repeat(170)}` }), { mailer: new RecordingMailer(), sms: noSms }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: false });
    expect((error as Error).message).toMatch(
      /^SMS for voucher vch_04j2kd8w1x7m2 not sent: the SMS for voucher vch_04j2kd8w1x7m2 takes \d+ GSM-7 septets .* Use a shorter PUBLIC_URL\.$/,
    );
  });

  it('turns an unexpected failure into a transient DeliveryError rather than lose the message', async () => {
    const error = await deliverVoucher('email', m(), { mailer: new RecordingMailer(new TypeError('boom')), sms: noSms }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: false, message: 'e-mail for voucher vch_04j2kd8w1x7m2 not sent: unexpected TypeError: boom' });
  });

  it('passes a DeliveryError from the sender through unchanged', async () => {
    const refused = new DeliveryError('SMTP server smtp://x refused the recipient', true);
    await expect(deliverVoucher('email', m(), { mailer: new RecordingMailer(refused), sms: noSms })).rejects.toBe(refused);
  });

  it('writes the SMS to the log with its encoding and length in development', async () => {
    const lines: string[] = [];
    await deliverVoucher('sms', m({ locale: 'zh-CN' }), { mailer: new RecordingMailer(), sms: new LogSmsSender((l) => lines.push(l)) });
    expect(lines).toEqual([`SMS (not sent: SMS_URL is not set) to +4915112345678, UCS-2 70/70: Demo S…：到店付现金€49.90 http://localhost:8080/v/0123456789abcdefghijklmnop`]);
  });
});

describe('deliverRefund', () => {
  const r = (over: Partial<RefundMessage> = {}): RefundMessage => sampleRefundMessage({ qr: 'HTTP://LOCALHOST:8080/V/9876543210', ...over });

  it("sends the refund e-mail to the voucher's address only and returns its Message-ID", async () => {
    const mailer = new RecordingMailer();
    expect(await deliverRefund('email', r(), { mailer, sms: noSms })).toEqual({ providerId: '<1@test>' });
    expect(mailer.sent.map((x) => [x.to, x.subject])).toEqual([['shopper@example.com', 'Collect €49.90 at any Counterpay store: your refund from Demo Shop, order ORD-1001']]);
    expect(mailer.sent[0]!.text).toContain('If the cashier asks for a code, it is 123456.');
  });

  it('sends the refund SMS with the built-in text, never the voucher SMS_TEMPLATE', async () => {
    const sent: Array<[string, string]> = [];
    const sms: SmsSender = {
      send: async (to, text) => {
        sent.push([to, text]);
        return { providerId: 'p-1' };
      },
    };
    expect(await deliverRefund('sms', r(), { mailer: new RecordingMailer(), sms, smsTemplate: 'Pay {amount}: {url}' })).toEqual({ providerId: 'p-1' });
    expect(sent).toEqual([['+4915112345678', `Collect €49.90 at any Counterpay store (Demo Shop refund). Code if asked: 123456 ${r().refund_url}`]]);
  });

  it('fails permanently when the refund has no address for the channel', async () => {
    await expect(deliverRefund('email', r({ to: { phone: '+4915112345678' } }), { mailer: new RecordingMailer(), sms: noSms })).rejects.toMatchObject({
      permanent: true,
      message: 'refund rfd_04j2kd8w1x7m2 has no e-mail address to send to',
    });
    await expect(deliverRefund('sms', r({ to: {} }), { mailer: new RecordingMailer(), sms: noSms })).rejects.toMatchObject({
      permanent: true,
      message: 'refund rfd_04j2kd8w1x7m2 has no phone number to send an SMS to',
    });
  });

  it('keeps a refund SMS that cannot fit one message waiting (transient), saying why', async () => {
    const error = await deliverRefund('sms', r({ refund_url: `https://example.com/${'x'.repeat(150)}` }), { mailer: new RecordingMailer(), sms: noSms }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: false });
    expect((error as Error).message).toMatch(
      /^SMS for refund rfd_04j2kd8w1x7m2 not sent: the SMS for refund rfd_04j2kd8w1x7m2 takes \d+ GSM-7 septets .* Use a shorter PUBLIC_URL\.$/,
    );
  });

  it('turns an unexpected failure into a transient DeliveryError and passes a DeliveryError through', async () => {
    const error = await deliverRefund('email', r(), { mailer: new RecordingMailer(new TypeError('boom')), sms: noSms }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: false, message: 'e-mail for refund rfd_04j2kd8w1x7m2 not sent: unexpected TypeError: boom' });
    const refused = new DeliveryError('SMTP server smtp://x refused the recipient', true);
    await expect(deliverRefund('email', r(), { mailer: new RecordingMailer(refused), sms: noSms })).rejects.toBe(refused);
  });
});

describe('parseRefundMessage', () => {
  it('reads back a refund message and names the bad fields of a broken one', () => {
    const m = sampleRefundMessage();
    expect(parseRefundMessage(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(() => parseRefundMessage({ ...m, payout_code: '12345', amount: 0, refund_url: 'javascript:alert(1)' })).toThrow(
      'not a valid refund message: amount: Too small: expected number to be >=1; refund_url: Invalid URL; payout_code: must be 6 digits',
    );
  });
});

describe('delivery configuration', () => {
  it('has defaults for everything', () => {
    expect(parseMessagesEnv({})).toEqual({ SMTP_FROM: 'Counterpay <no-reply@localhost>', MESSAGE_TIME_ZONE: 'UTC' });
  });

  it('names every bad variable at start', () => {
    expect(() =>
      parseMessagesEnv({ SMTP_URL: 'http://mail.example.com', SMS_URL: 'ftp://x', SMS_TEMPLATE: 'Pay {amount}', SMS_BODY: '{"to":"{to}"}', MESSAGE_TIME_ZONE: 'Mars/Base' }),
    ).toThrow(
      [
        'Invalid configuration:',
        '  SMTP_URL: must be smtp://[user:pass@]host[:port] or smtps://…',
        '  SMS_URL: must be an http:// or https:// URL',
        '  SMS_BODY: SMS_BODY must place {text} in a string value, such as {"to":"{to}","text":"{text}"}; got {"to":"{to}"}',
        '  SMS_TEMPLATE: SMS template "Pay {amount}" must include {url}: the link is what the shopper needs',
        '  MESSAGE_TIME_ZONE: must be an IANA time zone such as Europe/Berlin or Asia/Shanghai',
      ].join('\n'),
    );
  });

  it('refuses two ways of logging in to the SMS provider', () => {
    expect(() => createDelivery({ SMS_URL: 'https://u:p@sms.example.com/send', SMS_TOKEN: 't' }, () => {})).toThrow(
      'Invalid configuration:\n  SMS_URL: SMS_URL carries a user and password and SMS_TOKEN is set too: use one way to log in',
    );
  });

  it('says where messages go, without secrets, and warns at start when a voucher or refund SMS cannot fit the PUBLIC_URL', () => {
    const lines: string[] = [];
    const d = createDelivery(
      { SMTP_URL: 'smtps://user:hunter2@mail.example.com:465', SMS_URL: 'https://sms.example.com/send?key=hunter2', PUBLIC_URL: `https://example.com/${'p'.repeat(60)}` },
      (l) => lines.push(l),
    );
    d.close();
    expect(lines[0]).toBe('e-mail: SMTP smtps://user@mail.example.com:465, from Counterpay <no-reply@localhost>');
    expect(lines[1]).toBe('SMS: HTTP provider https://sms.example.com/send');
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.slice(2)).toHaveLength(2);
    expect(lines[2]).toMatch(
      /^warning: voucher SMS in zh-CN cannot fit one message with PUBLIC_URL https:\/\/example\.com\/p+: the SMS .* takes \d+ UCS-2 units .* SMS will wait in the outbox until this is fixed\.$/,
    );
    // The refund link is longer still; both languages share one GSM-7 text, so one line names both.
    expect(lines[3]).toMatch(
      /^warning: refund SMS in en and zh-CN cannot fit one message with PUBLIC_URL https:\/\/example\.com\/p+: the SMS for refund rfd_startcheck takes \d+ GSM-7 septets .* Use a shorter PUBLIC_URL\. SMS will wait in the outbox until this is fixed\.$/,
    );
  });

  it('warns about no SMS when the PUBLIC_URL leaves room for the voucher and the refund link', () => {
    const lines: string[] = [];
    createDelivery({ PUBLIC_URL: 'https://cp.example' }, (l) => lines.push(l)).close();
    expect(lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });
});

describe('parseVoucherMessage', () => {
  it('reads back a stored message and names the bad fields of a broken one', () => {
    expect(parseVoucherMessage(JSON.parse(JSON.stringify(m())))).toEqual(m());
    expect(() => parseVoucherMessage({ ...m(), reference: '12', locale: 'fr', to: { phone: '0151' } })).toThrow(
      'not a valid voucher message: reference: must be 12 digits; locale: Invalid option: expected one of "en"|"zh-CN"; to.phone: must be an E.164 number such as +4915112345678',
    );
  });
});

describe('messageLocaleFor', () => {
  it('writes to Chinese-reading shoppers in Simplified Chinese and to everyone else in English', () => {
    expect(['zh-CN', 'zh', 'zh-Hans-CN', 'ZH-cn'].map(messageLocaleFor)).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'zh-CN']);
    expect(['en-GB', 'de', '', null, undefined, 'zhx'].map(messageLocaleFor)).toEqual(['en', 'en', 'en', 'en', 'en', 'en']);
  });
});
