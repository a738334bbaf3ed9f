/**
 * When the till syncs; what a round exchanges is sync-round.ts. The page owns sync (docs/architecture.md §9.4): a
 * round is asked for on start, after enrolment and after a collection, on a retry, for fresh
 * operator keys, when the service worker forwards Background Sync, by the button, and by the
 * page's own triggers here (`online`, the page becoming visible, a timer).
 *
 * One round runs at a time: a request during a round shares it and asks for one more after it.
 * One tab at a time runs the exchange (Web Lock); a tab that finds the lock taken skips the round
 * and reloads when the sender's broadcast arrives. Failures back off exponentially (sync.ts
 * `backoffMs`); only the timer waits the backoff out, every other trigger means "the network may
 * be back" and skips the wait.
 */
import { ifLockFree } from '../offline/locks.ts';
import { backoffMs } from './sync.ts';

/** Timer sync while the page is open. */
const SYNC_INTERVAL_MS = 30_000;
export const SYNC_LOCK = 'counterpay-till-sync';

/** What asked for a sync round. */
export type SyncTrigger =
  | 'start'
  | 'enrolled'
  | 'keys'
  | 'collected'
  | 'confirmed'
  | 'retry'
  | 'online'
  | 'visible'
  | 'timer'
  | 'background-sync'
  | 'button'
  | 'paid-out'
  | 'shift-closed';

export interface SyncSchedulerPorts<T> {
  /** Every request, whether or not a round follows (the till shows the latest). */
  requested(why: SyncTrigger): void;
  /** Before enrolment there is nothing to sync. */
  enrolled(): boolean;
  /** For the timer: rows waiting to be sent. */
  hasQueued(): boolean;
  /** For the timer: when the last full sync ended (ms since epoch), null when never. */
  lastSyncAt(): number | null;
  /** True while this tab runs a round (also one that finds the lock taken), false after it. */
  running(on: boolean): void;
  /** The exchange with the server; runs only while this tab holds the sync lock. */
  exchange(): Promise<T>;
  /** Whether the exchange went through: anything else counts as a failure and backs off. */
  worked(outcome: T): boolean;
  /** After a round this tab ran, once the backoff is updated: show the outcome, tell the other tabs. */
  settled(outcome: T): Promise<void>;
}

export class SyncScheduler<T> {
  private failures = 0;
  private nextTryAt = 0;
  private pending: Promise<void> | null = null;
  private again = false;

  constructor(private readonly ports: SyncSchedulerPorts<T>) {}

  /**
   * Asks for a round; resolves when the round this request joined (and any asked for during it)
   * is over. With `force` false (the timer) nothing runs while the backoff lasts.
   */
  request(why: SyncTrigger, force = true): Promise<void> {
    this.ports.requested(why);
    if (!this.ports.enrolled()) return Promise.resolve();
    if (!force && Date.now() < this.nextTryAt) return Promise.resolve();
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again);
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  /** Listens for the page's own triggers (`online`, visible again, the timer); returns the stop. */
  watch(): () => void {
    const online = () => void this.request('online');
    const visible = () => {
      if (document.visibilityState === 'visible') void this.request('visible');
    };
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    const timer = setInterval(() => {
      if (this.ports.hasQueued() || Date.now() - (this.ports.lastSyncAt() ?? 0) >= SYNC_INTERVAL_MS) void this.request('timer', false);
    }, SYNC_INTERVAL_MS);
    return () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
      clearInterval(timer);
    };
  }

  private async round(): Promise<void> {
    this.ports.running(true);
    try {
      const ran = await ifLockFree(SYNC_LOCK, () => this.ports.exchange());
      // Another tab is sending: it will broadcast when done, and this tab reloads then.
      if (!ran.ran) return;
      if (this.ports.worked(ran.value)) {
        this.failures = 0;
        this.nextTryAt = 0;
      } else {
        this.failures++;
        this.nextTryAt = Date.now() + backoffMs(this.failures);
      }
      await this.ports.settled(ran.value);
    } finally {
      this.ports.running(false);
    }
  }
}
