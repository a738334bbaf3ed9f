/**
 * The app's URLs. `/V/` (upper case) is the QR's route and `/v/` (lower case) the short link's:
 * core/token/limits.ts upper-cases the QR prefix so QR alphanumeric mode can carry it.
 */
export type Route =
  /** The wallet: every voucher saved on this phone. */
  | { name: 'wallet' }
  /** A voucher opened from its QR text; the token is inline. */
  | { name: 'inline'; token: string }
  /** A voucher opened from its short link. */
  | { name: 'link'; code: string }
  /** A voucher already saved, by id: the stable URL the app moves to once a voucher is stored. */
  | { name: 'saved'; id: string }
  /** The cashier view (a separate, lazily loaded chunk). */
  | { name: 'cashier' }
  /** The console for operators and merchants (its own chunk, never precached: docs/console.md). */
  | { name: 'console'; path: string }
  | { name: 'not_found'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'wallet' };
  let m = /^\/V\/([^/]*)$/.exec(path);
  if (m) return { name: 'inline', token: decodeURIComponent(m[1]!) };
  m = /^\/v\/([^/]*)$/.exec(path);
  if (m) return { name: 'link', code: decodeURIComponent(m[1]!).toLowerCase() };
  m = /^\/vouchers\/([^/]+)$/.exec(path);
  if (m) return { name: 'saved', id: decodeURIComponent(m[1]!) };
  if (path === '/cashier' || path.startsWith('/cashier/')) return { name: 'cashier' };
  if (path === '/console' || path.startsWith('/console/')) return { name: 'console', path };
  return { name: 'not_found', path };
}

export function savedVoucherPath(id: string): string {
  return `/vouchers/${encodeURIComponent(id)}`;
}
