/**
 * Formatting shared by the e-mail and the SMS: amounts and expiry for people, in the shopper's
 * language. Money goes through core's formatMoney (integers only); dates through Intl.
 */
import { formatMoney } from '../../core/money/money.ts';
import type { MessageLocale, VoucherMessage } from './voucher-message.ts';

export interface FormatOptions {
  /**
   * IANA zone the expiry is shown in (the shopper's zone is unknown to the server). The zone's
   * name is always printed next to the time, so the moment is never ambiguous. Default UTC.
   */
  timeZone?: string;
}

/** What an amount is shown from: the money of a voucher or refund message, in the shopper's language. */
export interface AmountOf {
  amount: number;
  currency: string;
  locale: MessageLocale;
}

export function amountText(m: AmountOf): string {
  return formatMoney(m.amount, m.currency, m.locale);
}

export function lineAmountText(m: AmountOf, item: VoucherMessage['items'][number]): string {
  return formatMoney(item.quantity * item.unit_amount, m.currency, m.locale);
}

/** The time of day with its zone, as both expiry lines show it. */
const clockOf = (options: FormatOptions): Intl.DateTimeFormatOptions => ({ hour: 'numeric', minute: '2-digit', timeZone: options.timeZone ?? 'UTC', timeZoneName: 'short' });

/** "Sunday, November 29, 2026 at 12:00 PM UTC" / "2026年11月29日星期日 UTC 12:00". */
export function expiryLong(expiresAt: string, locale: MessageLocale, options: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', ...clockOf(options) }).format(new Date(expiresAt));
}

/** "Nov 29, 12:00 PM UTC" / "11月29日 UTC 12:00": no year, as a voucher or refund lives 60 days at most. */
export function expiryShort(expiresAt: string, locale: MessageLocale, options: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', ...clockOf(options) }).format(new Date(expiresAt));
}

/** True when Intl knows `zone` (checked once at start, so a typo fails there and not per message). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
