import { describe, expect, it } from 'vitest';
import { formatRemaining, intlLocale, pickLocale, translate } from './i18n.ts';
import { catalogs, en, zh, type AppMessageKey } from './messages.ts';
import { tillEn, tillZh, type TillMessageKey } from '../cashier/messages.ts';
import { moreEn, moreZh, type MoreMessageKey } from '../shopper/more-messages.ts';

describe('language choice', () => {
  it('picks the first browser language the app speaks', () => {
    expect(pickLocale(['zh-CN', 'en-US'])).toBe('zh');
    expect(pickLocale(['de-DE', 'zh-TW', 'en'])).toBe('zh');
    expect(pickLocale(['fr-FR', 'en-GB'])).toBe('en');
  });

  it('falls back to English when the browser speaks none of the app languages', () => {
    expect(pickLocale(['de-DE', 'ja'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });

  it('keeps the browser’s own regional tag for dates and amounts', () => {
    expect(intlLocale('en', ['en-GB', 'zh-CN'])).toBe('en-GB');
    expect(intlLocale('zh', ['en-GB'])).toBe('zh-CN');
  });
});

describe('messages', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('gives every English message a Chinese one with the same placeholders', () => {
    for (const key of Object.keys(en) as AppMessageKey[]) {
      expect(zh[key], key).toBeTruthy();
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
    for (const key of Object.keys(tillEn) as TillMessageKey[]) {
      expect(tillZh[key], key).toBeTruthy();
      expect(placeholders(tillZh[key]), key).toEqual(placeholders(tillEn[key]));
    }
    for (const key of Object.keys(moreEn) as MoreMessageKey[]) {
      expect(moreZh[key], key).toBeTruthy();
      expect(placeholders(moreZh[key]), key).toEqual(placeholders(moreEn[key]));
    }
  });

  it('has the voucher screen’s later sentences once their catalog is loaded, and no key in two catalogs', () => {
    expect(Object.keys(moreEn).filter((key) => key in en || key in tillEn)).toEqual([]);
    expect(translate('zh', 'where.title')).toBe('在哪里付款');
    expect(translate('en', 'where.inCity', { city: 'Berlin' })).toBe('Stores in Berlin');
  });

  it('has the till’s sentences once the till’s catalog is loaded, and no key in both catalogs', () => {
    expect(Object.keys(tillEn).filter((key) => key in en)).toEqual([]);
    expect(catalogs.zh['receipt.next']).toBe(tillZh['receipt.next']);
    expect(translate('en', 'sync.queued', { count: 2 })).toBe('Waiting to send: 2');
  });

  it('fills placeholders with the values given', () => {
    expect(translate('en', 'wallet.order', { order: 'A-1' })).toBe('Order A-1');
    expect(translate('zh', 'wallet.order', { order: 'A-1' })).toBe('订单 A-1');
  });
});

describe('expiry countdown', () => {
  const s = 1000;
  it('shows days and hours while more than a day remains', () => {
    expect(formatRemaining('en', (2 * 86_400 + 3 * 3_600 + 59) * s)).toBe('2 d 3 h');
    expect(formatRemaining('zh', (2 * 86_400 + 3 * 3_600) * s)).toBe('2天3小时');
  });

  it('shows hours and minutes within the last day, minutes and seconds within the last hour', () => {
    expect(formatRemaining('en', (5 * 3_600 + 7 * 60 + 30) * s)).toBe('5 h 7 min');
    expect(formatRemaining('en', (7 * 60 + 5) * s)).toBe('7 min 5 s');
  });

  it('never counts below zero', () => {
    expect(formatRemaining('en', -5 * s)).toBe('0 min 0 s');
  });
});
