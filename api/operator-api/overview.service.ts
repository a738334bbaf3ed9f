/** The operator's overview of the network (GET /v1/operator/overview; docs/console.md), on the API's clock. */
import type { Overview } from '../../core/contract/operator.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { ReviewService } from '../review/review.service.ts';
import { overviewRepository as repo } from './overview.repository.ts';

const DAY_MS = 86_400_000;
/** The chart's span: today and the 13 days before. */
export const OVERVIEW_DAYS = 14;

export class OverviewService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly review: ReviewService,
  ) {}

  async today(): Promise<Overview> {
    const now = this.clock.now();
    const dayStart = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
    const tomorrow = new Date(dayStart.getTime() + DAY_MS);
    const [perDay, refundsPaid, held, tills, endpoints] = await Promise.all([
      repo.collections(this.db, new Date(dayStart.getTime() - (OVERVIEW_DAYS - 1) * DAY_MS), tomorrow),
      repo.refundsPaid(this.db, dayStart, tomorrow),
      this.review.list(),
      repo.tillsPastLease(this.db, now),
      repo.failingEndpoints(this.db),
    ]);
    const day = dayStart.toISOString().slice(0, 10);
    return {
      object: 'overview',
      day,
      collections: perDay.filter((r) => r.day === day).map(({ currency, count, amount }) => ({ currency, count, amount })),
      refunds_paid: refundsPaid,
      review_waiting: held.data.length,
      tills_past_lease: tills.map((t) => ({ id: t.id, name: t.name, store: { id: t.storeId, name: t.storeName }, last_seen_at: t.lastSeenAt?.toISOString() ?? null })),
      failing_endpoints: endpoints.map((e) => ({ id: e.id, url: e.url, merchant: { id: e.merchantId, name: e.merchantName } })),
      per_day: perDay,
    };
  }
}
