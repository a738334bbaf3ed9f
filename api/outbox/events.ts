/**
 * Events and the outbox (docs/architecture.md §9.3, "side effects after commit"). Everything here runs inside the
 * transaction of the change that caused it, so an event exists if and only if its change does,
 * and every delivery it needs is queued before the commit.
 */
import type { Tx } from '../db/client.ts';
import { newId } from '../ids.ts';
import { outboxRepository as repo } from './outbox.repository.ts';

import type { EventType } from '../../core/contract/webhooks.ts';

/** A merchant's endpoints that take deliveries (not disabled), with the events they want. */
export async function subscribedEndpoints(tx: Tx, merchantId: string): Promise<Array<{ id: string; events: string[] }>> {
  return repo.subscribedEndpoints(tx, merchantId);
}

type NewEvent = { merchantId: string; type: EventType; data: Record<string, unknown>; now: Date; endpoints?: Array<{ id: string; events: string[] }> };

/** Records an event and queues a delivery to each endpoint that wants it (`endpoints`: already read in this batch). */
export async function recordEvent(tx: Tx, q: NewEvent): Promise<string> {
  return (await recordEvents(tx, [q]))[0]!;
}

/** Records several events, as `recordEvent`, in one statement for the events and one for their deliveries; their ids. */
export async function recordEvents(tx: Tx, list: NewEvent[]): Promise<string[]> {
  if (list.length === 0) return [];
  const ids = list.map(() => newId('evt'));
  await repo.insertEvents(
    tx,
    list.map((q, i) => ({ id: ids[i]!, merchantId: q.merchantId, type: q.type, data: q.data, createdAt: q.now })),
  );
  const read = new Map<string, Array<{ id: string; events: string[] }>>();
  const deliveries = [];
  for (const [i, q] of list.entries()) {
    let endpoints = q.endpoints ?? read.get(q.merchantId);
    if (!endpoints) {
      endpoints = await subscribedEndpoints(tx, q.merchantId);
      read.set(q.merchantId, endpoints);
    }
    for (const e of endpoints)
      if (e.events.includes(q.type))
        deliveries.push({ id: newId('obx'), kind: 'webhook' as const, eventId: ids[i]!, endpointId: e.id, merchantId: q.merchantId, createdAt: q.now, nextAttemptAt: q.now });
  }
  if (deliveries.length > 0) await repo.queue(tx, deliveries);
  return ids;
}

/** Queues the voucher's delivery to the shopper on the given channels (or, with `refundId`, that refund's). */
export async function queueVoucherMessages(tx: Tx, q: { merchantId: string; voucherId: string; refundId?: string; channels: Array<'email' | 'sms'>; now: Date }): Promise<void> {
  if (q.channels.length === 0) return;
  await repo.queue(
    tx,
    q.channels.map((kind) => ({
      id: newId('obx'),
      kind,
      voucherId: q.voucherId,
      refundId: q.refundId ?? null,
      merchantId: q.merchantId,
      createdAt: q.now,
      nextAttemptAt: q.now,
    })),
  );
}
