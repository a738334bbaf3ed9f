/**
 * The till's state for the cashier screens: the enrolled device, the journal as the screens see it,
 * the sync header's facts, the voucher on the counter and the last receipt. IndexedDB is the truth;
 * this is the screens' copy, reloaded after every write (here or in another tab).
 *
 * The page owns sync (docs/architecture.md §9.4). It runs on start, on `online`, when the page becomes visible, on
 * a timer, when the service worker forwards a Background Sync event, and right after a collection.
 * One tab at a time sends (Web Lock); failures back off exponentially, and the triggers above
 * that mean "the network may be back" skip the wait.
 *
 * The parts: counter.ts (scan or typed text → check → decision, and the journal row of a
 * collection), sync-scheduler.ts (when a round runs), sync-round.ts (what a round exchanges),
 * tab-channel.ts (the other tabs and the service worker). This class holds the state and wires them.
 */
import type { OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { getCachedKeys } from '../offline/keys.store.ts';
import { hasCollectionFor, listJournal, requeueEntry } from '../offline/journal.store.ts';
import { clearPayoutGrant, getDevice, getPaidList, getPayoutGrant, getShift, getSyncState, putDevice, putPayoutGrant, putShift } from '../offline/till.store.ts';
import { appendToJournal } from '../offline/journal.store.ts';
import type { DeviceRecord, JournalEntry, SyncState } from '../offline/till-records.ts';
import { isCollection } from '../../core/collections/collection-record.ts';
import type { CheckPorts } from './check.ts';
import { checkAtCounter, notRecorded, recordCollection, recordPayout, type Counter, type Payment } from './counter.ts';
import { buildShiftCloseEntry } from './journal.ts';
import { askForPayout, type PayoutPorts } from './payout.ts';
import { closeFigures, shiftReport } from './summary.ts';
import { enrolTill, type EnrolResult } from './enrol.ts';
import { FocusRequest } from './focus.svelte.ts';
import { readScannedText, readTypedText, type TillInput } from './scan-text.ts';
import { exchange, problemOf, roundWorked, type RoundOutcome, type SyncProblem } from './sync-round.ts';
import { SyncScheduler, type SyncTrigger } from './sync-scheduler.ts';
import { requestBackgroundSync, TabChannel } from './tab-channel.ts';
import { authorizePayout, confirmStatus, enrolDevice, findByReference, voidPayout } from './till.api.ts';

export type { Counter } from './counter.ts';
export type { SyncProblem } from './sync-round.ts';
export { SYNC_LOCK } from './sync-scheduler.ts';
export { SYNC_TAG } from './tab-channel.ts';

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
  /** Collections not yet settled: what counts against the lease (payouts are granted online, closes move no money). */
  unsynced = $derived.by(() => {
    let count = 0;
    let total = 0;
    for (const e of this.entries) {
      if (e.state === 'settled' || !isCollection(e.record)) continue;
      count++;
      total += e.record.amount;
    }
    return { count, total };
  });
  /** The drawer now: the current shift's report (summary.ts), for the X report and the close. */
  shift = $derived(shiftReport(this.entries, { storeCurrency: this.device?.store.currency ?? 'EUR', legacyStartedAt: this.shiftStartedAt }));
  /** The last shift close recorded here (the Z report on screen until the next one). */
  lastClosed = $state.raw<JournalEntry | null>(null);
  paying = $state(false);
  /** Nothing on the counter and no receipt: the till waits for the next voucher. */
  idle = $derived(this.counter.state === 'idle' && this.receipt === null);
  /** Where focus goes next (focus.svelte.ts). */
  readonly focus = new FocusRequest();

  private keySet: OperatorJwkSet | null = null;
  private paidList = new Map<string, 'paid' | 'canceled'>();
  private readonly tabs = new TabChannel();
  private readonly scheduler = new SyncScheduler<RoundOutcome>({
    requested: (why) => (this.lastTrigger = why),
    enrolled: () => Boolean(this.device),
    hasQueued: () => this.queued.length > 0,
    lastSyncAt: () => this.sync.lastSyncAt,
    running: (on) => (this.syncing = on),
    exchange: () => exchange({ device: () => this.device!, reload: () => this.reload(), keys: (set) => (this.keySet = set) }),
    worked: roundWorked,
    settled: async (outcome) => {
      this.problem = problemOf(outcome);
      await this.reload();
      this.tabs.broadcast();
    },
  });
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
      // A payout granted before a reload or a crash: the cashier decides it again.
      const held = await getPayoutGrant();
      if (held) this.counter = { state: 'payout', payout: { step: 'granted', token: held.token, grant: held.grant } };
      this.phase = 'ready';
      this.watch();
      this.keepStorage();
      if (this.queued.length > 0) void requestBackgroundSync();
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
      this.tabs.broadcast();
      this.focus.move('camera');
      await this.syncNow('enrolled');
    }
    return result;
  }

  // ---- the counter (counter.ts) ----

  /** Text from the camera. */
  scanned(text: string): Promise<void> {
    return this.consider(readScannedText(text), 'camera');
  }

  /** Text from the Reference field (typed, or from a handheld scanner). */
  typed(text: string): Promise<void> {
    return this.consider(readTypedText(text), 'typed');
  }

  /** Cancel, or "Next voucher" after a refusal or a receipt: the counter is clear for the next voucher. */
  clearCounter(): void {
    this.counter = { state: 'idle' };
    this.receipt = null;
    this.focus.move('reference');
  }

  private async consider(input: TillInput, from: 'camera' | 'typed'): Promise<void> {
    this.receipt = null;
    await checkAtCounter(input, this.device, this.counterPorts());
    // The voucher to collect, or the refusal's "Next voucher" (a refusal of typed text: the
    // Reference field again, so a handheld scanner can go on with the next code).
    if (this.counter.state === 'ready') this.focus.move('counter');
    else if (this.counter.state === 'refused') this.focus.move(from === 'camera' ? 'next' : 'reference');
  }

  private counterPorts() {
    return {
      checkPorts: () => this.checkPorts(),
      lookup: (reference: string) => findByReference(this.device!.credential, reference),
      payoutPorts: () => this.payoutPorts(),
      show: (counter: Counter) => (this.counter = counter),
    };
  }

  private payoutPorts(): PayoutPorts {
    const device = this.device!;
    return {
      cachedKeys: async () => {
        this.keySet ??= (await getCachedKeys())?.set ?? null;
        return this.keySet;
      },
      refreshKeys: async () => {
        await this.syncNow('keys');
        return this.keySet;
      },
      storeCurrency: device.store.currency,
      online: () => navigator.onLine,
      authorize: (body) => authorizePayout(device.credential, body),
      keepGrant: (token, grant) => putPayoutGrant({ id: 'payout', token, grant }),
      now: () => new Date(),
    };
  }

  // ---- payouts (payout.ts) ----

  /** The shopper's six-digit code, when the refund is above this store's limit. */
  async payoutCode(code: string): Promise<void> {
    if (this.counter.state !== 'payout' || this.counter.payout.step !== 'code') return;
    const { token, claims } = this.counter.payout;
    this.counter = { state: 'payout', payout: { step: 'asking', token, claims } };
    this.counter = { state: 'payout', payout: await askForPayout(token, claims, this.payoutPorts(), code) };
  }

  /**
   * The cash was handed over: the signed payout row goes into the journal, then the grant is let
   * go and the row is sent. Nothing is shown as paid unless the journal write committed.
   */
  async handedOver(): Promise<void> {
    if (this.counter.state !== 'payout' || this.counter.payout.step !== 'granted' || this.paying) return;
    const { token, grant } = this.counter.payout;
    this.paying = true;
    try {
      const entry = await recordPayout(this.device!, token, grant, new Date());
      await clearPayoutGrant();
      this.receipt = entry;
      this.counter = { state: 'idle' };
      this.focus.move('next');
      await this.reload();
      this.tabs.broadcast();
      void requestBackgroundSync();
      void this.syncNow('paid-out');
    } catch (err) {
      this.counter = notRecorded(err);
    } finally {
      this.paying = false;
    }
  }

  /** The cash was not handed over: give the grant back (online only); the refund is payable again. */
  async voidPayout(): Promise<void> {
    if (this.counter.state !== 'payout' || this.counter.payout.step !== 'granted' || this.paying) return;
    const held = this.counter.payout;
    this.paying = true;
    try {
      const answer = await voidPayout(this.device!.credential, held.grant.id);
      // 409: a payout row under this grant already exists (another tab recorded it): nothing to void.
      if (answer.ok || (answer.reason === 'status' && (answer.status === 404 || answer.status === 409))) {
        await clearPayoutGrant();
        this.counter = { state: 'payout', payout: { step: 'refused', reason: 'payout_voided', detail: held.grant.refund_id } };
      } else this.counter = { state: 'payout', payout: { ...held, voidFailed: true } };
    } finally {
      this.paying = false;
    }
  }

  private async checkPorts(): Promise<CheckPorts> {
    const device = this.device!;
    return {
      cachedKeys: async () => {
        this.keySet ??= (await getCachedKeys())?.set ?? null;
        return this.keySet;
      },
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
  async collect(payment: Payment): Promise<void> {
    if (this.counter.state !== 'ready' || this.collecting) return;
    const { decision } = this.counter;
    this.collecting = true;
    try {
      const entry = await this.record(decision.token, decision.voucherId, payment);
      this.receipt = entry;
      this.counter = { state: 'idle' };
      this.focus.move('next');
      await this.reload();
      this.tabs.broadcast();
      void requestBackgroundSync();
      void this.syncNow(decision.confirmedOnline ? 'confirmed' : 'collected');
    } catch (err) {
      this.counter = notRecorded(err);
      this.focus.move('next');
    } finally {
      this.collecting = false;
    }
  }

  /** Appends one signed row for a collection (counter.ts: not twice for one voucher, even from two tabs). */
  async record(token: string, voucherId: string, payment: Payment, at = new Date()): Promise<JournalEntry> {
    return recordCollection(this.device!, token, voucherId, payment, at);
  }

  async retry(id: string): Promise<void> {
    await requeueEntry(id);
    await this.reload();
    void this.syncNow('retry');
  }

  /**
   * Closes the shift (the Z report): the counted drawer against the expected cash, as a signed
   * journal row that is sent like a collection. The next shift opens with `floatLeft`.
   */
  async closeShift(counted: { countedCash: number; floatLeft: number }): Promise<JournalEntry> {
    const device = this.device!;
    const figures = closeFigures(this.shift, device.store.currency, counted);
    const entry = await appendToJournal(device.deviceId, async (head) => {
      const serverTime = (await getDevice())?.serverTime ?? device.serverTime ?? null;
      return buildShiftCloseEntry(head, device.deviceId, device.privateKey, { ...figures, closedAt: new Date(), serverTime });
    });
    await putShift({ id: 'shift', startedAt: Date.now() });
    this.lastClosed = entry;
    await this.reload();
    this.tabs.broadcast();
    void this.syncNow('shift-closed');
    return entry;
  }

  // ---- sync (sync-scheduler.ts, sync-round.ts) ----

  /**
   * One sync round: send the journal, then pull the paid list. Concurrent calls share one round
   * (and ask for one more after it), and only one tab runs a round at a time.
   */
  syncNow(why: SyncTrigger, force = true): Promise<void> {
    return this.scheduler.request(why, force);
  }

  /**
   * Asks the browser not to evict this origin's storage (the journal holds money not yet settled;
   * Safari drops site data after 7 days without use otherwise). A refusal is only a refusal.
   */
  private keepStorage(): void {
    void navigator.storage?.persist?.().catch(() => false);
  }

  /** The page's listeners, once: the online flag, the sync triggers, the other tabs and the service worker. */
  private watch(): void {
    if (this.stops.length > 0) return;
    const online = () => (this.online = true);
    const offline = () => (this.online = false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    this.stops.push(
      () => window.removeEventListener('online', online),
      () => window.removeEventListener('offline', offline),
      this.scheduler.watch(),
      this.tabs.open({ changed: () => void this.reload(), sync: () => this.syncNow('background-sync'), allSent: () => this.queued.length === 0 }),
    );
  }
}
