/**
 * E-mail over SMTP with nodemailer. Each SMTP failure becomes a DeliveryError that quotes the
 * server's reply code and text, and says whether trying again can help (RFC 5321 §4.2.1: 5yz is
 * a permanent refusal, 4yz a transient one). Only a refusal of this message or its recipient is
 * permanent; a refused login or sender is the operator's configuration, which the messages wait out.
 */
import nodemailer from 'nodemailer';
import type { SMTPTransportOptions, Transporter } from 'nodemailer';
import { DeliveryError } from '../errors.ts';
import type { Mailer, OutgoingMail } from './delivery.ts';

export interface SmtpMailerOptions {
  /** Gives up on connecting, on the greeting and on an idle socket after this long. Default 15 s. */
  timeoutMs?: number;
}

/** nodemailer's error fields (its NodemailerError), read defensively. */
interface SmtpFailure {
  message: string;
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  timeoutType?: string;
}

/** "smtp://user@host:port": the SMTP URL without its password, for messages and logs. */
export function redactSmtpUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable SMTP_URL)';
  }
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  /** Where mail goes, as said in every error. */
  readonly target: string;

  constructor(
    url: string,
    private readonly from: string,
    options: SmtpMailerOptions = {},
  ) {
    const timeout = options.timeoutMs ?? 15_000;
    this.target = redactSmtpUrl(url);
    // The URL carries host, port, TLS (smtps:// is TLS from the first byte; smtp:// upgrades with
    // STARTTLS when offered) and the login; query options such as ?tls.rejectUnauthorized=false pass through.
    const transport: SMTPTransportOptions = { url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout * 2 };
    this.transport = nodemailer.createTransport(transport);
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, cid: a.cid, contentType: a.contentType })),
        // RFC 3834: an automatic message; vacation responders must not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { messageId: String(info.messageId) };
    } catch (error) {
      throw this.describe(error as SmtpFailure, mail.to);
    }
  }

  close(): void {
    this.transport.close();
  }

  private describe(err: SmtpFailure, to: string): DeliveryError {
    const at = `SMTP server ${this.target}`;
    const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
    if (code !== undefined) {
      const reply = (err.response ?? String(code)).trim();
      const command = (err.command ?? '').toUpperCase();
      const refusedNow = code >= 500 && code < 600 && code !== 503; // 503: bad sequence, fine on a new session
      if (command.startsWith('AUTH') || err.code === 'EAUTH') {
        return new DeliveryError(`${at} refused the login: ${reply}; check the user and password in SMTP_URL`, false, { cause: err });
      }
      if (command.startsWith('MAIL')) {
        return new DeliveryError(`${at} refused the sender ${this.from} at MAIL FROM: ${reply}; check SMTP_FROM`, false, { cause: err });
      }
      if (command.startsWith('RCPT')) {
        return new DeliveryError(`${at} refused the recipient ${to} at RCPT TO: ${reply}${refusedNow ? '' : ' (temporary: the server asks to try again later)'}`, refusedNow, {
          cause: err,
        });
      }
      if (command === 'DATA' || err.code === 'EMESSAGE') {
        return new DeliveryError(
          `${at} refused the message to ${to} at ${command || 'DATA'}: ${reply}${refusedNow ? '' : ' (temporary: the server asks to try again later)'}`,
          refusedNow,
          { cause: err },
        );
      }
      // EHLO, STARTTLS, a greeting of 421/554: the server's state, not this message.
      return new DeliveryError(`${at} answered ${command || 'the connection'} with ${reply}`, false, { cause: err });
    }
    const cause = err.originalCode ?? err.code ?? 'unknown';
    switch (true) {
      case cause === 'ECONNREFUSED':
        return new DeliveryError(`could not connect to ${at}: connection refused (ECONNREFUSED); is the SMTP server running and SMTP_URL's host and port right?`, false, {
          cause: err,
        });
      case cause === 'ENOTFOUND' || cause === 'EAI_AGAIN' || err.code === 'EDNS':
        return new DeliveryError(`could not connect to ${at}: its host name does not resolve (${cause})`, false, { cause: err });
      case err.code === 'ETIMEDOUT' || cause === 'ETIMEDOUT':
        return new DeliveryError(`${at} did not answer in time (${err.timeoutType ?? 'ETIMEDOUT'}): ${err.message}`, false, { cause: err });
      case err.code === 'ETLS' || cause.startsWith('ERR_SSL') || /SSL|TLS|certificate/i.test(err.message):
        return new DeliveryError(
          `TLS with ${at} failed (${cause}): ${err.message.trim()}; smtps:// is for servers that speak TLS from the start (port 465), smtp:// for those that upgrade with STARTTLS (25, 587)`,
          false,
          { cause: err },
        );
      case err.code === 'ENOAUTH':
        return new DeliveryError(`${at} requires a login but SMTP_URL has none: ${err.message}`, false, { cause: err });
      default:
        return new DeliveryError(`e-mail to ${to} through ${at} failed (${cause}): ${err.message.trim()}`, false, { cause: err });
    }
  }
}
