/**
 * The outbox worker: delivers what committed transactions queued (webhooks, e-mail, SMS) and
 * expires vouchers (and, given `expireAlso`, refunds) whose time has passed. Any number of workers may run against one PostgreSQL.
 *
 * Delivery is at least once: a worker that dies after sending but before recording it leaves the
 * row to be sent again when its lease ends; receivers dedupe by `webhook-id` (the event id).
 * Only a 2xx ends a webhook's delivery. Failures retry with exponential backoff and ±20 % jitter
 * for about three days; then the row gives up and the endpoint is marked failing.
 */
import type { WebhookPayload } from '../../core/contract/webhooks.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { KeyVault } from '../signing-keys/key-vault.ts';
import { outboxRepository as repo, type EventRow, type OutboxRow } from './outbox.repository.ts';
import type { EndpointRow } from '../webhooks/webhooks.repository.ts';
import { recordEvent } from './events.ts';
import { describeForLog } from '../http/problem.ts';
import { signWebhook } from '../webhooks/webhook-signature.ts';
import { postToTarget, type Lookup, type WebhookTargetPolicy } from '../webhooks/webhook-target.ts';

/** Delays before attempt 2, 3, …: about 72 hours in all (Stripe retries live webhooks for 3 days). */
export const RETRY_DELAYS_S = [10, 60, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 20 * 3600];

interface WebhookContext {
  events: Map<string, EventRow>;
  endpoints: Map<string, EndpointRow>;
}

export interface MessageSender {
  /** Builds the shopper's message for a voucher and sends it; throws an error with `permanent` when retrying cannot help. */
  sendVoucher(channel: 'email' | 'sms', voucherId: string): Promise<void>;
  /** The same for a refund of a voucher. */
  sendRefund(channel: 'email' | 'sms', refundId: string): Promise<void>;
}

export interface WorkerOptions {
  leaseMs?: number;
  batch?: number;
  /** Random source for jitter (tests pin it). */
  random?: () => number;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Which addresses may receive webhooks, checked at every delivery; `public` unless told. */
  targets?: WebhookTargetPolicy;
  lookup?: Lookup;
  /** Sends push notifications (api/push/push.service.ts); without it a push row is given up at once. */
  push?: { send(row: OutboxRow): Promise<'sent' | 'gone' | 'stale'> };
  /** More things that expire, run with the voucher expiry on every pass (the refunds' expiry: RefundsService.expireDue; the test data's: TestData.sweepIfDue). */
  expireAlso?: Array<() => Promise<number>>;
}

export class OutboxWorker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly clock: Clock,
    private readonly messages: MessageSender,
    private readonly options: WorkerOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /** One pass: expire due vouchers, then deliver what is due. Returns how many rows it worked on. */
  async runOnce(): Promise<number> {
    await this.expireDue();
    for (const expire of this.options.expireAlso ?? []) await expire();
    return this.deliverDue();
  }

  private async deliverDue(): Promise<number> {
    const rows = await repo.claim(this.db, this.clock.now(), this.leaseMs, this.options.batch ?? 50);
    if (rows.length === 0) return 0;
    // What the webhook rows need, in two queries for the whole batch rather than two per row.
    const eventIds = [...new Set(rows.map((r) => r.eventId).filter((id): id is string => id !== null))];
    const endpointIds = [...new Set(rows.map((r) => r.endpointId).filter((id): id is string => id !== null))];
    const [eventRows, endpointRows] = await Promise.all([repo.eventsByIds(this.db, eventIds), repo.endpointsByIds(this.db, endpointIds)]);
    const context = { events: new Map(eventRows.map((e) => [e.id, e])), endpoints: new Map(endpointRows.map((e) => [e.id, e])) };
    await Promise.all(rows.map((row) => this.deliver(row, context)));
    return rows.length;
  }

  private wakeTimer?: NodeJS.Timeout;

  /**
   * Something was just committed to the outbox by this process: look now rather than at the next
   * tick, so a webhook follows its cause within milliseconds. Calls within 20 ms share one look.
   */
  wake() {
    if (this.wakeTimer || !this.timer) return;
    this.wakeTimer = setTimeout(async () => {
      this.wakeTimer = undefined;
      try {
        while ((await this.deliverDue()) > 0) {
          /* drain */
        }
      } catch (err) {
        // One line, without the SQL and its parameters (a failed query's message carries both).
        this.options.log?.(`outbox worker: ${describeForLog(err)}; it tries again on its next tick`);
      }
    }, 20);
    this.wakeTimer.unref?.();
  }

  start(intervalMs = 1000) {
    const tick = async () => {
      try {
        // Keep going while there is work; then wait for the next tick.
        for (;;) {
          this.running = this.runOnce();
          if ((await this.running) === 0) break;
        }
      } catch (err) {
        // One line, without the SQL and its parameters (a failed query's message carries both).
        this.options.log?.(`outbox worker: ${describeForLog(err)}; it tries again on its next tick`);
      }
      this.timer = setTimeout(tick, intervalMs);
      this.timer.unref?.();
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref?.();
  }

  async stop() {
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** Open vouchers past their expiry become expired, once, with their voucher.expired event. */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const expired = await repo.expireDue(tx, now);
      for (const v of expired) {
        await recordEvent(tx, { merchantId: v.merchantId, type: 'voucher.expired', data: { object: { object: 'voucher', id: v.id, status: 'expired' } }, now });
      }
      return expired.length;
    });
  }

  private async deliver(row: OutboxRow, context: WebhookContext) {
    const now = this.clock.now();
    try {
      if (row.kind === 'webhook') {
        const status = await this.sendWebhook(row, context);
        if (status >= 200 && status < 300) {
          await repo.finish(this.db, row, { deliveredAt: this.clock.now(), lastStatus: status, lastError: null });
          await repo.endpointRecovered(this.db, row.endpointId);
          return;
        }
        await this.retry(row, now, `the endpoint answered HTTP ${status}`, status);
      } else if (row.kind === 'push') {
        if (!this.options.push) throw Object.assign(new Error('this worker sends no push notifications'), { permanent: true });
        const sent = await this.options.push.send(row);
        // 'gone': the subscription was deleted, and this row with it.
        if (sent === 'sent') await repo.finish(this.db, row, { deliveredAt: this.clock.now(), lastError: null });
        else if (sent === 'stale') await repo.finish(this.db, row, { gaveUpAt: now, lastError: 'the voucher or refund no longer exists' });
      } else {
        if (row.refundId) await this.messages.sendRefund(row.kind, row.refundId);
        else await this.messages.sendVoucher(row.kind, row.voucherId!);
        await repo.finish(this.db, row, { deliveredAt: this.clock.now(), lastError: null });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if ((err as { permanent?: boolean }).permanent) await repo.finish(this.db, row, { gaveUpAt: now, lastError: message });
      else await this.retry(row, now, message, null);
    }
  }

  private async retry(row: OutboxRow, now: Date, error: string, status: number | null) {
    const delay = RETRY_DELAYS_S[row.attempts - 1];
    if (delay === undefined) {
      await repo.finish(this.db, row, { gaveUpAt: now, lastError: error, lastStatus: status });
      if (row.endpointId) await repo.endpointFailing(this.db, row.endpointId);
      this.options.log?.(`outbox: gave up on ${row.kind} ${row.id} after ${row.attempts} attempts: ${error}`);
      return;
    }
    const jitter = 0.8 + 0.4 * (this.options.random ?? Math.random)();
    await repo.finish(this.db, row, { nextAttemptAt: new Date(now.getTime() + delay * 1000 * jitter), lastError: error, lastStatus: status });
  }

  /** POSTs the event with Standard Webhooks headers; returns the HTTP status (0 when unreachable: throws). */
  private async sendWebhook(row: OutboxRow, context: WebhookContext): Promise<number> {
    const event = context.events.get(row.eventId!);
    const endpoint = context.endpoints.get(row.endpointId!);
    if (!event || !endpoint) throw Object.assign(new Error(`event or endpoint of ${row.id} no longer exists`), { permanent: true });
    if (endpoint.status === 'disabled') throw Object.assign(new Error(`endpoint ${endpoint.id} is disabled`), { permanent: true });
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const payload: WebhookPayload = { type: event.type, timestamp: event.createdAt.toISOString(), data: event.data };
    const body = JSON.stringify(payload);
    const secrets = [await this.vault.open(endpoint.secret, 0)];
    if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > this.clock.now()) secrets.push(await this.vault.open(endpoint.previousSecret, 0));
    const signature = secrets.map((s) => signWebhook(new TextDecoder().decode(s), event.id, timestamp, body)).join(' ');
    // Checked at delivery, connected to the checked address, no redirects, bounded in time and size.
    const answer = await postToTarget(new URL(endpoint.url), {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Counterpay-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
      },
      body,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      policy: this.options.targets ?? 'public',
      lookup: this.options.lookup,
    });
    return answer.status;
  }
}
