/// <reference lib="webworker" />
/**
 * The service worker stays small (docs/architecture.md §9.4): it precaches one build of the app, answers in-app
 * navigations with that build's index.html, and switches to a new build only when the page asks
 * (the update prompt), so a phone never runs a mix of two versions. It also shows the shopper's
 * push notifications and opens the voucher a tap on one names (web/shopper/push-notification.ts).
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';
import { SERVER_PATHS } from './app/server-paths.ts';
import { isLocale, type Locale } from '../core/text/locales.ts';
import { notificationFor, PUSH_CACHE, PUSH_LOCALE_URL, walletUrl, walletWindow } from './shopper/push-notification.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
// Drops caches left by an older Workbox precache format; our own revisions are handled above.
cleanupOutdatedCaches();

// Every navigation the app owns (/, /V/<token>, /v/<code>, /vouchers/<id>, /cashier) is served
// from the precached shell, offline included. Server pages (the API, its OpenAPI document and
// docs, the health check) must reach the network: the fallback would otherwise hide them.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: SERVER_PATHS }));

// First install: take over the open page at once so the voucher works offline without a reload.
// Later versions wait for the page's SKIP_WAITING (see web/app/update.svelte.ts).
clientsClaim();

self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Background Sync (Chromium only): the page registers SYNC_TAG after a collection; when the
// browser sees the network again it fires `sync` here. The page owns sync, so the worker only
// asks the open till pages to run it and waits for the answer; a failure makes the browser try
// again later. With no page open there is nothing to run: the till syncs when it next opens.
const SYNC_TAG = 'counterpay-till-sync'; // = web/cashier/till.svelte.ts SYNC_TAG
const SYNC_ANSWER_MS = 60_000;

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag === SYNC_TAG) sync.waitUntil(askPagesToSync());
});

async function askPagesToSync(): Promise<void> {
  const pages = await self.clients.matchAll({ type: 'window' });
  if (pages.length === 0) return;
  await Promise.any(
    pages.map(
      (page) =>
        new Promise<void>((resolve, reject) => {
          const channel = new MessageChannel();
          const timer = setTimeout(() => reject(new Error('no answer')), SYNC_ANSWER_MS);
          channel.port1.onmessage = (answer) => {
            clearTimeout(timer);
            if (answer.data?.ok) resolve();
            else reject(new Error('collections still queued'));
          };
          page.postMessage({ type: SYNC_TAG }, [channel.port2]);
        }),
    ),
  );
}

// Push (the wallet subscribes only when the shopper asks: web/shopper/push.ts). The server writes
// the title and body in the subscription's language (core/contract/push.ts PushMessage); this
// worker only shows them, one notification per voucher and kind (web/shopper/push-notification.ts).
self.addEventListener('push', (event) => {
  event.waitUntil(showPush(event.data));
});

async function showPush(data: PushMessageData | null): Promise<void> {
  let payload: unknown = null;
  try {
    payload = data?.json() ?? null;
  } catch {
    payload = null; // not JSON: notificationFor shows a plain "news about a voucher"
  }
  const { title, options } = notificationFor(payload, self.location.origin, await subscribedLocale());
  await self.registration.showNotification(title, options);
}

async function subscribedLocale(): Promise<Locale> {
  try {
    const saved = await (await caches.match(PUSH_LOCALE_URL, { cacheName: PUSH_CACHE }))?.text();
    return isLocale(saved) ? saved : 'en';
  } catch {
    return 'en';
  }
}

// A tap on a notification: the open wallet comes forward and shows the voucher; with none open, a new window does.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(walletUrl(event.notification.data?.url, self.location.origin)));
});

async function openFromNotification(url: string): Promise<void> {
  const open = walletWindow(await self.clients.matchAll({ type: 'window' }), self.location.origin);
  if (open) {
    try {
      await (await open.focus()).navigate(url);
      return;
    } catch {
      // Not ours to navigate (another worker's page): open the voucher in a window of its own.
    }
  }
  await self.clients.openWindow(url);
}
