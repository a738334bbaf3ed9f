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

/** Records an event and queues a delivery to each endpoint that wants it (`endpoints`: already read in this batch). */
export async function recordEvent(
  tx: Tx,
  q: { merchantId: string; type: EventType; data: Record<string, unknown>; now: Date; endpoints?: Array<{ id: string; events: string[] }> },
): Promise<string> {
  const id = newId('evt');
  await repo.insertEvent(tx, { id, merchantId: q.merchantId, type: q.type, data: q.data, createdAt: q.now });
  const endpoints = q.endpoints ?? (await subscribedEndpoints(tx, q.merchantId));
  const subscribed = endpoints.filter((e) => e.events.includes(q.type));
  if (subscribed.length > 0) {
    await repo.queue(
      tx,
      subscribed.map((e) => ({ id: newId('obx'), kind: 'webhook' as const, eventId: id, endpointId: e.id, merchantId: q.merchantId, createdAt: q.now, nextAttemptAt: q.now })),
    );
  }
  return id;
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
