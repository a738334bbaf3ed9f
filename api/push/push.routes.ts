/** Push to the shopper's phone: the VAPID key, and subscribing a phone to its vouchers (core/contract/push.ts, docs/push.md). */
import { PushKey, PushSubscribeBody, PushSubscription, PushUnsubscribeBody } from '../../core/contract/push.ts';
import { json, problem } from '../http/schemas.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { PushService } from './push.service.ts';

const tags = ['Shopper'];

export const pushKey = defineRoute(
  { guard: 'none' },
  {
    method: 'get',
    path: '/v1/push/key',
    tags,
    summary: "The server's VAPID public key, to subscribe to push notifications with",
    responses: { 200: { description: 'The key.', content: json(PushKey) } },
  },
);

export const subscribePush = defineRoute(
  { guard: 'none' },
  {
    method: 'post',
    path: '/v1/push/subscriptions',
    tags,
    summary: 'Tell this phone about its vouchers: paid, refund ready, expiring',
    description:
      "The wallet's PushSubscription and the signed tokens of the vouchers on the phone (each must verify). Sending it again with the same endpoint replaces the list. Nothing else about the shopper is kept.",
    request: { body: { required: true, content: json(PushSubscribeBody) } },
    responses: {
      201: { description: 'Subscribed.', content: json(PushSubscription) },
      400: problem('The subscription or a token is invalid, or the endpoint is refused.'),
      404: problem('No token names a voucher the server holds.'),
    },
  },
);

export const unsubscribePush = defineRoute(
  { guard: 'none' },
  {
    method: 'delete',
    path: '/v1/push/subscriptions',
    tags,
    summary: 'Stop notifications to this phone',
    request: { body: { required: true, content: json(PushUnsubscribeBody) } },
    responses: { 204: { description: 'Unsubscribed.' }, 400: problem('The body is invalid.'), 404: problem('No subscription has this endpoint.') },
  },
);

export function pushResource(deps: { push: PushService }, guards: Guards) {
  return new Resource(guards)
    .add(pushKey, async (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json({ public_key: (await deps.push.vapid()).publicKey }, 200);
    })
    .add(subscribePush, async (c) => c.json(await deps.push.subscribe(c.req.valid('json')), 201))
    .add(unsubscribePush, async (c) => {
      await deps.push.unsubscribe(c.req.valid('json').endpoint);
      return c.body(null, 204);
    });
}
