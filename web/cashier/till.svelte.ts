/**
 * The till's state for the cashier screens: the enrolled device, the journal as the screens see it,
 * the sync header's facts, the voucher on the counter and the last receipt. IndexedDB is the truth;
 * this is the screens' copy, reloaded after every write (here or in another tab).
 *
 * The page owns sync (docs/architecture.md §9.4). It runs on start, on `online`, when the page becomes visible, on
 * a timer, when the service worker forwards a Background Sync event, and right after a collection.
 * One tab at a time sends (Web Lock); failures back off exponentially, and the triggers above
 * that mean "the network may be back" skip the wait.
 */
import type { Tender } from '../../core/collections/collection-record.ts';
import type { OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { getCachedKeys, putCachedKeys } from '../offline/keys.store.ts';
import { appendToJournal, applyResults, hasCollectionFor, listJournal, noteAttempts, listQueued, requeueEntry } from '../offline/journal.store.ts';
import { ifLockFree } from '../offline/locks.ts';
import { applyFeedPage, getDevice, getPaidList, getShift, getSyncState, putDevice, putShift, setLastSyncAt, updateDevice } from '../offline/till.store.ts';
import type { DeviceRecord, JournalEntry, SyncState } from '../offline/till-records.ts';
import { checkReference, checkToken, type CheckPorts, type TillDecision } from './check.ts';
import { enrolTill, type EnrolResult } from './enrol.ts';
import { buildJournalEntry } from './journal.ts';
import type { TillRefusal } from './refusals.ts';
import { readScannedText, readTypedText, type TillInput } from './scan-text.ts';
import { backoffMs, pullFeed, pushJournal, type PullOutcome, type PushOutcome } from './sync.ts';
import { confirmStatus, enrolDevice, findByReference, getFeed, postCollections } from './till.api.ts';

/** Timer sync while the page is open. */
const SYNC_INTERVAL_MS = 30_000;
export const SYNC_LOCK = 'counterpay-till-sync';
/** The Background Sync tag the page registers and the service worker forwards (web/sw.ts). */
export const SYNC_TAG = 'counterpay-till-sync';
const CHANNEL = 'counterpay-till';

/** What is on the counter: nothing, a voucher being checked, a decision, or a refusal of the input itself. */
export type Counter =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'ready'; decision: Extract<TillDecision, { ok: true }> }
  | { state: 'refused'; reason: TillRefusal; detail: string; decision?: Extract<TillDecision, { ok: false }>; reference?: string };

export type SyncProblem = null | { kind: 'retry' | 'unauthorized'; detail: string };

class AlreadyCollected extends Error {}

export class Till {
  phase = $state<'loading' | 'enrol' | 'ready' | 'failed'>('loading');
  failure = $state<string | null>(null);
  // Raw state: these are replaced whole after every IndexedDB read, never mutated in place, so
  // deep proxies over a thousand journal rows would be pure overhead.
  device = $state.raw<DeviceRecord | null>(null);
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** Every readable journal row of this device, oldest first. */
  entries = $state.raw<JournalEntry[]>([]);
  sync = $state.raw<SyncState>({ id: 'sync', cursor: null, feedAt: null, lastSyncAt: null });
  syncing = $state(false);
  problem = $state<SyncProblem>(null);
  counter = $state.raw<Counter>({ state: 'idle' });
  receipt = $state.raw<JournalEntry | null>(null);
  shiftStartedAt = $state(0);
  collecting = $state(false);
  /** What started the latest sync round (shown as a data attribute for support). */
  lastTrigger = $state<string | null>(null);

  queued = $derived(this.entries.filter((e) => e.state === 'queued'));
  attention = $derived(this.entries.filter((e) => e.state === 'attention'));
  /** Not yet settled: what counts against the lease. */
  unsynced = $derived.by(() => {
    const open = this.entries.filter((e) => e.state !== 'settled');
    return { count: open.length, total: open.reduce((s, e) => s + e.record.amount, 0) };
  });

  private keySet: OperatorJwkSet | null = null;
  private paidList = new Map<string, 'paid' | 'canceled'>();
  private failures = 0;
  private nextTryAt = 0;
  private channel: BroadcastChannel | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: Promise<void> | null = null;
  private again = false;
  private stops: (() => void)[] = [];

  async start(): Promise<void> {
    try {
      const device = await getDevice();
      this.device = device;
      if (!device) {
        this.phase = 'enrol';
        return;
      }
      await this.reload();
      this.phase = 'ready';
      this.watch();
      this.keepStorage();
      if (this.queued.length > 0) void this.requestBackgroundSync();
      void this.syncNow('start');
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Re-reads everything the screens show from IndexedDB. */
  async reload(): Promise<void> {
    const [device, all, sync, paid, keys, shift] = await Promise.all([getDevice(), listJournal(), getSyncState(), getPaidList(), getCachedKeys(), getShift()]);
    this.device = device;
    this.entries = device ? all.filter((e) => e.deviceId === device.deviceId) : [];
    this.sync = sync;
    this.paidList = paid;
    if (keys && JSON.stringify(keys.set) !== JSON.stringify(this.keySet)) this.keySet = keys.set;
    this.shiftStartedAt = shift?.startedAt ?? (device ? Date.parse(device.enrolledAt) || 0 : 0);
    if (this.receipt) this.receipt = this.entries.find((e) => e.id === this.receipt!.id) ?? this.receipt;
  }

  async enrol(code: string, name: string): Promise<EnrolResult> {
    const result = await enrolTill(code, name, { enrol: enrolDevice, save: putDevice });
    if (result.ok) {
      this.keepStorage();
      this.device = result.device;
      await putShift({ id: 'shift', startedAt: Date.now() });
      await this.reload();
      this.phase = 'ready';
      this.watch();
      this.broadcast();
      await this.syncNow('enrolled');
    }
    return result;
  }

  // ---- the counter ----

  /** Text from the camera. */
  scanned(text: string): Promise<void> {
    return this.consider(readScannedText(text));
  }

  /** Text from the Reference field (typed, or from a handheld scanner). */
  typed(text: string): Promise<void> {
    return this.consider(readTypedText(text));
  }

  clearCounter(): void {
    this.counter = { state: 'idle' };
  }

  private async consider(input: TillInput): Promise<void> {
    this.receipt = null;
    if (input.kind === 'invalid') {
      this.counter = { state: 'refused', reason: input.reason, detail: input.reason };
      return;
    }
    if (this.device?.revokedAt) {
      this.counter = { state: 'refused', reason: 'device_revoked', detail: 'device revoked' };
      return;
    }
    this.counter = { state: 'checking' };
    const ports = await this.checkPorts();
    const decision =
      input.kind === 'token'
        ? await checkToken(input.token, ports)
        : await checkReference(input.reference, { ...ports, lookup: (reference) => findByReference(this.device!.credential, reference) });
    this.counter = decision.ok
      ? { state: 'ready', decision }
      : { state: 'refused', reason: decision.reason, detail: decision.detail, decision, reference: input.kind === 'reference' ? input.reference : undefined };
  }

  private async checkPorts(): Promise<CheckPorts> {
    const device = this.device!;
    return {
      cachedKeys: async () => this.keySet ?? (this.keySet = (await getCachedKeys())?.set ?? null),
      refreshKeys: async () => {
        await this.syncNow('keys');
        return this.keySet;
      },
      lease: device.lease,
      paidList: this.paidList,
      collectedHere: hasCollectionFor,
      unsynced: this.unsynced,
      lastSyncAt: this.sync.lastSyncAt === null ? null : new Date(this.sync.lastSyncAt),
      online: () => navigator.onLine,
      confirm: confirmStatus,
      now: () => new Date(),
    };
  }

  /**
   * Records the collection of the voucher on the counter in the journal, then shows the receipt
   * and sends it. Nothing is shown as collected unless the journal write committed.
   */
  async collect(payment: { tender: Tender; tenderReference: string | null; cashGiven: number | null }): Promise<void> {
    if (this.counter.state !== 'ready' || this.collecting) return;
    const { decision } = this.counter;
    this.collecting = true;
    try {
      const entry = await this.record(decision.token, decision.voucherId, payment);
      this.receipt = entry;
      this.counter = { state: 'idle' };
      await this.reload();
      this.broadcast();
      void this.requestBackgroundSync();
      void this.syncNow(decision.confirmedOnline ? 'confirmed' : 'collected');
    } catch (err) {
      if (err instanceof AlreadyCollected) this.counter = { state: 'refused', reason: 'collected_here', detail: err.message };
      else this.counter = { state: 'refused', reason: 'journal_failed', detail: err instanceof Error ? err.message : String(err) };
    } finally {
      this.collecting = false;
    }
  }

  /**
   * Appends one signed row. The "collected here before" check runs again inside the append lock,
   * so two tabs cannot both record the same voucher.
   */
  async record(token: string, voucherId: string, payment: { tender: Tender; tenderReference: string | null; cashGiven: number | null }, at = new Date()): Promise<JournalEntry> {
    const device = this.device!;
    return appendToJournal(device.deviceId, async (head) => {
      if (await hasCollectionFor(voucherId)) throw new AlreadyCollected(`${voucherId} was already collected at this till`);
      // The newest server time this till has seen, as stored (another tab may have synced since).
      const serverTime = (await getDevice())?.serverTime ?? device.serverTime ?? null;
      return buildJournalEntry(head, device.deviceId, device.privateKey, { token, ...payment, collectedAt: at, serverTime });
    });
  }

  async retry(id: string): Promise<void> {
    await requeueEntry(id);
    await this.reload();
    void this.syncNow('retry');
  }

  async closeShift(): Promise<void> {
    await putShift({ id: 'shift', startedAt: Date.now() });
    await this.reload();
    this.broadcast();
  }

  // ---- sync ----

  /**
   * One sync round: send the journal, then pull the paid list. Concurrent calls share one round
   * (and ask for one more after it), and only one tab runs a round at a time.
   */
  syncNow(why: 'start' | 'enrolled' | 'keys' | 'collected' | 'confirmed' | 'retry' | 'online' | 'visible' | 'timer' | 'background-sync' | 'button', force = true): Promise<void> {
    this.lastTrigger = why;
    if (!this.device) return Promise.resolve();
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

  private async round(): Promise<void> {
    this.syncing = true;
    try {
      const ran = await ifLockFree(SYNC_LOCK, () => this.exchange());
      // Another tab is sending: it will broadcast when done, and this tab reloads then.
      if (!ran.ran) return;
      const { push, pull } = ran.value;
      const ok = push.status === 'done' && pull.status === 'done';
      if (ok) {
        this.failures = 0;
        this.nextTryAt = 0;
        this.problem = null;
      } else {
        this.failures++;
        this.nextTryAt = Date.now() + backoffMs(this.failures);
        const failed = push.status !== 'done' ? push : (pull as Exclude<PullOutcome, { status: 'done' }>);
        const unauthorized = failed.status === 'unauthorized' || failed.status === 'revoked';
        this.problem = { kind: unauthorized ? 'unauthorized' : 'retry', detail: failed.detail ?? '' };
      }
      await this.reload();
      this.broadcast();
    } finally {
      this.syncing = false;
    }
  }

  private async exchange(): Promise<{ push: PushOutcome; pull: PullOutcome }> {
    const device = (await getDevice()) ?? this.device!;
    const credential = device.credential;
    const push = await pushJournal({
      queued: async () => (await listQueued()).filter((e) => e.deviceId === device.deviceId),
      post: (collections) => postCollections(credential, collections),
      apply: applyResults,
      noteAttempts,
      now: () => Date.now(),
    });
    // Show the outcomes at once; the feed below can take a few pages.
    if (push.settled + push.quarantined > 0) await this.reload();
    // The feed runs even after a failed push: the paid list and keys are worth having either way.
    const pull = await pullFeed({
      cursor: async () => (await getSyncState()).cursor,
      fetch: (since) => getFeed(credential, since),
      store: async (page, last, at) => {
        await applyFeedPage({ changes: page.changes, cursor: page.cursor }, last, at);
        if (last) {
          await putCachedKeys({ id: 'operator', set: page.keys, fetchedAt: at });
          this.keySet = page.keys;
          const seen = page.server_time_proof ? { at: page.server_time, proof: page.server_time_proof } : null;
          await updateDevice((d) => ({ ...d, lease: page.lease, store: page.store, serverTime: seen ?? d.serverTime ?? null }));
        }
      },
      now: () => Date.now(),
    });
    if (pull.status === 'revoked') await updateDevice((d) => ({ ...d, revokedAt: d.revokedAt ?? Date.now() }));
    if (push.status === 'done' && pull.status === 'done') await setLastSyncAt(Date.now());
    return { push, pull };
  }

  /**
   * Asks the browser not to evict this origin's storage (the journal holds money not yet settled;
   * Safari drops site data after 7 days without use otherwise). A refusal is only a refusal.
   */
  private keepStorage(): void {
    void navigator.storage?.persist?.().catch(() => false);
  }

  /** Background Sync where the browser has it (Chromium): the worker wakes a page to send when online. */
  private async requestBackgroundSync(): Promise<void> {
    try {
      const registration = (await navigator.serviceWorker?.getRegistration()) as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
      await registration?.sync?.register(SYNC_TAG);
    } catch {
      // Not supported or not allowed: the page's own triggers still send it.
    }
  }

  private broadcast(): void {
    this.channel?.postMessage({ type: 'changed' });
  }

  private watch(): void {
    if (this.stops.length > 0) return;
    const on = <K extends string>(target: EventTarget, type: K, handler: (e: Event) => void) => {
      target.addEventListener(type, handler);
      this.stops.push(() => target.removeEventListener(type, handler));
    };
    on(window, 'online', () => {
      this.online = true;
      void this.syncNow('online');
    });
    on(window, 'offline', () => (this.online = false));
    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.syncNow('visible');
    });
    this.timer = setInterval(() => {
      if (this.queued.length > 0 || Date.now() - (this.sync.lastSyncAt ?? 0) >= SYNC_INTERVAL_MS) void this.syncNow('timer', false);
    }, SYNC_INTERVAL_MS);
    this.stops.push(() => clearInterval(this.timer));
    if ('serviceWorker' in navigator) {
      // The worker forwards Background Sync here and waits for the answer on the message port.
      on(navigator.serviceWorker, 'message', (event) => {
        const message = event as MessageEvent;
        if (message.data?.type !== SYNC_TAG) return;
        void this.syncNow('background-sync').then(() => message.ports[0]?.postMessage({ ok: this.queued.length === 0 }));
      });
    }
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = () => void this.reload();
      this.stops.push(() => this.channel?.close());
    }
  }
}
