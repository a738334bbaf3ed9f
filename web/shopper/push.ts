/**
 * Notifications on the shopper's phone (core/contract/push.ts): only when the shopper asks
 * (NotifyMe.svelte's button; the browser's permission prompt comes from that tap and nowhere
 * else), the wallet subscribes with the Push API under the server's VAPID key and tells the
 * server which vouchers it holds, by their signed tokens. It tells it again when a voucher is
 * added or removed (web/shopper/wallet.svelte.ts), and in the wallet's new language. The service
 * worker shows what arrives (web/sw.ts, web/shopper/push-notification.ts).
 *
 * What the server last accepted (the endpoint, the language, the vouchers) is kept in
 * localStorage: "on" means the browser has a subscription with that same endpoint and the
 * permission still stands.
 */
import * as z from 'zod/mini';
import { PushKey, PushSubscription, type PushSubscribeBody } from '../../core/contract/push.ts';
import { base64UrlDecode } from '../../core/encoding/bytes.ts';
import { isLocale, type Locale } from '../../core/text/locales.ts';
import { requestJson, type HttpResult } from '../app/http.ts';
import type { VoucherRecord } from '../offline/records.ts';
import { PUSH_CACHE, PUSH_LOCALE_URL } from './push-notification.ts';
import { needsStatusCheck } from './status-sync.ts';

/** = web/shopper/wallet.svelte.ts PUSH_KEY. */
export const PUSH_STORAGE_KEY = 'counterpay.push';
/** The API takes at most this many tokens a subscription (core/contract/push.ts). */
export const MAX_TOKENS = 50;
/** How long to wait for the service worker before giving up on subscribing. */
const WORKER_WAIT_MS = 10_000;

/** What the server last accepted for this phone. */
export interface PushRegistration {
  endpoint: string;
  locale: Locale;
  voucherIds: string[];
}

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';
/** `dismissed`: the shopper closed the browser's prompt without an answer; nothing to say about it. */
export type PushFailure = 'unsupported' | 'denied' | 'dismissed' | 'offline' | 'failed';
export type PushOutcome = { ok: true } | { ok: false; failure: PushFailure };

/** The part of a browser PushSubscription this module uses. */
export interface SubscriptionLike {
  readonly endpoint: string;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): { endpoint?: string; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}

export interface PushDeps {
  supported(): boolean;
  permission(): NotificationPermission;
  /** Called only from turnOn, which only the shopper's tap calls. */
  requestPermission(): Promise<NotificationPermission>;
  online(): boolean;
  getSubscription(): Promise<SubscriptionLike | null>;
  subscribe(applicationServerKey: Uint8Array<ArrayBuffer>): Promise<SubscriptionLike>;
  fetchKey(): Promise<HttpResult<PushKey>>;
  register(body: PushSubscribeBody): Promise<HttpResult<PushSubscription>>;
  unregister(endpoint: string): Promise<HttpResult<unknown>>;
  /** The saved vouchers, newest first. */
  records(): Promise<VoucherRecord[]>;
  saved: { get(): PushRegistration | null; set(registration: PushRegistration | null): void };
  now(): number;
}

/** The VAPID key as `applicationServerKey`: an uncompressed P-256 point (65 bytes, 0x04 first), or null. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(base64url)) return null;
  let bytes: Uint8Array;
  try {
    bytes = base64UrlDecode(base64url.replace(/=+$/, ''));
  } catch {
    return null;
  }
  return bytes.length === 65 && bytes[0] === 4 ? new Uint8Array(bytes) : null;
}

function sameKey(held: ArrayBuffer | null | undefined, wanted: Uint8Array): boolean {
  // A browser that does not say which key it subscribed with: take it as this one (a wrong guess fails at the server's first push).
  if (!held) return true;
  const bytes = new Uint8Array(held);
  return bytes.length === wanted.length && bytes.every((b, i) => b === wanted[i]);
}

/**
 * The tokens to tell the server about: the vouchers it may still have news of (open ones, and
 * settled ones whose refunds are watched: web/shopper/status-sync.ts), newest first, at most {@link MAX_TOKENS}.
 */
export function tokensToTell(records: readonly VoucherRecord[], now: number): string[] {
  return records
    .filter((r) => needsStatusCheck(r, now))
    .slice(0, MAX_TOKENS)
    .map((r) => r.token);
}

/** The subscription as the API takes it; null when the browser gave no keys. */
export function subscribeBody(subscription: SubscriptionLike, tokens: string[], locale: Locale): PushSubscribeBody | null {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!p256dh || !auth) return null;
  return { subscription: { endpoint: subscription.endpoint, keys: { p256dh, auth } }, tokens, locale };
}

/** Whether notifications are on, as far as this phone can tell; mends what the browser changed since. */
export async function pushState(deps: PushDeps): Promise<PushState> {
  if (!deps.supported()) return 'unsupported';
  const permission = deps.permission();
  if (permission === 'denied') {
    deps.saved.set(null);
    return 'denied';
  }
  const saved = deps.saved.get();
  if (!saved) return 'off';
  const subscription = permission === 'granted' ? await deps.getSubscription().catch(() => null) : null;
  if (!subscription) {
    deps.saved.set(null);
    return 'off';
  }
  if (subscription.endpoint === saved.endpoint) return 'on';
  // The browser renewed the subscription: tell the server the new endpoint (no prompt: permission stands).
  return (await tell(deps, subscription, saved.locale)).ok ? 'on' : 'off';
}

/** From the shopper's tap: the permission prompt, the subscription, and the server told. */
export async function turnOn(deps: PushDeps, locale: Locale): Promise<PushOutcome> {
  if (!deps.supported()) return { ok: false, failure: 'unsupported' };
  // Offline nothing could be subscribed: do not ask for a permission that leads nowhere yet.
  if (!deps.online()) return { ok: false, failure: 'offline' };
  // The first thing the tap does, so the browser sees it as the shopper's own request.
  const permission = await deps.requestPermission();
  if (permission === 'denied') return { ok: false, failure: 'denied' };
  if (permission !== 'granted') return { ok: false, failure: 'dismissed' };
  const key = await deps.fetchKey();
  if (!key.ok) return { ok: false, failure: key.reason === 'network' ? 'offline' : 'failed' };
  const serverKey = applicationServerKey(key.data.public_key);
  if (!serverKey) return { ok: false, failure: 'failed' };
  let subscription: SubscriptionLike;
  try {
    let held = await deps.getSubscription();
    // A subscription under an older key cannot receive this server's pushes: replace it.
    if (held && !sameKey(held.options?.applicationServerKey, serverKey)) {
      await held.unsubscribe();
      held = null;
    }
    subscription = held ?? (await deps.subscribe(serverKey));
  } catch {
    return { ok: false, failure: 'failed' };
  }
  return tell(deps, subscription, locale);
}

/** Tells the server again which vouchers this phone holds (one added or removed) or in which language; nothing when off. */
export async function resend(deps: PushDeps, options: { locale?: Locale; unlessTold?: string } = {}): Promise<PushOutcome> {
  const saved = deps.saved.get();
  if (!saved || !deps.supported()) return { ok: true };
  if (options.unlessTold && saved.voucherIds.includes(options.unlessTold) && (options.locale ?? saved.locale) === saved.locale) return { ok: true };
  const subscription = deps.permission() === 'granted' ? await deps.getSubscription().catch(() => null) : null;
  if (!subscription) {
    deps.saved.set(null);
    return { ok: true };
  }
  return tell(deps, subscription, options.locale ?? saved.locale);
}

async function tell(deps: PushDeps, subscription: SubscriptionLike, locale: Locale): Promise<PushOutcome> {
  const tokens = tokensToTell(await deps.records(), deps.now());
  // No voucher left that anything could happen to: nothing to be told about.
  if (tokens.length === 0) {
    await turnOff(deps);
    return { ok: true };
  }
  const body = subscribeBody(subscription, tokens, locale);
  if (!body) return { ok: false, failure: 'failed' };
  const answer = await deps.register(body);
  if (!answer.ok) return { ok: false, failure: answer.reason === 'network' ? 'offline' : 'failed' };
  deps.saved.set({ endpoint: subscription.endpoint, locale: answer.data.locale, voucherIds: answer.data.voucher_ids });
  return { ok: true };
}

/** Off: the server forgets the subscription and the browser drops it. Offline, the browser still drops it (its endpoint then refuses the server's pushes). */
export async function turnOff(deps: PushDeps): Promise<void> {
  const subscription = await deps.getSubscription().catch(() => null);
  const endpoint = subscription?.endpoint ?? deps.saved.get()?.endpoint;
  if (endpoint) await deps.unregister(endpoint);
  await subscription?.unsubscribe().catch(() => false);
  deps.saved.set(null);
}

/** The page's service worker registration, or null when none becomes ready in time (development, or blocked). */
function workerReady(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return Promise.race([navigator.serviceWorker.ready, new Promise<null>((resolve) => setTimeout(() => resolve(null), WORKER_WAIT_MS))]);
}

const registrationSchema = z.object({ endpoint: z.string(), locale: z.string(), voucherIds: z.array(z.string()) });

const savedInLocalStorage: PushDeps['saved'] = {
  get() {
    try {
      const parsed = registrationSchema.safeParse(JSON.parse(localStorage.getItem(PUSH_STORAGE_KEY) ?? 'null'));
      return parsed.success && isLocale(parsed.data.locale) ? { ...parsed.data, locale: parsed.data.locale } : null;
    } catch {
      return null;
    }
  },
  set(registration) {
    try {
      if (registration) localStorage.setItem(PUSH_STORAGE_KEY, JSON.stringify(registration));
      else localStorage.removeItem(PUSH_STORAGE_KEY);
    } catch {
      // Storage blocked: the wallet will not tell the server about vouchers added later.
    }
    // The language the worker writes the notification's `lang` in (web/sw.ts).
    void globalThis.caches
      ?.open(PUSH_CACHE)
      .then(async (cache) => {
        if (registration) await cache.put(PUSH_LOCALE_URL, new Response(registration.locale));
        else await cache.delete(PUSH_LOCALE_URL);
      })
      .catch(() => undefined);
  },
};

/**
 * The browser's Push API, Notification permission and the API calls, for the functions above.
 * `records`: the wallet's saved vouchers (web/shopper/wallet.svelte.ts), handed in so this chunk
 * does not import the voucher store itself (the bundler would then split the first screen's code).
 */
export function browserPushDeps(records: PushDeps['records']): PushDeps {
  return {
    supported: () => typeof PushManager !== 'undefined' && typeof Notification !== 'undefined' && 'serviceWorker' in navigator,
    permission: () => Notification.permission,
    requestPermission: () => Notification.requestPermission(),
    online: () => navigator.onLine,
    async getSubscription() {
      return (await workerReady())?.pushManager.getSubscription() ?? null;
    },
    async subscribe(key) {
      const registration = await workerReady();
      if (!registration) throw new Error('no service worker');
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    },
    fetchKey: () => requestJson('/v1/push/key', PushKey),
    register: (body) => requestJson('/v1/push/subscriptions', PushSubscription, { method: 'POST', body }),
    unregister: (endpoint) => requestJson('/v1/push/subscriptions', z.unknown(), { method: 'DELETE', body: { endpoint } }),
    records,
    saved: savedInLocalStorage,
    now: () => Date.now(),
  };
}
