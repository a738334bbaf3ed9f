/** The current route, following the History API. Links stay real <a href> so keyboard and middle-click work. */
import { parseRoute, type Route } from './routes.ts';
import { isServerPath } from './server-paths.ts';

export class Router {
  route = $state<Route>(parseRoute(location.pathname));

  constructor() {
    addEventListener('popstate', () => (this.route = parseRoute(location.pathname)));
    // Same-origin in-app links navigate without a page load; everything else behaves as a link.
    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      if (!(anchor instanceof HTMLAnchorElement) || anchor.target || anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href);
      if (url.origin !== location.origin || isServerPath(url.pathname)) return;
      event.preventDefault();
      this.go(url.pathname);
    });
  }

  go(path: string) {
    history.pushState(null, '', path);
    this.route = parseRoute(path);
    scrollTo(0, 0);
    // Tell assistive technology the page changed: focus the new screen, as a page load would.
    queueMicrotask(() => document.getElementById('main')?.focus({ preventScroll: true }));
  }

  /** Moves to `path` without a new history entry, e.g. from /V/<token> to /vouchers/<id>. */
  replace(path: string) {
    history.replaceState(null, '', path);
    this.route = parseRoute(path);
  }
}
