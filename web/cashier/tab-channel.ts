/**
 * How the till's page hears from its other tabs and from the service worker. Tabs: after every
 * write to IndexedDB a tab says so on a BroadcastChannel, and the others reload (IndexedDB is the
 * truth). The service worker: the page registers Background Sync where the browser has it, and the
 * worker forwards the browser's `sync` event as a message, waiting on the message port for the
 * page to say whether anything is still queued (web/sw.ts).
 */

const CHANNEL = 'counterpay-till';
/** The Background Sync tag the page registers and the service worker forwards (web/sw.ts). */
export const SYNC_TAG = 'counterpay-till-sync';

export interface TabChannelPorts {
  /** Another tab changed IndexedDB. */
  changed(): void;
  /** A sync round, asked for by the service worker's Background Sync. */
  sync(): Promise<void>;
  /** After that round: true when nothing is left queued. */
  allSent(): boolean;
}

export class TabChannel {
  private channel: BroadcastChannel | null = null;

  /** Tells the other tabs that IndexedDB changed. */
  broadcast(): void {
    this.channel?.postMessage({ type: 'changed' });
  }

  /** Listens to the service worker and the other tabs; returns the stop. */
  open(ports: TabChannelPorts): () => void {
    const stops: (() => void)[] = [];
    if ('serviceWorker' in navigator) {
      // The worker forwards Background Sync here and waits for the answer on the message port.
      const worker = navigator.serviceWorker;
      const forwarded = (event: Event) => {
        const message = event as MessageEvent;
        if (message.data?.type !== SYNC_TAG) return;
        void ports.sync().then(() => message.ports[0]?.postMessage({ ok: ports.allSent() }));
      };
      worker.addEventListener('message', forwarded);
      stops.push(() => worker.removeEventListener('message', forwarded));
    }
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = () => ports.changed();
      stops.push(() => {
        // A round still in flight after the stop may broadcast: it finds no channel rather than a closed one.
        this.channel?.close();
        this.channel = null;
      });
    }
    return () => {
      for (const stop of stops) stop();
    };
  }
}

/** Background Sync where the browser has it (Chromium): the worker wakes a page to send when online. */
export async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = (await navigator.serviceWorker?.getRegistration()) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // Not supported or not allowed: the page's own triggers still send it.
  }
}
