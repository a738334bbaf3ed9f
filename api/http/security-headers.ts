/**
 * Security headers on every answer: the API, its reference page, the health check and the PWA.
 * Hono's own secure-headers middleware sets them; on top of it, HSTS only over TLS and
 * `Cache-Control: no-store` on the API (/v1).
 *
 * Content-Security-Policy, directive by directive:
 *   - default-src 'none': anything not named below (fonts, media URLs, frames, prefetch) is refused;
 *   - script-src 'self' 'wasm-unsafe-eval': the bundles in dist/assets only. No inline script
 *     (Vite emits none; the API reference is server-rendered HTML without script) and no
 *     'unsafe-eval': nothing in the built app evaluates strings (zod/mini does not JIT,
 *     html5-qrcode and Svelte do not eval). 'wasm-unsafe-eval' lets a page compile WebAssembly
 *     and nothing else (eval, new Function and string timers stay refused): the till's QR decoder
 *     is ZXing-C++ built to WebAssembly (web/cashier/scanner.ts), and without it the browser
 *     refuses to compile it. The .wasm itself is one of our assets, fetched under connect-src;
 *   - style-src 'self' plus the hashes of the inline <style> of /docs and of /stores: the PWA's CSS is an external
 *     file and Svelte 5 and html5-qrcode only set styles through the CSSOM (element.style.x = …,
 *     which CSP does not govern), so no 'unsafe-inline' is needed;
 *   - img-src 'self': the voucher's QR and barcode are inline SVG elements, not images; the camera
 *     preview is a <video> fed by srcObject and decoded through a <canvas>, neither of which loads
 *     a URL, so neither data: nor blob: is needed. Icons and the favicon come from our origin;
 *   - connect-src 'self': the app calls only its own /v1 (relative URLs);
 *   - worker-src 'self' (/sw.js), manifest-src 'self' (/manifest.webmanifest);
 *   - object-src 'none', base-uri 'none' (no <base> can re-point relative script URLs),
 *     form-action 'self' (a form can only ever post to us);
 *   - frame-ancestors 'none': no page may frame ours, so a till cannot be overlaid by a foreign
 *     page (click-jacking); X-Frame-Options: DENY says the same to browsers older than CSP 2.
 * Permissions-Policy: the camera (the till's scanner), passkeys (signing in to the console), screen wake lock and full screen (the
 * shopper's bright QR mode), autoplay (the muted camera preview) and geolocation (a store finder
 * in the shopper view) for our own origin only; every other powerful feature is off. Only
 * features Chromium knows are listed: it logs an error for each one it does not (e.g. bluetooth).
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { apiReferencePage } from './api-reference.ts';
import { PLAIN_PAGE_STYLE } from './html.ts';

/** The one-year HSTS policy, sent only on answers that went out over TLS. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/**
 * CSP hashes of the inline <style> blocks of the API reference page, taken from the page itself
 * so that a change to its stylesheet cannot leave a stale hash behind.
 */
function inlineStyleHashes(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
}
export const DOCS_STYLE_HASHES = inlineStyleHashes(`${apiReferencePage({ info: { title: '' } })}<style>${PLAIN_PAGE_STYLE}</style>`);

const isTls = (c: Parameters<MiddlewareHandler>[0]): boolean => {
  // On the Node server, the socket says whether this connection is TLS (TLS_CERT/TLS_KEY set); an
  // in-process request (app.request, tests) has no socket, and its URL's scheme is the answer.
  const socket = (c.env as { incoming?: { socket?: { encrypted?: boolean } } } | undefined)?.incoming?.socket;
  return socket ? socket.encrypted === true : new URL(c.req.url).protocol === 'https:';
};

export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      styleSrc: ["'self'", ...DOCS_STYLE_HASHES],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer', // a voucher's URL carries its token: it must not leave in a Referer
    xContentTypeOptions: 'nosniff',
    strictTransportSecurity: false, // set below, only over TLS
    permissionsPolicy: {
      camera: ['self'],
      geolocation: ['self'],
      screenWakeLock: ['self'],
      fullscreen: ['self'],
      autoplay: ['self'],
      microphone: [],
      displayCapture: [],
      accelerometer: [],
      gyroscope: [],
      magnetometer: [],
      payment: [],
      usb: [],
      serial: [],
      hid: [],
      midi: [],
      idleDetection: [],
      pictureInPicture: [],
      publickeyCredentialsGet: ['self'],
      xrSpatialTracking: [],
      browsingTopics: [],
      syncXhr: [],
    },
  });
  return async (c, next) => {
    await headers(c, async () => {
      await next();
      if (isTls(c)) c.res.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
      // API answers carry tokens, keys and money: no cache (browser, proxy, disk) may keep them.
      // A /v1 route that chose its own caching for public data (GET /v1/keys: public, max-age=300)
      // keeps it on success; an error is never cached.
      const p = c.req.path;
      if ((p === '/v1' || p.startsWith('/v1/')) && (c.res.status >= 400 || !c.res.headers.has('cache-control'))) {
        c.res.headers.set('Cache-Control', 'no-store');
      }
    });
  };
}
