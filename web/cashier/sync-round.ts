/**
 * What one sync round does, wired to IndexedDB and the API; when it runs is sync-scheduler.ts.
 * It sends the journal (sync.ts `pushJournal`), then pulls the feed of vouchers paid or canceled
 * elsewhere with the operator keys, lease and store (`pullFeed`), and records a withdrawn device
 * and the time of the last full sync. Also here: what the sync header says about a round that failed.
 */
import type { OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { putCachedKeys } from '../offline/keys.store.ts';
import { applyResults, applyReviews, listQueued, noteAttempts } from '../offline/journal.store.ts';
import { applyFeedPage, getDevice, getSyncState, setLastSyncAt, updateDevice } from '../offline/till.store.ts';
import type { DeviceRecord } from '../offline/till-records.ts';
import { pullFeed, pushJournal, type PullOutcome, type PushOutcome } from './sync.ts';
import { getFeed, postCollections } from './till.api.ts';

export interface RoundOutcome {
  push: PushOutcome;
  pull: PullOutcome;
}

export type SyncProblem = null | { kind: 'retry' | 'unauthorized'; detail: string };

export interface ExchangePorts {
  /** The device the screens have, used when IndexedDB has none. */
  device(): DeviceRecord;
  /** Re-reads what the screens show. */
  reload(): Promise<void>;
  /** The operator keys the feed's last page brought, already stored. */
  keys(set: OperatorJwkSet): void;
}

/** One exchange with the server: the caller holds the sync lock. */
export async function exchange(ports: ExchangePorts): Promise<RoundOutcome> {
  const device = (await getDevice()) ?? ports.device();
  const credential = device.credential;
  const push = await pushJournal({
    queued: async () => (await listQueued()).filter((e) => e.deviceId === device.deviceId),
    post: (collections) => postCollections(credential, collections),
    apply: applyResults,
    noteAttempts,
    now: () => Date.now(),
  });
  // Show the outcomes at once; the feed below can take a few pages.
  if (push.settled + push.quarantined > 0) await ports.reload();
  // The feed runs even after a failed push: the paid list and keys are worth having either way.
  const pull = await pullFeed({
    cursor: async () => (await getSyncState()).cursor,
    fetch: (since) => getFeed(credential, since),
    store: async (page, last, at) => {
      await applyFeedPage({ changes: page.changes, cursor: page.cursor }, last, at);
      if (last) {
        if (page.reviewed.length > 0) await applyReviews(page.reviewed);
        await putCachedKeys({ id: 'operator', set: page.keys, fetchedAt: at });
        ports.keys(page.keys);
        await updateDevice((d) => ({ ...d, lease: page.lease, store: page.store, serverTime: { at: page.server_time, proof: page.server_time_proof } }));
      }
    },
    now: () => Date.now(),
  });
  if (pull.status === 'revoked') await updateDevice((d) => ({ ...d, revokedAt: d.revokedAt ?? Date.now() }));
  if (push.status === 'done' && pull.status === 'done') await setLastSyncAt(Date.now());
  return { push, pull };
}

/** The journal all sent and the feed all pulled. */
export function roundWorked({ push, pull }: RoundOutcome): boolean {
  return push.status === 'done' && pull.status === 'done';
}

/** What the sync header shows after a round: null when it worked, else the first failure (the push's before the pull's). */
export function problemOf(outcome: RoundOutcome): SyncProblem {
  if (roundWorked(outcome)) return null;
  const { push, pull } = outcome;
  const failed = push.status !== 'done' ? push : (pull as Exclude<PullOutcome, { status: 'done' }>);
  const unauthorized = failed.status === 'unauthorized' || failed.status === 'revoked';
  return { kind: unauthorized ? 'unauthorized' : 'retry', detail: failed.detail ?? '' };
}
