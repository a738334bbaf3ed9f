/**
 * The tills' feed: vouchers paid or canceled since a cursor (only those not yet expired: a till
 * refuses expired vouchers by itself), the current keys and the device's lease (docs/architecture.md §5).
 *
 * The cursor is (status_changed_at, voucher id). A change is stamped inside its transaction but
 * becomes visible only at commit, so a reader could pass a stamp whose transaction commits later.
 * The cursor handed back at the end of the feed is therefore never newer than now − 60 s, and the
 * next read re-sends that window: entries are idempotent (voucher → status), so a repeat is
 * harmless and a late commit is not missed. (No transaction here lasts anywhere near a minute.)
 */
import { signServerTime } from '../../core/collections/server-time.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { ValidationError } from '../errors.ts';
import type { SigningKeys } from '../signing-keys/signing-keys.service.ts';
import { leaseOf, storeJson } from './devices.service.ts';
import type { StoreRow } from './devices.repository.ts';
import { feedRepository } from './feed.repository.ts';
import type { ReviewedCollection } from '../../core/contract/till.ts';

export const FEED_PAGE = 1000;
const SETTLE_WINDOW_MS = 60_000;

function encodeCursor(at: Date, id: string) {
  return `${at.toISOString()}~${id}`;
}
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = cursor.split('~');
  const date = new Date(at ?? '');
  if (id === undefined || Number.isNaN(date.getTime()))
    throw new ValidationError(`since is not a cursor this server gave out: ${JSON.stringify(cursor.slice(0, 80))}`, [{ field: 'since', message: 'not a feed cursor' }]);
  return { at: date, id };
}

export class FeedService {
  constructor(
    private readonly db: Db,
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    /** Review decisions on this till's collections (api/review/review.service.ts). */
    private readonly reviewed: (deviceId: string) => Promise<ReviewedCollection[]>,
  ) {}

  async feed(device: { id: string }, store: StoreRow, since: string | undefined) {
    const now = this.clock.now();
    const after = since ? decodeCursor(since) : { at: new Date(0), id: '' };
    const rows = await feedRepository.changesSince(this.db, after, now, FEED_PAGE + 1);
    const page = rows.slice(0, FEED_PAGE);
    const hasMore = rows.length > FEED_PAGE;
    const last = page.at(-1);
    const settled = new Date(now.getTime() - SETTLE_WINDOW_MS);
    let cursor: string;
    if (hasMore) cursor = encodeCursor(last!.changedAt!, last!.id);
    else {
      // End of the feed: hand back a cursor no newer than the settle window.
      const candidate = last && last.changedAt! < settled ? { at: last.changedAt!, id: last.id } : after.at < settled ? { at: settled, id: '' } : after;
      cursor = encodeCursor(candidate.at, candidate.id);
    }
    return {
      object: 'till_feed' as const,
      changes: page.map((r) => ({ voucher_id: r.id, status: r.status as 'paid' | 'canceled', changed_at: r.changedAt!.toISOString() })),
      reviewed: await this.reviewed(device.id),
      cursor,
      has_more: hasMore,
      keys: await this.keys.jwks(),
      lease: leaseOf(store),
      store: storeJson(store),
      server_time: now.toISOString(),
      // Proof that this till saw this time; its next records name it (core/collections/server-time.ts).
      server_time_proof: await signServerTime(device.id, now.toISOString(), await this.keys.signer()),
    };
  }
}
