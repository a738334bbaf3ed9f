import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncScheduler, type SyncSchedulerPorts, type SyncTrigger } from './sync-scheduler.ts';

/** A scheduler over an exchange that answers from `results` (true: it worked), one call at a time. */
function scheduler(results: boolean[], enrolled = true) {
  const log = { requested: [] as SyncTrigger[], exchanges: 0, settled: [] as boolean[], running: [] as boolean[] };
  const gates: (() => void)[] = [];
  const ports: SyncSchedulerPorts<boolean> = {
    requested: (why) => log.requested.push(why),
    enrolled: () => enrolled,
    hasQueued: () => false,
    lastSyncAt: () => null,
    running: (on) => log.running.push(on),
    exchange: () =>
      new Promise((resolve) => {
        log.exchanges++;
        const ok = results.shift() ?? true;
        gates.push(() => resolve(ok));
      }),
    worked: (ok) => ok,
    settled: async (ok) => void log.settled.push(ok),
  };
  /** Lets the exchange in progress answer. */
  const answer = async () => {
    await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0));
    gates.shift()!();
  };
  return { sync: new SyncScheduler(ports), log, answer };
}

describe('SyncScheduler', () => {
  beforeEach(() => vi.stubGlobal('navigator', {}));
  afterEach(() => vi.unstubAllGlobals());

  it('does nothing before enrolment, but still notes what asked', async () => {
    const { sync, log } = scheduler([], false);
    await sync.request('start');
    expect(log).toMatchObject({ requested: ['start'], exchanges: 0, running: [] });
  });

  it('runs one round at a time: requests during a round share it and ask for exactly one more', async () => {
    const { sync, log, answer } = scheduler([true, true]);
    const first = sync.request('start');
    const second = sync.request('collected');
    const third = sync.request('retry');
    expect(second).toBe(first);
    expect(third).toBe(first);
    await answer();
    await answer();
    await first;
    expect(log.exchanges).toBe(2);
    expect(log.settled).toEqual([true, true]);
    expect(log.running).toEqual([true, false, true, false]);
    expect(log.requested).toEqual(['start', 'collected', 'retry']);
  });

  it('after a failure the timer waits the backoff out; any other trigger goes at once', async () => {
    const { sync, log, answer } = scheduler([false, true]);
    const failed = sync.request('start');
    await answer();
    await failed;
    expect(log.settled).toEqual([false]);
    await sync.request('timer', false);
    expect(log.exchanges).toBe(1);
    const online = sync.request('online');
    await answer();
    await online;
    expect(log.exchanges).toBe(2);
    // A round that worked clears the backoff: the timer runs again.
    const timer = sync.request('timer', false);
    await answer();
    await timer;
    expect(log.exchanges).toBe(3);
  });

  it('skips the round when another tab holds the sync lock', async () => {
    vi.stubGlobal('navigator', { locks: { request: (_name: string, _options: object, work: (lock: null) => unknown) => work(null) } });
    const { sync, log } = scheduler([]);
    await sync.request('button');
    expect(log).toMatchObject({ exchanges: 0, settled: [], running: [true, false] });
  });
});
