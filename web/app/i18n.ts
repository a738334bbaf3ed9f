/** Language choice and message formatting, as plain functions so they can be tested without a browser. */
import { LOCALE_TAGS, localeFor, supportedLocale, type Locale } from '../../core/text/locales.ts';
import { catalogs, type MessageKey } from './messages.ts';

/** The first of the browser's languages the app speaks; English when none (core/text/locales.ts localeFor). */
export function pickLocale(preferred: readonly string[]): Locale {
  return localeFor(preferred);
}

/**
 * The BCP 47 tag for Intl: the browser's own tag when it is in the chosen language (so an
 * en-GB phone keeps its date order), else the language's usual tag.
 */
export function intlLocale(locale: Locale, preferred: readonly string[]): string {
  const own = preferred.find((tag) => supportedLocale(tag) === locale);
  if (own) return own;
  return LOCALE_TAGS[locale];
}

export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  // A till sentence asked for before the till's chunk added its catalog would show its key, never crash.
  const template = catalogs[locale][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** "2 d 3 h", "3 h 12 min", "4 min 10 s" until a moment; the unit shrinks as it comes closer. */
export function formatRemaining(locale: Locale, milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  if (d > 0) return translate(locale, 'time.days', { d, h });
  if (h > 0) return translate(locale, 'time.hours', { h, m });
  return translate(locale, 'time.minutes', { m, s });
}

/** "5 minutes ago", "5分钟前": the age of a fact, in the largest unit that fits. */
export function formatAgo(tag: string, then: Date, now: Date): string {
  const seconds = Math.round((then.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(0, 'second');
  if (abs < 3_600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3_600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}
