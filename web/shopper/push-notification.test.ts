import { describe, expect, it } from 'vitest';
import { notificationFor, walletUrl, walletWindow } from './push-notification.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const paid = { kind: 'paid', title: 'Voucher paid', body: 'Demo Shop: €42.50 paid at Späti Mitte.', url: '/vouchers/vch_0123456789abc', voucher_id: 'vch_0123456789abc' };

describe('the notification for a push', () => {
  it('shows the title and body as sent, opens the voucher, one per voucher and kind, in the subscription’s language', () => {
    expect(notificationFor(paid, ORIGIN, 'zh')).toEqual({
      title: 'Voucher paid',
      options: { body: paid.body, lang: 'zh-Hans', tag: 'vch_0123456789abc:paid', data: { url: `${ORIGIN}/vouchers/vch_0123456789abc` } },
    });
    expect(notificationFor({ ...paid, kind: 'refund', refund_id: 'rfd_0123456789abc' }, ORIGIN).options).toMatchObject({ lang: 'en', tag: 'vch_0123456789abc:refund' });
    // A language in the payload itself wins over the one the page left for the worker.
    expect(notificationFor({ ...paid, locale: 'zh' }, ORIGIN, 'en').options.lang).toBe('zh-Hans');
  });

  it('never opens another site from a notification: such a url opens the wallet', () => {
    for (const url of ['https://evil.example/vouchers/x', '//evil.example/x', 'javascript:alert(1)', 'vouchers/x', 42]) {
      expect(notificationFor({ ...paid, url }, ORIGIN).options.data.url, String(url)).toBe(`${ORIGIN}/`);
    }
    expect(walletUrl('/vouchers/vch_0123456789abc?refund=rfd_1', ORIGIN)).toBe(`${ORIGIN}/vouchers/vch_0123456789abc?refund=rfd_1`);
  });

  it('still shows something plain for a payload it cannot read (the browser wants every push shown)', () => {
    for (const payload of [null, 'text', {}, { ...paid, kind: 'other' }, { ...paid, title: ' ' }, { ...paid, voucher_id: 'x' }]) {
      expect(notificationFor(payload, ORIGIN, 'zh'), JSON.stringify(payload)).toEqual({
        title: 'Counterpay',
        options: { body: '您的付款券有新消息。请打开 Counterpay 查看。', lang: 'zh-Hans', tag: 'counterpay', data: { url: `${ORIGIN}/` } },
      });
    }
  });
});

describe('the window a tap brings forward', () => {
  it('a wallet page of this app, the focused one first; never the till or another site', () => {
    const till = { url: `${ORIGIN}/cashier`, focused: true };
    const wallet = { url: `${ORIGIN}/`, focused: false };
    const voucher = { url: `${ORIGIN}/vouchers/vch_0123456789abc`, focused: true };
    expect(walletWindow([till, wallet, voucher], ORIGIN)).toBe(voucher);
    expect(walletWindow([till, wallet], ORIGIN)).toBe(wallet);
    expect(walletWindow([till, { url: 'https://other.example/', focused: true }], ORIGIN)).toBeUndefined();
  });
});
