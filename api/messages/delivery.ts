/**
 * Sends one voucher or refund message on one channel. The outbox worker calls deliverVoucher (or
 * deliverRefund) for each row and decides from the DeliveryError what to do: a transient failure
 * keeps the row for a later attempt (a provider that is down delays a message, never loses it), a
 * permanent one ends it with the reason recorded. Configuration problems (no SMTP_URL, a refused
 * login, a template that cannot fit) are transient on purpose: once the operator fixes them, the
 * waiting messages go out.
 */
import { DeliveryError } from '../errors.ts';
import type { FormatOptions } from './message-format.ts';
import { renderVoucherEmail, type EmailAttachment } from './voucher-email.ts';
import { renderVoucherSms, SmsTemplateError, SmsTooLongError, type SmsTemplates } from './voucher-sms.ts';
import type { VoucherMessage } from './voucher-message.ts';
import { renderRefundEmail } from './refund-email.ts';
import { renderRefundSms } from './refund-sms.ts';
import type { RefundMessage } from './refund-message.ts';

// DeliveryError is one of the named failures of api/errors.ts; senders and the outbox take it from here.
export { DeliveryError } from '../errors.ts';
export { renderVoucherEmail, type RenderedEmail, type EmailAttachment } from './voucher-email.ts';
export { renderVoucherSms, type RenderedSms, type SmsTemplates } from './voucher-sms.ts';
export { renderRefundEmail } from './refund-email.ts';
export { renderRefundSms } from './refund-sms.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: EmailAttachment[];
}

/** Sends one e-mail; throws DeliveryError. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

/** Sends one SMS to an E.164 number; throws DeliveryError. `providerId` when the provider gives one. */
export interface SmsSender {
  send(to: string, text: string): Promise<{ providerId: string | null }>;
}

/** Stands in for SMTP when SMTP_URL is not set: every e-mail waits in the outbox until it is. */
export class UnconfiguredMailer implements Mailer {
  async send(mail: OutgoingMail): Promise<never> {
    throw new DeliveryError(`e-mail to ${mail.to} not sent: e-mail delivery is not configured; set SMTP_URL (smtp:// or smtps://) and restart, and waiting e-mails go out`, false);
  }
}

export type Channel = 'email' | 'sms';

export interface DeliveryDeps extends FormatOptions {
  mailer: Mailer;
  sms: SmsSender;
  /** SMS_TEMPLATE; without it, the built-in text of the shopper's language. */
  smsTemplate?: SmsTemplates;
}

/**
 * Renders and sends the voucher on `channel`. Returns the provider's id of the message (the SMTP
 * Message-ID, the SMS provider's id or null). Throws DeliveryError only.
 */
export async function deliverVoucher(channel: Channel, m: VoucherMessage, deps: DeliveryDeps): Promise<{ providerId: string | null }> {
  try {
    if (channel === 'email') {
      if (!m.to.email) throw new DeliveryError(`voucher ${m.voucher_id} has no e-mail address to send to`, true);
      const mail = await renderVoucherEmail(m, deps);
      const { messageId } = await deps.mailer.send({ to: m.to.email, ...mail });
      return { providerId: messageId };
    }
    if (!m.to.phone) throw new DeliveryError(`voucher ${m.voucher_id} has no phone number to send an SMS to`, true);
    const sms = renderVoucherSms(m, deps.smsTemplate, deps);
    return await deps.sms.send(m.to.phone, sms.text);
  } catch (error) {
    throw asDeliveryError(error, channel, `voucher ${m.voucher_id}`);
  }
}

/**
 * Renders and sends the refund on `channel`, with the same failures as deliverVoucher. The SMS is
 * the built-in refund text (SMS_TEMPLATE is the voucher's). Throws DeliveryError only.
 */
export async function deliverRefund(channel: Channel, m: RefundMessage, deps: DeliveryDeps): Promise<{ providerId: string | null }> {
  const what = `refund ${m.refund_id}`;
  try {
    if (channel === 'email') {
      if (!m.to.email) throw new DeliveryError(`${what} has no e-mail address to send to`, true);
      const mail = await renderRefundEmail(m, deps);
      const { messageId } = await deps.mailer.send({ to: m.to.email, ...mail });
      return { providerId: messageId };
    }
    if (!m.to.phone) throw new DeliveryError(`${what} has no phone number to send an SMS to`, true);
    const sms = renderRefundSms(m, deps);
    return await deps.sms.send(m.to.phone, sms.text);
  } catch (error) {
    throw asDeliveryError(error, channel, what);
  }
}

/** `what`: the message's subject as the error names it, `voucher vch_…` or `refund rfd_…`. */
function asDeliveryError(error: unknown, channel: Channel, what: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  // The template or PUBLIC_URL is at fault, not this message: keep it until the operator fixes them.
  if (error instanceof SmsTooLongError || error instanceof SmsTemplateError) {
    return new DeliveryError(`SMS for ${what} not sent: ${error.message}`, false, { cause: error });
  }
  // A bug or an unforeseen failure: say what it was, and keep the message rather than drop it.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DeliveryError(`${channel === 'email' ? 'e-mail' : 'SMS'} for ${what} not sent: unexpected ${detail}`, false, { cause: error });
}
