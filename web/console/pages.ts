/** The console's sections by URL (`/console/…`); anything unknown is its overview. */
export type ConsolePage = 'home' | 'sign-in' | 'account' | 'merchants' | 'stores' | 'tills' | 'audit' | 'vouchers' | 'webhooks' | 'settlements' | 'users' | 'review';

const PAGES: ReadonlySet<string> = new Set(['sign-in', 'account', 'merchants', 'stores', 'tills', 'audit', 'vouchers', 'webhooks', 'settlements', 'users', 'review']);

export function consolePage(path: string): ConsolePage {
  const section = path.replace(/^\/console\/?/, '').split('/')[0] ?? '';
  return PAGES.has(section) ? (section as ConsolePage) : 'home';
}

/** `/console/vouchers/<id>`: the voucher's own page. */
export function voucherIdOf(path: string): string | null {
  const m = /^\/console\/vouchers\/([^/]+)$/.exec(path);
  return m ? decodeURIComponent(m[1]!) : null;
}
