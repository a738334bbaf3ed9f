/**
 * What the service worker (web/sw.ts) shows for a push and where a tap on it leads: pure, and
 * without dependencies, so the worker stays small. The payload is core/contract/push.ts
 * PushMessage, already written in the subscription's language; it is checked by hand here
 * rather than with the contract's schema, which would bring zod into the worker.
 */
import { HTML_LANG, isLocale, type Locale } from '../../core/text/locales.ts';

export const PUSH_KINDS = ['paid', 'refund', 'expiring'] as const;

/**
 * Where the page (web/shopper/push.ts) leaves the language it subscribed in, for the worker to
 * read: Cache Storage, which both can open and which the precache's cleanup leaves alone.
 */
export const PUSH_CACHE = 'counterpay-push';
export const PUSH_LOCALE_URL = '/push-locale';

export interface NotificationToShow {
  title: string;
  options: NotificationOptions & { data: { url: string } };
}

/** Shown for a push this version cannot read: the browser wants every push to show something. */
const FALLBACK: Record<Locale, { title: string; body: string }> = {
  en: { title: 'Counterpay', body: 'There is news about one of your vouchers. Open Counterpay to see it.' },
  zh: { title: 'Counterpay', body: '您的付款券有新消息。请打开 Counterpay 查看。' },
};

/**
 * `url` as a same-origin address to open: a path of this app (`/vouchers/vch_…`), or the wallet
 * when it is missing or points anywhere else (a notification never opens a foreign site).
 */
export function walletUrl(url: unknown, origin: string): string {
  const home = new URL('/', origin).href;
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return home;
  try {
    const resolved = new URL(url, origin);
    return resolved.origin === new URL(origin).origin ? resolved.href : home;
  } catch {
    return home;
  }
}

const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim() !== '' ? value.slice(0, max) : null);

/**
 * The notification for a push payload (parsed JSON, or null when it was not JSON). `locale`: the
 * language the subscription was made in (the payload's own `locale` wins if it carries one), for
 * the notification's `lang`. One notification per voucher and kind: a later one of the same
 * kind replaces it (its `tag`).
 */
export function notificationFor(payload: unknown, origin: string, locale: Locale = 'en'): NotificationToShow {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const lang = isLocale(p.locale) ? p.locale : locale;
  const title = text(p.title, 200);
  const body = text(p.body, 1000);
  const kind = (PUSH_KINDS as readonly unknown[]).includes(p.kind) ? (p.kind as string) : null;
  const voucherId = typeof p.voucher_id === 'string' && /^vch_[0-9a-z]{13}$/.test(p.voucher_id) ? p.voucher_id : null;
  if (!title || !body || !kind || !voucherId) {
    return { title: FALLBACK[lang].title, options: { body: FALLBACK[lang].body, lang: HTML_LANG[lang], tag: 'counterpay', data: { url: walletUrl('/', origin) } } };
  }
  return { title, options: { body, lang: HTML_LANG[lang], tag: `${voucherId}:${kind}`, data: { url: walletUrl(p.url, origin) } } };
}

/**
 * The window a tap on a notification should bring forward: a wallet page of this app (not the
 * till, which is an app of its own), the focused one first; undefined when none is open.
 */
export function walletWindow<T extends { url: string; focused?: boolean }>(windows: readonly T[], origin: string): T | undefined {
  const wallets = windows.filter((w) => {
    try {
      const url = new URL(w.url);
      return url.origin === new URL(origin).origin && !/^\/cashier(\/|$)/.test(url.pathname);
    } catch {
      return false;
    }
  });
  return wallets.find((w) => w.focused) ?? wallets[0];
}
