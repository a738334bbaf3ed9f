/**
 * Delivery configuration, parsed once at start (docs/architecture.md §9.1: parse at the edges). A mistake here stops
 * the start with the variable named, rather than failing every message later.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | SMTP_URL | — | `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`; unset: e-mails wait in the outbox |
 * | SMTP_FROM | `Counterpay <no-reply@localhost>` | the From address |
 * | SMS_URL | — | the SMS provider's HTTP endpoint (`https://user:pass@…` for Basic credentials); unset: SMS are written to the log |
 * | SMS_TOKEN | — | sent as `Authorization: Bearer …` |
 * | SMS_BODY | `{"to":"{to}","text":"{text}"}` | the JSON posted to SMS_URL |
 * | SMS_ID_FIELD | `id`, `message_id`, `messageId` or `sid` | where the provider's answer holds its message id (dotted path) |
 * | SMS_TEMPLATE | built-in English | voucher SMS text: {merchant} {order} {amount} {expires} {reference} {url} (refund SMS use built-in texts) |
 * | SMS_TEMPLATE_ZH_CN | built-in Chinese | the same for shoppers who read Simplified Chinese |
 * | MESSAGE_TIME_ZONE | `UTC` | IANA zone the expiry is shown in; its name is always printed |
 */
import { normalizePublicUrl, parseSettings } from '../config/env.ts';
import { z } from 'zod';
import { UnconfiguredMailer, type Mailer, type SmsSender } from './delivery.ts';
import { isTimeZone } from './message-format.ts';
import { checkSmsBodyTemplate, HttpSmsSender, LogSmsSender, redactHttpUrl } from './sms-senders.ts';
import { SmtpMailer } from './smtp-mailer.ts';
import { checkSmsTemplate, renderVoucherSms, SmsTooLongError, type SmsTemplates } from './voucher-sms.ts';
import { MESSAGE_LOCALES, type MessageLocale } from './voucher-message.ts';
import { renderRefundSms } from './refund-sms.ts';

const valid = (check: (v: string) => void) => (v: string, ctx: z.RefinementCtx) => {
  try {
    check(v);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
};

const MessagesEnv = z.object({
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/?#]+/, 'must be smtp://[user:pass@]host[:port] or smtps://…')
    .optional(),
  SMTP_FROM: z
    .string()
    .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address such as "Shop payments <payments@example.com>"')
    .default('Counterpay <no-reply@localhost>'),
  SMS_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  SMS_TOKEN: z.string().optional(),
  SMS_BODY: z.string().superRefine(valid(checkSmsBodyTemplate)).optional(),
  SMS_ID_FIELD: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted path such as messages.0.id')
    .optional(),
  SMS_TEMPLATE: z.string().superRefine(valid(checkSmsTemplate)).optional(),
  SMS_TEMPLATE_ZH_CN: z.string().superRefine(valid(checkSmsTemplate)).optional(),
  MESSAGE_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or Asia/Shanghai').default('UTC'),
  /** Read only to check at start that a voucher and a refund SMS fit one message with this link length. */
  PUBLIC_URL: z.url().optional(),
});
export type MessagesEnv = z.infer<typeof MessagesEnv>;

export function parseMessagesEnv(source: Record<string, string | undefined> = process.env): MessagesEnv {
  return parseSettings(MessagesEnv, source).data;
}

export interface Delivery {
  mailer: Mailer;
  sms: SmsSender;
  /** Per-locale SMS_TEMPLATE*; a missing locale uses the built-in text. */
  smsTemplate: SmsTemplates;
  timeZone: string;
  /** Closes SMTP connections. */
  close(): void;
}

/**
 * The mailer and SMS sender the environment asks for, for deliverVoucher's `deps`. Logs one line
 * per channel saying where messages go, and warns when an SMS cannot fit with this PUBLIC_URL.
 */
/** The mailer SMTP_URL asks for, or one that says e-mail is not configured. `log` says which. */
export function createMailer(source: Record<string, string | undefined>, log: (line: string) => void): Mailer {
  const env = parseMessagesEnv(source);
  if (env.SMTP_URL) {
    const smtp = new SmtpMailer(env.SMTP_URL, env.SMTP_FROM);
    log(`e-mail: SMTP ${smtp.target}, from ${env.SMTP_FROM}`);
    return smtp;
  }
  log('e-mail: not configured (SMTP_URL is not set); voucher e-mails wait in the outbox until it is');
  return new UnconfiguredMailer();
}

export function createDelivery(source: Record<string, string | undefined>, log: (line: string) => void): Delivery {
  const env = parseMessagesEnv(source);
  const mailer = createMailer(source, log);
  let sms: SmsSender;
  if (env.SMS_URL) {
    try {
      sms = new HttpSmsSender({ url: env.SMS_URL, token: env.SMS_TOKEN, bodyTemplate: env.SMS_BODY, idField: env.SMS_ID_FIELD });
    } catch (error) {
      throw new Error(`Invalid configuration:\n  SMS_URL: ${(error as Error).message}`);
    }
    log(`SMS: HTTP provider ${redactHttpUrl(env.SMS_URL)}`);
  } else {
    log('SMS: written to this log, not sent (SMS_URL is not set)');
    sms = new LogSmsSender(log);
  }
  const smsTemplate: Partial<Record<MessageLocale, string>> = {
    ...(env.SMS_TEMPLATE ? { en: env.SMS_TEMPLATE } : {}),
    ...(env.SMS_TEMPLATE_ZH_CN ? { 'zh-CN': env.SMS_TEMPLATE_ZH_CN } : {}),
  };
  if (env.PUBLIC_URL) warnIfSmsCannotFit(env.PUBLIC_URL, smsTemplate, env.MESSAGE_TIME_ZONE, log);
  return { mailer, sms, smsTemplate, timeZone: env.MESSAGE_TIME_ZONE, close: () => (mailer instanceof SmtpMailer ? mailer.close() : undefined) };
}

/**
 * Renders a short voucher and a short refund (merchant and order cut to their minimum anyway) with
 * this PUBLIC_URL's links: when even that exceeds one SMS, every such SMS would wait in the
 * outbox, so say so at start.
 */
function warnIfSmsCannotFit(publicUrl: string, templates: SmsTemplates, timeZone: string, log: (line: string) => void): void {
  const link = `${normalizePublicUrl(publicUrl)}/v/${'x'.repeat(26)}`;
  for (const locale of MESSAGE_LOCALES) {
    try {
      renderVoucherSms(
        {
          voucher_id: 'vch_startcheck',
          merchant_name: 'Shop',
          order_ref: '1',
          amount: 99_999_999,
          currency: 'EUR',
          expires_at: '2026-12-31T23:59:00Z',
          voucher_url: link,
          qr: '',
          reference: '000000000000',
          items: [],
          locale,
          to: {},
        },
        templates,
        { timeZone },
      );
    } catch (error) {
      if (!(error instanceof SmsTooLongError)) throw error;
      log(`warning: voucher SMS in ${locale} cannot fit one message with PUBLIC_URL ${publicUrl}: ${error.message} SMS will wait in the outbox until this is fixed.`);
    }
  }
  // The refund SMS has built-in texts only, and its link is longer (`?refund=rfd_…`).
  const failing = new Map<string, MessageLocale[]>();
  for (const locale of MESSAGE_LOCALES) {
    try {
      renderRefundSms(
        {
          refund_id: 'rfd_startcheck',
          merchant_name: 'Shop',
          order_ref: '1',
          amount: 99_999_999,
          currency: 'EUR',
          expires_at: '2026-12-31T23:59:00Z',
          refund_url: `${link}?refund=rfd_${'x'.repeat(13)}`,
          qr: '',
          reference: '000000000000',
          payout_code: '000000',
          locale,
          to: {},
        },
        { timeZone },
      );
    } catch (error) {
      if (!(error instanceof SmsTooLongError)) throw error;
      failing.set(error.message, [...(failing.get(error.message) ?? []), locale]);
    }
  }
  for (const [message, locales] of failing) {
    log(`warning: refund SMS in ${locales.join(' and ')} cannot fit one message with PUBLIC_URL ${publicUrl}: ${message} SMS will wait in the outbox until this is fixed.`);
  }
}
