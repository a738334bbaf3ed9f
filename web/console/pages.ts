/** The console's sections by URL (`/console/…`); anything unknown is its overview. */
export type ConsolePage = 'home' | 'sign-in' | 'account' | 'merchants' | 'stores' | 'tills' | 'audit';

const PAGES: ReadonlySet<string> = new Set(['sign-in', 'account', 'merchants', 'stores', 'tills', 'audit']);

export function consolePage(path: string): ConsolePage {
  const section = path.replace(/^\/console\/?/, '').split('/')[0] ?? '';
  return PAGES.has(section) ? (section as ConsolePage) : 'home';
}
