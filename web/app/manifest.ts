/**
 * The till installs as an app of its own: at /cashier the page links public/cashier.webmanifest
 * (start URL /cashier, any orientation, its own name and icon) instead of the wallet's manifest.
 * Set before the first render, online and offline alike (the service worker serves the same
 * index.html for every route), so the browser's install offer is the till's.
 */
import { parseRoute } from './routes.ts';

export const TILL_MANIFEST = '/cashier.webmanifest';

export function linkManifestFor(pathname: string, doc: Document = document): void {
  if (parseRoute(pathname).name !== 'cashier') return;
  let link = doc.querySelector<HTMLLinkElement>('link[rel="manifest"]');
  if (!link) {
    link = doc.createElement('link');
    link.rel = 'manifest';
    doc.head.append(link);
  }
  link.href = TILL_MANIFEST;
  doc.title = 'Counterpay Till';
  doc.querySelector('link[rel="apple-touch-icon"]')?.setAttribute('href', '/icons/till-apple-touch-icon.png');
}
