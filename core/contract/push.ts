/**
 * Push to the shopper's phone (docs/push.md): the wallet subscribes with the Push API under the
 * server's VAPID key and ties the subscription to the vouchers on the phone, proven by their
 * signed tokens. A subscription holds the push service's endpoint and keys, the vouchers and a
 * language: no name, number or address.
 */
import * as z from 'zod/mini';
import { described, documented } from './docs.ts';

export const PushKey = documented(
  z.object({
    public_key: described(z.string(), 'The VAPID public key (uncompressed P-256 point, base64url): the `applicationServerKey` to subscribe with.'),
  }),
  { id: 'PushKey' },
);
export type PushKey = z.infer<typeof PushKey>;

/** The languages a notification is written in (the wallet's). */
export const PUSH_LOCALES = ['en', 'zh'] as const;

export const PushSubscribeBody = documented(
  z.strictObject({
    subscription: described(
      z.object({
        endpoint: described(
          z.string().check(z.minLength(1), z.maxLength(2048)),
          "The push service's URL for this phone (PushSubscription.endpoint).",
          'https://push.example.net/wpush/v2/gAAAAABn',
        ),
        keys: described(
          z.object({
            p256dh: described(
              z.string().check(z.regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'must be a base64url P-256 public key')),
              "The phone's encryption key.",
              'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
            ),
            auth: described(
              z.string().check(z.regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, 'must be a base64url 16-byte secret')),
              'The authentication secret.',
              'tBHItJI5svbpez7KI4CCXg',
            ),
          }),
          "The subscription's keys (PushSubscription.toJSON().keys).",
        ),
      }),
      'The PushSubscription as the browser gives it.',
    ),
    tokens: described(
      z.array(z.string().check(z.minLength(1), z.maxLength(400))).check(z.minLength(1), z.maxLength(50)),
      'The signed tokens of the vouchers on the phone: each proves the phone holds that voucher.',
    ),
    locale: z.optional(described(z.enum(PUSH_LOCALES), 'The language to write notifications in; `en` when not given.')),
  }),
  { id: 'PushSubscribe' },
);
export type PushSubscribeBody = z.infer<typeof PushSubscribeBody>;

export const PushSubscription = documented(
  z.object({
    object: described(z.literal('push_subscription'), 'Always `push_subscription`.'),
    voucher_ids: described(z.array(z.string()), 'The vouchers it is told about.'),
    unknown_voucher_ids: described(z.array(z.string()), 'Vouchers whose tokens verify but which the server no longer holds (test data deleted after 30 days): left out.'),
    locale: described(z.enum(PUSH_LOCALES), 'The language of its notifications.'),
  }),
  { id: 'PushSubscription' },
);
export type PushSubscription = z.infer<typeof PushSubscription>;

export const PushUnsubscribeBody = documented(z.strictObject({ endpoint: described(z.string().check(z.minLength(1), z.maxLength(2048)), 'The subscription’s endpoint.') }), {
  id: 'PushUnsubscribe',
});

/** What a notification says, as the service worker receives it (the payload, encrypted end to end). */
export const PushMessage = z.object({
  kind: z.enum(['paid', 'refund', 'expiring']),
  title: z.string(),
  body: z.string(),
  /** The path that opens the voucher in the wallet. */
  url: z.string(),
  voucher_id: z.string(),
  refund_id: z.optional(z.string()),
  /** The language title and body are in (the subscription's). */
  locale: z.enum(PUSH_LOCALES),
});
export type PushMessage = z.infer<typeof PushMessage>;
