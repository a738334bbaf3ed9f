/**
 * The events API (`GET /v1/events`, `GET /v1/events/{id}`): what a merchant's webhooks carried,
 * to read back and reconcile after an outage of their receiver. An event is what
 * api/outbox/events.ts recorded in the transaction of its change, so the list holds exactly the
 * changes that committed; its id is the `webhook-id` of every delivery of it.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { EVENT_RETENTION_DAYS, type Event, type EventList, type ListEventsQuery } from '../../core/contract/webhooks.ts';
import { eventsRepository as repo, type EventRow } from './events.repository.ts';

const RETENTION_MS = EVENT_RETENTION_DAYS * 86_400_000;

export function eventJson(row: EventRow): Event {
  return { id: row.id, object: 'event', type: row.type, timestamp: row.createdAt.toISOString(), data: row.data };
}

export class EventsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The oldest moment still listed: events older than the retention window are not shown. */
  private since(): Date {
    return new Date(this.clock.now().getTime() - RETENTION_MS);
  }

  async get(merchantId: string, id: string): Promise<Event> {
    const row = await repo.byId(this.db, merchantId, id, this.since());
    if (!row) throw new NotFoundError('event', id);
    return eventJson(row);
  }

  async list(merchantId: string, q: ListEventsQuery): Promise<EventList> {
    const since = this.since();
    let after: EventRow | undefined;
    if (q.starting_after !== undefined) {
      after = await repo.byId(this.db, merchantId, q.starting_after, since);
      if (!after)
        throw new ValidationError(`starting_after names no event of yours from the last ${EVENT_RETENTION_DAYS} days: ${JSON.stringify(q.starting_after)}`, [
          { field: 'starting_after', message: 'no such event' },
        ]);
    }
    const rows = await repo.list(this.db, merchantId, { type: q.type, since, after, limit: q.limit + 1 });
    return { object: 'list', data: rows.slice(0, q.limit).map(eventJson), has_more: rows.length > q.limit };
  }
}
