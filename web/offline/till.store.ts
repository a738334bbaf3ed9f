/**
 * The till's device record, sync state, shift and paid list in IndexedDB. Every read is parsed;
 * an unreadable device record reads as "not enrolled" only if no journal exists (see the caller).
 */
import { db } from './db.ts';
import {
  deviceRecordSchema,
  payoutGrantSchema,
  shiftRecordSchema,
  syncStateSchema,
  type DeviceRecord,
  type PayoutGrantRecord,
  type ShiftRecord,
  type SyncState,
} from './till-records.ts';
import { FeedChange } from '../../core/contract/till.ts';

export async function getDevice(): Promise<DeviceRecord | null> {
  const value = await (await db()).get('till', 'device');
  if (value === undefined) return null;
  const parsed = deviceRecordSchema.safeParse(value);
  if (!parsed.success) throw new Error(`the till's device record cannot be read: ${parsed.error.message}`);
  return parsed.data;
}

export async function putDevice(device: DeviceRecord): Promise<void> {
  await (await db()).put('till', deviceRecordSchema.parse(device));
}

/** Changes the device record inside one transaction, so two tabs never lose each other's update. */
export async function updateDevice(change: (device: DeviceRecord) => DeviceRecord): Promise<DeviceRecord | null> {
  const tx = (await db()).transaction('till', 'readwrite');
  const value = await tx.store.get('device');
  if (value === undefined) {
    await tx.done;
    return null;
  }
  const next = deviceRecordSchema.parse(change(deviceRecordSchema.parse(value)));
  await tx.store.put(next);
  await tx.done;
  return next;
}

const EMPTY_SYNC: SyncState = { id: 'sync', cursor: null, feedAt: null, lastSyncAt: null };

export async function getSyncState(): Promise<SyncState> {
  const value = await (await db()).get('till', 'sync');
  const parsed = syncStateSchema.safeParse(value);
  // An unreadable sync state only costs a full feed download and a "never synced" lease.
  return parsed.success ? parsed.data : EMPTY_SYNC;
}

export async function setLastSyncAt(at: number): Promise<void> {
  const tx = (await db()).transaction('till', 'readwrite');
  const parsed = syncStateSchema.safeParse(await tx.store.get('sync'));
  await tx.store.put({ ...(parsed.success ? parsed.data : EMPTY_SYNC), lastSyncAt: at });
  await tx.done;
}

/**
 * Stores one page of the feed: its entries and the cursor after it, in one transaction, so a
 * crash between the two can never skip a page. `done` marks the paid list as current at `at`.
 */
export async function applyFeedPage(page: { changes: FeedChange[]; cursor: string }, done: boolean, at: number): Promise<void> {
  const tx = (await db()).transaction(['paidList', 'till'], 'readwrite');
  const paid = tx.objectStore('paidList');
  const till = tx.objectStore('till');
  for (const change of page.changes) await paid.put(FeedChange.parse(change));
  const parsed = syncStateSchema.safeParse(await till.get('sync'));
  const current = parsed.success ? parsed.data : EMPTY_SYNC;
  await till.put({ ...current, cursor: page.cursor, feedAt: done ? at : current.feedAt });
  await tx.done;
}

/** voucher id → paid | canceled, as last heard from the feed. */
export async function getPaidList(): Promise<Map<string, FeedChange['status']>> {
  const values = await (await db()).getAll('paidList');
  const map = new Map<string, FeedChange['status']>();
  for (const value of values) {
    const parsed = FeedChange.safeParse(value);
    if (parsed.success) map.set(parsed.data.voucher_id, parsed.data.status);
  }
  return map;
}

export async function getShift(): Promise<ShiftRecord | null> {
  const parsed = shiftRecordSchema.safeParse(await (await db()).get('till', 'shift'));
  return parsed.success ? parsed.data : null;
}

export async function putShift(shift: ShiftRecord): Promise<void> {
  await (await db()).put('till', shiftRecordSchema.parse(shift));
}

/** The payout grant this till holds, if any (till-records.ts payoutGrantSchema). */
export async function getPayoutGrant(): Promise<PayoutGrantRecord | null> {
  const parsed = payoutGrantSchema.safeParse(await (await db()).get('till', 'payout'));
  return parsed.success ? parsed.data : null;
}

export async function putPayoutGrant(grant: PayoutGrantRecord): Promise<void> {
  await (await db()).put('till', payoutGrantSchema.parse(grant));
}

export async function clearPayoutGrant(): Promise<void> {
  await (await db()).delete('till', 'payout');
}
