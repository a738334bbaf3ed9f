/** `GET /v1/events` and `GET /v1/events/{id}`, for merchants (core/contract/webhooks.ts Event). */
import { z } from '@hono/zod-openapi';
import { EVENT_RETENTION_DAYS, Event, EventList, ListEventsQuery } from '../../core/contract/webhooks.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { MerchantEnv } from '../http/merchant-auth.ts';
import type { Services } from '../context.ts';

const merchant = { guard: 'merchant' } as const;
const common = { 400: problem('The request is invalid.'), 401: problem('No valid API key.') };

export const listEvents = defineRoute(merchant, {
  tags: ['Events'],
  method: 'get',
  path: '/v1/events',
  summary: 'Your events, newest first',
  description: `The events of the last ${EVENT_RETENTION_DAYS} days, the same objects your webhooks received: after an outage of your receiver, read them back and reconcile. Filter with \`type\`; page with \`starting_after\`.`,
  request: { query: openApiObject(ListEventsQuery) },
  responses: { 200: { description: 'A page of events.', content: json(EventList) }, ...common },
});

export const getEvent = defineRoute(merchant, {
  tags: ['Events'],
  method: 'get',
  path: '/v1/events/{id}',
  summary: 'One event (its id is the webhook-id of its deliveries)',
  request: {
    params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The event's id: a delivery's webhook-id.", example: 'evt_8xq2m4r6t0w3y5z7' }) }),
  },
  responses: { 200: { description: 'The event.', content: json(Event) }, ...common, 404: problem(`No such event of yours in the last ${EVENT_RETENTION_DAYS} days.`) },
});

export function eventsResource(s: Services, guards: Guards) {
  return new Resource<MerchantEnv>(guards)
    .add(listEvents, async (c) => c.json(await s.events.list(c.get('merchant').id, c.req.valid('query')), 200))
    .add(getEvent, async (c) => c.json(await s.events.get(c.get('merchant').id, c.req.valid('param').id), 200));
}
