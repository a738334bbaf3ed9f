/**
 * Webhook endpoints and their deliveries (`/v1/webhook_endpoints`, `/v1/webhook_deliveries`).
 * Deliveries follow Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature.
 */
import * as z from 'zod/mini';
import { listOf, Timestamp } from './common.ts';
import { described, documented } from './docs.ts';

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
  url: described(
    z.string().check(z.maxLength(2000)),
    'Where to POST the events: an absolute http or https URL (https in production) without user name or password, on a host that resolves to an address webhooks may go to.',
    'https://shop.example/webhooks/counterpay',
  ),
  events: described(
    z.array(z.string().check(z.maxLength(100))).check(z.minLength(1, 'at least one event'), z.maxLength(20)),
    `The event types to deliver: ${EVENT_TYPES.join(', ')}.`,
    ['voucher.paid'],
  ),
});
export type CreateEndpointBody = z.infer<typeof CreateEndpointBody>;

const endpointFields = {
  id: described(z.string(), "The endpoint's id."),
  object: described(z.literal('webhook_endpoint'), 'Always `webhook_endpoint`.'),
  url: described(z.string(), 'Where the events are posted.'),
  events: described(z.array(z.string()), 'The event types delivered to it.'),
  status: described(z.enum(ENDPOINT_STATUSES), '`enabled`; `failing` while deliveries to it keep failing; `disabled` once it was deleted.'),
  created_at: described(Timestamp, 'When the endpoint was created.'),
};
export const WebhookEndpoint = documented(z.object(endpointFields), { id: 'WebhookEndpoint', description: 'Where Counterpay posts the events a merchant subscribed to.' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** The endpoint as created: with its secret, shown only in this answer. */
export const CreatedEndpoint = z.object({
  ...endpointFields,
  secret: described(z.string(), 'The signing secret (`whsec_…`) for the webhook-signature header; shown only in this answer.'),
});
export type CreatedEndpoint = z.infer<typeof CreatedEndpoint>;

export const EndpointList = z.object({ object: described(z.literal('list'), 'Always `list`.'), data: described(z.array(WebhookEndpoint), 'Your webhook endpoints.') });
export type EndpointList = z.infer<typeof EndpointList>;

export const RotatedSecret = z.object({
  id: described(z.string(), "The endpoint's id."),
  secret: described(z.string(), 'The new signing secret; shown only in this answer.'),
  previous_secret_valid_until: described(Timestamp, 'Until when deliveries are also signed with the previous secret, so a receiver can switch over.'),
});
export type RotatedSecret = z.infer<typeof RotatedSecret>;

export const WebhookDelivery = documented(
  z.object({
    id: described(z.string(), "The delivery's id."),
    object: described(z.literal('webhook_delivery'), 'Always `webhook_delivery`.'),
    event_id: z.nullable(described(z.string(), 'The event delivered (its webhook-id header); null when the delivery carries no event.')),
    event_type: described(z.string(), 'The event type, such as `voucher.paid`.'),
    status: described(z.enum(DELIVERY_STATUSES), '`pending` until the endpoint answered 2xx (`delivered`) or every attempt failed (`failed`).'),
    attempts: described(z.int(), 'How many times it was posted so far.'),
    last_status: z.nullable(described(z.int(), "The HTTP status of the last attempt's answer; null when none came.")),
    last_error: z.nullable(described(z.string(), 'What went wrong on the last attempt; null when nothing did.')),
    next_attempt_at: z.nullable(described(Timestamp, 'When it will be posted again; null when no attempt is due.')),
    delivered_at: z.nullable(described(Timestamp, 'When the endpoint accepted it; null until then.')),
    created_at: described(Timestamp, 'When the delivery was queued.'),
  }),
  { id: 'WebhookDelivery', description: "One event's delivery to one endpoint, with its attempts." },
);
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const DeliveryList = z.object({
  object: described(z.literal('list'), 'Always `list`.'),
  data: described(z.array(WebhookDelivery), "The endpoint's deliveries, newest first."),
});
export type DeliveryList = z.infer<typeof DeliveryList>;

export const Redelivery = z.object({
  id: described(z.string(), 'The new delivery.'),
  object: described(z.literal('webhook_delivery'), 'Always `webhook_delivery`.'),
  event_id: z.nullable(described(z.string(), 'The event delivered again (its webhook-id header stays the same).')),
  status: described(z.literal('pending'), 'Always `pending`: the outbox posts it.'),
});
export type Redelivery = z.infer<typeof Redelivery>;

/** How long events stay listed and readable (`GET /v1/events`): reconciliation after an outage, not an archive. */
export const EVENT_RETENTION_DAYS = 30;

/**
 * An event as `GET /v1/events` shows it: the body its webhook deliveries carry (type, timestamp,
 * data), with its id, which is the `webhook-id` header of every delivery of it.
 */
export const Event = documented(
  z.object({
    id: described(z.string(), 'The event id: the `webhook-id` header of each delivery of this event.', 'evt_8xq2m4r6t0w3y5z7'),
    object: described(z.literal('event'), 'Always `event`.'),
    type: described(z.enum(EVENT_TYPES), 'What happened.'),
    timestamp: described(Timestamp, 'When it happened (the `timestamp` of the webhook body).'),
    data: described(z.record(z.string(), z.unknown()), '`data.object` is the resource the event is about, in its own shape, as it was when the event happened.'),
  }),
  { id: 'Event', description: 'Something that happened to one of your objects, exactly as your webhooks received it.' },
);
export type Event = z.infer<typeof Event>;

export const EventList = documented(listOf(Event), { id: 'EventList', description: 'A page of events, newest first.' });
export type EventList = z.infer<typeof EventList>;

export const ListEventsQuery = z.strictObject({
  type: z.optional(described(z.enum(EVENT_TYPES), 'Only events of this type.')),
  limit: z._default(
    described(
      z.coerce.number().check(z.int('must be a whole number'), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      'How many events one page holds.',
    ),
    20,
  ),
  starting_after: z.optional(described(z.string().check(z.maxLength(40, 'must be at most 40 characters')), 'An event id from the previous page: the list continues after it.')),
});
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;
