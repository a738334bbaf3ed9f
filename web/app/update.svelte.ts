/**
 * Service worker registration and the update prompt. A new version installs in the background
 * and waits; the running page keeps using the version it started with until the person chooses
 * "Update now", then every open page reloads onto the new version together. That way the phone
 * never runs one version's page against another version's files.
 */
export class AppUpdate {
  /** A new version is installed and waiting for the person's go-ahead. */
  ready = $state(false);
  private skipWaiting: (() => void) | undefined;

  async register(): Promise<void> {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    const { Workbox } = await import('workbox-window');
    // Reload when a *new* worker takes over; the very first takeover (first install) needs none.
    let controlled = navigator.serviceWorker.controller !== null;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (controlled) location.reload();
      controlled = true;
    });
    const wb = new Workbox('/sw.js', { scope: '/' });
    wb.addEventListener('waiting', () => (this.ready = true));
    this.skipWaiting = () => wb.messageSkipWaiting();
    await wb.register();
    // Look for a new version when the app comes back to the foreground, and hourly while open.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && navigator.onLine) void wb.update();
    });
    setInterval(() => navigator.onLine && void wb.update(), 60 * 60 * 1000);
  }

  apply() {
    this.skipWaiting?.();
  }

  dismiss() {
    this.ready = false;
  }
}
