/** The app's current language: picked from the browser, changeable by hand, remembered on the phone. */
import { formatMoney } from '../../core/money/money.ts';
import { HTML_LANG, isLocale } from '../../core/text/locales.ts';
import { formatAgo, formatRemaining, intlLocale, pickLocale, translate } from './i18n.ts';
import type { Locale, MessageKey } from './messages.ts';

const STORAGE_KEY = 'counterpay.locale';

function storedLocale(): Locale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage blocked: fall back to the browser's language
  }
}

export class I18n {
  locale = $state<Locale>(storedLocale() ?? pickLocale(navigator.languages ?? [navigator.language]));
  tag = $derived(intlLocale(this.locale, navigator.languages ?? [navigator.language]));

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.lang = HTML_LANG[this.locale];
      });
    });
  }

  set(locale: Locale) {
    this.locale = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not remembered across visits; the choice still holds for this one.
    }
  }

  t = (key: MessageKey, params?: Record<string, string | number>) => translate(this.locale, key, params);
  money = (amount: number, currency: string) => formatMoney(amount, currency, this.tag);
  dateTime = (date: Date) => new Intl.DateTimeFormat(this.tag, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  time = (date: Date) => new Intl.DateTimeFormat(this.tag, { timeStyle: 'short' }).format(date);
  remaining = (milliseconds: number) => formatRemaining(this.locale, milliseconds);
  ago = (then: Date, now: Date) => formatAgo(this.tag, then, now);
}
