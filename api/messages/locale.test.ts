import { describe, expect, it } from 'vitest';
import { LOCALE_TAGS, LOCALES } from '../../core/text/locales.ts';
import { intlLocale, pickLocale } from '../../web/app/i18n.ts';
import { MESSAGE_LOCALES, messageLocaleFor } from './voucher-message.ts';

describe('one list of locales for e-mail, SMS and the web app (core/text/locales.ts)', () => {
  it('writes messages in the languages the web app speaks, by their full tags', () => {
    expect(MESSAGE_LOCALES).toEqual(LOCALES.map((l) => LOCALE_TAGS[l]));
    expect(MESSAGE_LOCALES).toEqual(['en', 'zh-CN']);
  });

  it('gives a shopper the same language in a message as in the wallet', () => {
    for (const tag of ['en', 'en-GB', 'EN-us', 'zh', 'zh-CN', 'zh-TW', 'zh-Hans-CN', 'ZH-cn', 'de', 'de-DE', 'ja', 'zhx', 'fr-CA']) {
      expect(messageLocaleFor(tag), tag).toBe(intlLocale(pickLocale([tag]), []));
    }
  });
});
