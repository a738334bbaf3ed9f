/**
 * The languages Counterpay speaks to people, for the web app (its catalogues, the language picker)
 * and for the e-mail and SMS sent to shoppers (api/messages): one list, and one rule for which of
 * them a BCP 47 tag (a browser's language, a voucher's `customer.locale`) gets. No dependencies,
 * so the browser and the server import the same file.
 *
 * A locale is named by its language subtag (`en`, `zh`): the web app's catalogue key and the
 * choice it remembers on the phone. Each has a full tag for Intl and for what a stored voucher
 * message records (`zh-CN`), and a tag for HTML `lang` (`zh-Hans`: the script, Simplified Chinese).
 */

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

/** What a tag in none of the supported languages gets. */
export const DEFAULT_LOCALE: Locale = 'en';

/** Each locale's usual full tag: what Intl formats with when nothing more specific is known, and what a voucher message records. */
export const LOCALE_TAGS = { en: 'en', zh: 'zh-CN' } as const satisfies Record<Locale, string>;
export type LocaleTag = (typeof LOCALE_TAGS)[Locale];

/** Each locale's HTML `lang` in the web app. */
export const HTML_LANG = { en: 'en', zh: 'zh-Hans' } as const satisfies Record<Locale, string>;

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/**
 * The supported locale of a BCP 47 tag, by its language subtag (case-insensitive): `zh-TW`,
 * `zh-Hans-CN` and `ZH` are `zh`; `en-GB` is `en`; `de`, `zhx`, '' and no tag are null.
 */
export function supportedLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const language = tag.trim().toLowerCase().split('-')[0];
  return isLocale(language) ? language : null;
}

/** The locale for the first of `tags` (most preferred first) in a supported language; DEFAULT_LOCALE when none is. */
export function localeFor(tags: string | null | undefined | readonly string[]): Locale {
  for (const tag of typeof tags === 'string' || tags == null ? [tags] : tags) {
    const locale = supportedLocale(tag);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}
