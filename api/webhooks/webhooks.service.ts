/** A merchant's webhook endpoints: registration, secret rotation, deliveries and redelivery. */
import { and, count, desc, eq, gt, isNotNull } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { events, merchants, outbox, webhookEndpoints } from '../db/schema.ts';
import { NotFoundError, RateLimitedError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import { EVENT_TYPES } from '../outbox/events.ts';
import type { KeyVault } from '../signing-keys/key-vault.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import { checkedAddress, WebhookTargetRefused, type Lookup, type WebhookTargetPolicy } from './webhook-target.ts';

/** How long a rotated secret keeps signing next to the new one. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const endpointJson = (e: EndpointRow) => ({ id: e.id, object: 'webhook_endpoint' as const, url: e.url, events: e.events, status: e.status, created_at: e.createdAt.toISOString() });

/** Redeliveries a merchant may ask for per endpoint in REDELIVERY_WINDOW_MS. */
export const REDELIVERIES_PER_WINDOW = 10;
export const REDELIVERY_WINDOW_MS = 60_000;

export interface WebhookRules {
  /** Production: endpoints must be HTTPS. */
  production: boolean;
  /** Which addresses may receive webhooks (api/webhooks/webhook-target.ts). */
  targets: WebhookTargetPolicy;
  /** Resolves host names (tests give one that knows only loopback names). */
  lookup?: Lookup;
}

export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly vault: KeyVault,
    private readonly clock: Clock,
    private readonly rules: WebhookRules,
  ) {}

  /**
   * Checks a URL at registration: absolute, http(s) (HTTPS in production), and a host whose every
   * address the target policy allows. The worker checks again at each delivery (DNS can change).
   */
  private async checkUrl(text: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ValidationError(`url is not an absolute URL: ${JSON.stringify(text.slice(0, 200))}`, [{ field: 'url', message: 'not an absolute URL' }]);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError(`url must be http or https, not ${url.protocol}`, [{ field: 'url', message: 'http or https only' }]);
    if (url.username || url.password) throw new ValidationError('url must not carry a user name or password; the webhook signature authenticates Counterpay', [{ field: 'url', message: 'no credentials in the URL' }]);
    if (this.rules.production && url.protocol !== 'https:') throw new ValidationError(`url must use HTTPS in production: ${url.origin}`, [{ field: 'url', message: 'must be https' }]);
    try {
      await checkedAddress(url, this.rules.targets, this.rules.lookup);
    } catch (err) {
      if (err instanceof WebhookTargetRefused) throw new ValidationError(`url is refused: ${err.message}`, [{ field: 'url', message: err.message }]);
      throw new ValidationError(`url is unreachable: the host ${url.hostname} does not resolve`, [{ field: 'url', message: 'host does not resolve' }]);
    }
    return url.toString();
  }

  private checkEvents(list: string[]): string[] {
    const unknown = list.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0) throw new ValidationError(`unknown event name ${unknown.map((e) => JSON.stringify(e)).join(', ')}; known: ${EVENT_TYPES.join(', ')}`, [{ field: 'events', message: `unknown: ${unknown.join(', ')}` }]);
    if (list.length === 0) throw new ValidationError('events must name at least one event', [{ field: 'events', message: 'at least one' }]);
    return [...new Set(list)];
  }

  async create(merchantId: string, input: { url: string; events: string[] }) {
    const [merchant] = await this.db.select({ id: merchants.id }).from(merchants).where(eq(merchants.id, merchantId)).limit(1);
    if (!merchant) throw new NotFoundError('merchant', merchantId);
    const url = await this.checkUrl(input.url);
    const eventList = this.checkEvents(input.events);
    const secret = newWebhookSecret();
    const [row] = await this.db
      .insert(webhookEndpoints)
      .values({ id: newId('we'), merchantId, url, events: eventList, secret: await this.vault.seal(new TextEncoder().encode(secret)), createdAt: this.clock.now() })
      .returning();
    return { ...endpointJson(row!), secret };
  }

  async list(merchantId: string) {
    const rows = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.merchantId, merchantId)).orderBy(desc(webhookEndpoints.createdAt));
    return { object: 'list' as const, data: rows.map(endpointJson) };
  }

  private async own(merchantId: string, id: string): Promise<EndpointRow> {
    const [row] = await this.db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.merchantId, merchantId))).limit(1);
    if (!row) throw new NotFoundError('webhook endpoint', id);
    return row;
  }

  async disable(merchantId: string, id: string) {
    await this.own(merchantId, id);
    const [row] = await this.db.update(webhookEndpoints).set({ status: 'disabled' }).where(eq(webhookEndpoints.id, id)).returning();
    return endpointJson(row!);
  }

  /** A new secret; the old one keeps signing alongside it for SECRET_OVERLAP_MS. */
  async rotateSecret(merchantId: string, id: string) {
    const current = await this.own(merchantId, id);
    const secret = newWebhookSecret();
    const until = new Date(this.clock.now().getTime() + SECRET_OVERLAP_MS);
    await this.db.update(webhookEndpoints).set({ secret: await this.vault.seal(new TextEncoder().encode(secret)), previousSecret: current.secret, previousSecretUntil: until }).where(eq(webhookEndpoints.id, id));
    return { id, secret, previous_secret_valid_until: until.toISOString() };
  }

  async deliveries(merchantId: string, id: string, limit = 50) {
    await this.own(merchantId, id);
    const rows = await this.db
      .select({ d: outbox, type: events.type })
      .from(outbox)
      .innerJoin(events, eq(events.id, outbox.eventId))
      .where(eq(outbox.endpointId, id))
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(limit);
    return {
      object: 'list' as const,
      data: rows.map(({ d, type }) => ({
        id: d.id,
        object: 'webhook_delivery' as const,
        event_id: d.eventId,
        event_type: type,
        status: d.deliveredAt ? 'delivered' : d.gaveUpAt ? 'failed' : 'pending',
        attempts: d.attempts,
        last_status: d.lastStatus,
        last_error: d.lastError,
        next_attempt_at: d.deliveredAt || d.gaveUpAt ? null : d.nextAttemptAt.toISOString(),
        delivered_at: d.deliveredAt?.toISOString() ?? null,
        created_at: d.createdAt.toISOString(),
      })),
    };
  }

  /** Sends an event to the endpoint again, as a new delivery with the same webhook-id. */
  async redeliver(merchantId: string, deliveryId: string) {
    const [row] = await this.db.select().from(outbox).where(and(eq(outbox.id, deliveryId), eq(outbox.merchantId, merchantId), eq(outbox.kind, 'webhook'))).limit(1);
    if (!row) throw new NotFoundError('webhook delivery', deliveryId);
    const now = this.clock.now();
    // Each redelivery is a POST to the merchant's receiver on request: bounded per endpoint, so the
    // button (or a script) cannot turn Counterpay into a load generator.
    const since = new Date(now.getTime() - REDELIVERY_WINDOW_MS);
    const [recent] = await this.db.select({ n: count() }).from(outbox).where(and(eq(outbox.endpointId, row.endpointId!), isNotNull(outbox.redeliveryOf), gt(outbox.createdAt, since)));
    if ((recent?.n ?? 0) >= REDELIVERIES_PER_WINDOW) throw new RateLimitedError(`redeliveries to this endpoint (at most ${REDELIVERIES_PER_WINDOW} a minute)`, REDELIVERY_WINDOW_MS / 1000);
    const id = newId('obx');
    await this.db.insert(outbox).values({ id, kind: 'webhook', eventId: row.eventId, endpointId: row.endpointId, merchantId, createdAt: now, nextAttemptAt: now, redeliveryOf: row.id });
    return { id, object: 'webhook_delivery' as const, event_id: row.eventId, status: 'pending' as const };
  }
}
