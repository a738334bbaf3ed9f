/// <reference lib="webworker" />
/**
 * The service worker stays small (STYLE §9): it precaches one build of the app, answers in-app
 * navigations with that build's index.html, and switches to a new build only when the page asks
 * (the update prompt), so a phone never runs a mix of two versions.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { clientsClaim } from 'workbox-core';
import { SERVER_PATHS } from './app/server-paths.ts';

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
