/**
 * Webhook endpoints and their deliveries (`/v1/webhook_endpoints`, `/v1/webhook_deliveries`).
 * Deliveries follow Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature.
 */
import * as z from 'zod/mini';
import { Timestamp } from './common.ts';
import { documented } from './docs.ts';

/** The events a merchant can subscribe to. */
export const EVENT_TYPES = [
  'voucher.paid',
  'voucher.expired',
  'voucher.canceled',
  'collection.exception',
  'collection.reviewed',
  'refund.created',
  'refund.paid',
  'refund.canceled',
  'refund.expired',
  'settlement.created',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The body of a webhook delivery, signed as Standard Webhooks say (`webhook-id` is the event id).
 * `data.object` is the resource the event is about, in its own contract shape (a voucher, a
 * collection exception, a statement).
 */
export const WebhookPayload = z.object({ type: z.enum(EVENT_TYPES), timestamp: Timestamp, data: z.record(z.string(), z.unknown()) });
export type WebhookPayload = z.infer<typeof WebhookPayload>;

export const ENDPOINT_STATUSES = ['enabled', 'failing', 'disabled'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const CreateEndpointBody = z.strictObject({
  url: z.string().check(z.maxLength(2000)),
  events: z.array(z.string().check(z.maxLength(100))).check(z.minLength(1, 'at least one event'), z.maxLength(20)),
});
export type CreateEndpointBody = z.infer<typeof CreateEndpointBody>;

const endpointFields = {
  id: z.string(),
  object: z.literal('webhook_endpoint'),
  url: z.string(),
  events: z.array(z.string()),
  status: z.enum(ENDPOINT_STATUSES),
  created_at: Timestamp,
};
export const WebhookEndpoint = documented(z.object(endpointFields), { id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** The endpoint as created: with its secret, shown only in this answer. */
export const CreatedEndpoint = z.object({ ...endpointFields, secret: z.string() });
export type CreatedEndpoint = z.infer<typeof CreatedEndpoint>;

export const EndpointList = z.object({ object: z.literal('list'), data: z.array(WebhookEndpoint) });
export type EndpointList = z.infer<typeof EndpointList>;

export const RotatedSecret = z.object({ id: z.string(), secret: z.string(), previous_secret_valid_until: Timestamp });
export type RotatedSecret = z.infer<typeof RotatedSecret>;

export const WebhookDelivery = documented(
  z.object({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    event_id: z.nullable(z.string()),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.int(),
    last_status: z.nullable(z.int()),
    last_error: z.nullable(z.string()),
    next_attempt_at: z.nullable(Timestamp),
    delivered_at: z.nullable(Timestamp),
    created_at: Timestamp,
  }),
  { id: 'WebhookDelivery' },
);
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const DeliveryList = z.object({ object: z.literal('list'), data: z.array(WebhookDelivery) });
export type DeliveryList = z.infer<typeof DeliveryList>;

export const Redelivery = z.object({ id: z.string(), object: z.literal('webhook_delivery'), event_id: z.nullable(z.string()), status: z.literal('pending') });
export type Redelivery = z.infer<typeof Redelivery>;
