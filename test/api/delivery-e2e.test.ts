/**
 * The whole path of a voucher message in the real server process: POST /v1/vouchers with notify →
 * outbox row in the voucher's transaction → the server's worker → SMTP / the SMS provider.
 * A provider that is down delays the message, never loses it, and never blocks voucher creation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { closedPort, startSmtp, type Smtp } from '../support/smtp.ts';
import { startReceiver } from '../support/receiver.ts';

async function waitFor(check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('voucher delivery through the server', () => {
  let smtp: Smtp;
  let sms: Awaited<ReturnType<typeof startReceiver>>;
  let server: RunningServer;
  const downPort = { value: 0 };
  let late: RunningServer | undefined;
  beforeAll(async () => {
    smtp = await startSmtp();
    sms = await startReceiver(() => 200);
    downPort.value = await closedPort();
    server = await startServer({ env: { SMTP_URL: smtp.url(), SMS_URL: `${sms.url}/sms`, WORKER_INTERVAL_MS: '100' } });
  });
  afterAll(async () => {
    await server?.stop();
    await late?.stop();
    await smtp?.close();
    await sms?.close();
  });

  const create = (s: RunningServer, body: Record<string, unknown>) =>
    fetch(`${s.url}/v1/vouchers`, { method: 'POST', headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('e-mails and texts the voucher link once the voucher is committed', async () => {
    const res = await create(server, {
      order_ref: 'MAIL-1',
      amount: 4990,
      currency: 'EUR',
      notify: ['email', 'sms'],
      customer: { email: 'shopper@example.com', phone: '+4915112345678', locale: 'zh-CN' },
    });
    expect(res.status).toBe(201);
    const v = await res.json();
    await waitFor(() => smtp.received.length === 1 && sms.received.length === 1);
    const mail = smtp.received[0]!;
    expect(mail.envelope.to).toEqual(['shopper@example.com']);
    expect(mail.mail.text).toContain(v.voucher_url);
    expect(mail.mail.subject).toMatch(/[\u4e00-\u9fff]/); // the shopper's language
    const text = JSON.parse(sms.received[0]!.body).text as string;
    expect(text).toContain(v.voucher_url);
    expect(text.length).toBeLessThanOrEqual(70);
  });

  it('keeps a message while the SMTP server is down and sends it when it is back, without delaying the voucher', async () => {
    late = await startServer({ env: { SMTP_URL: `smtp://127.0.0.1:${downPort.value}`, WORKER_INTERVAL_MS: '100' } });
    const res = await create(late, { order_ref: 'MAIL-2', amount: 1000, currency: 'EUR', notify: ['email'], customer: { email: 'later@example.com' } });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000)); // the first attempt fails: connection refused
    const arrived: string[] = [];
    const back = await startSmtp(
      {
        onRcptTo(address, _session, cb) {
          arrived.push(address.address);
          cb();
        },
      },
      downPort.value,
    );
    try {
      // The retry after a refused connection is due 10 s (±20 %) after the first attempt.
      await waitFor(() => arrived.includes('later@example.com'), 30_000);
    } finally {
      await back.close();
    }
  });
});
