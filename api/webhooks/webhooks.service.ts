/** A merchant's webhook endpoints: registration, secret rotation, deliveries and redelivery. */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError, RateLimitedError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  EVENT_TYPES,
  type CreateEndpointBody,
  type CreatedEndpoint,
  type DeliveryList,
  type EndpointList,
  type Redelivery,
  type RotatedSecret,
  type WebhookEndpoint,
} from '../../core/contract/webhooks.ts';
import type { KeyVault } from '../signing-keys/key-vault.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import { checkedAddress, WebhookTargetRefused, type Lookup, type WebhookTargetPolicy } from './webhook-target.ts';
import { webhooksRepository as repo, type EndpointRow } from './webhooks.repository.ts';

/** How long a rotated secret keeps signing next to the new one. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

const endpointJson = (e: EndpointRow): WebhookEndpoint => ({
  id: e.id,
  object: 'webhook_endpoint',
  url: e.url,
  events: e.events,
  status: e.status,
  created_at: e.createdAt.toISOString(),
});

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

/**
 * An outgoing URL a client gave (a webhook endpoint, a push subscription's endpoint): absolute,
 * http(s), no credentials, HTTPS in production, and resolving only to addresses the policy allows
 * (api/webhooks/webhook-target.ts). Returns it normalised; throws a ValidationError on `field`.
 */
export async function checkTargetUrl(text: string, rules: WebhookRules, field: string, credentialsNote: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(`${field} is not an absolute URL: ${JSON.stringify(text.slice(0, 200))}`, [{ field, message: 'not an absolute URL' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ValidationError(`${field} must be http or https, not ${url.protocol}`, [{ field, message: 'http or https only' }]);
  if (url.username || url.password)
    throw new ValidationError(`${field} must not carry a user name or password; ${credentialsNote}`, [{ field, message: 'no credentials in the URL' }]);
  if (rules.production && url.protocol !== 'https:') throw new ValidationError(`${field} must use HTTPS in production: ${url.origin}`, [{ field, message: 'must be https' }]);
  try {
    await checkedAddress(url, rules.targets, rules.lookup);
  } catch (err) {
    if (err instanceof WebhookTargetRefused) throw new ValidationError(`${field} is refused: ${err.message}`, [{ field, message: err.message }]);
    throw new ValidationError(`${field} is unreachable: the host ${url.hostname} does not resolve`, [{ field, message: 'host does not resolve' }]);
  }
  return url.toString();
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
  private checkUrl(text: string): Promise<string> {
    return checkTargetUrl(text, this.rules, 'url', 'the webhook signature authenticates Counterpay');
  }

  private checkEvents(list: string[]): string[] {
    const unknown = list.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0)
      throw new ValidationError(`unknown event name ${unknown.map((e) => JSON.stringify(e)).join(', ')}; known: ${EVENT_TYPES.join(', ')}`, [
        { field: 'events', message: `unknown: ${unknown.join(', ')}` },
      ]);
    if (list.length === 0) throw new ValidationError('events must name at least one event', [{ field: 'events', message: 'at least one' }]);
    return [...new Set(list)];
  }

  async create(merchantId: string, input: CreateEndpointBody): Promise<CreatedEndpoint> {
    if (!(await repo.merchantExists(this.db, merchantId))) throw new NotFoundError('merchant', merchantId);
    const url = await this.checkUrl(input.url);
    const eventList = this.checkEvents(input.events);
    const secret = newWebhookSecret();
    const row = await repo.insertEndpoint(this.db, {
      id: newId('we'),
      merchantId,
      url,
      events: eventList,
      secret: await this.vault.seal(new TextEncoder().encode(secret)),
      createdAt: this.clock.now(),
    });
    return { ...endpointJson(row), secret };
  }

  async list(merchantId: string): Promise<EndpointList> {
    const rows = await repo.endpoints(this.db, merchantId);
    return { object: 'list', data: rows.map(endpointJson) };
  }

  private async own(merchantId: string, id: string): Promise<EndpointRow> {
    const row = await repo.endpoint(this.db, merchantId, id);
    if (!row) throw new NotFoundError('webhook endpoint', id);
    return row;
  }

  async disable(merchantId: string, id: string): Promise<WebhookEndpoint> {
    await this.own(merchantId, id);
    const row = await repo.disable(this.db, id);
    return endpointJson(row!);
  }

  /** A new secret; the old one keeps signing alongside it for SECRET_OVERLAP_MS. */
  async rotateSecret(merchantId: string, id: string): Promise<RotatedSecret> {
    const current = await this.own(merchantId, id);
    const secret = newWebhookSecret();
    const until = new Date(this.clock.now().getTime() + SECRET_OVERLAP_MS);
    await repo.setSecrets(this.db, id, { secret: await this.vault.seal(new TextEncoder().encode(secret)), previousSecret: current.secret, previousSecretUntil: until });
    return { id, secret, previous_secret_valid_until: until.toISOString() };
  }

  async deliveries(merchantId: string, id: string, limit = 50): Promise<DeliveryList> {
    await this.own(merchantId, id);
    const rows = await repo.deliveries(this.db, id, limit);
    return {
      object: 'list',
      data: rows.map(({ d, type }) => ({
        id: d.id,
        object: 'webhook_delivery',
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
  async redeliver(merchantId: string, deliveryId: string): Promise<Redelivery> {
    const row = await repo.delivery(this.db, merchantId, deliveryId);
    if (!row) throw new NotFoundError('webhook delivery', deliveryId);
    const now = this.clock.now();
    // Each redelivery is a POST to the merchant's receiver on request: bounded per endpoint, so the
    // button (or a script) cannot turn Counterpay into a load generator.
    const since = new Date(now.getTime() - REDELIVERY_WINDOW_MS);
    if ((await repo.redeliveriesSince(this.db, row.endpointId!, since)) >= REDELIVERIES_PER_WINDOW)
      throw new RateLimitedError(`redeliveries to this endpoint (at most ${REDELIVERIES_PER_WINDOW} a minute)`, REDELIVERY_WINDOW_MS / 1000);
    const id = newId('obx');
    await repo.insertDelivery(this.db, {
      id,
      kind: 'webhook',
      eventId: row.eventId,
      endpointId: row.endpointId,
      merchantId,
      createdAt: now,
      nextAttemptAt: now,
      redeliveryOf: row.id,
    });
    return { id, object: 'webhook_delivery', event_id: row.eventId, status: 'pending' };
  }
}
