/**
 * What tills ask of the server (docs/till-protocol.md): enrolment, the feed (paid/canceled
 * vouchers, keys, lease), the collection batch, and a typed reference resolved to its token
 * (online only: no signature). The shapes are the contract's (core/contract/till.ts).
 */
import { z } from '@hono/zod-openapi';
import { parseReference } from '../../core/reference/reference.ts';
import { ByReference, CollectionsAnswer, CollectionsBatch, COLLECTIONS_BODY_LIMIT_BYTES, EnrolledDevice, EnrolRequest, FeedPage, FeedQuery } from '../../core/contract/till.ts';
import { ValidationError } from '../errors.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { clientAddress, ENROLMENT_ATTEMPTS, RateLimiter, REFERENCE_LOOKUPS } from '../http/rate-limit.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { TillEnv } from '../http/device-auth.ts';
import type { Services } from '../context.ts';

const tags = ['Tills'];

export const enrolDevice = defineRoute(
  { guard: 'none' },
  {
    method: 'post',
    path: '/v1/devices',
    tags,
    summary: 'Enrol a till with a one-time code from the operator',
    request: { body: { required: true, content: json(EnrolRequest) } },
    responses: {
      201: { description: 'The till, its credential (shown once) and its offline lease.', content: json(EnrolledDevice) },
      400: problem('The code is not valid (unknown, used or expired: one answer for all three), or the key is not a P-256 public key.'),
      429: problem('Too many enrolment attempts from this address; wait for Retry-After.'),
    },
  },
);

export const tillFeed = defineRoute(
  { guard: 'tillCredential' },
  {
    method: 'get',
    path: '/v1/till/feed',
    tags,
    summary: 'Vouchers paid or canceled since a cursor, the keys and the lease',
    request: { query: openApiObject(FeedQuery) },
    responses: {
      200: { description: 'A page of changes; page on with `since=cursor` while has_more.', content: json(FeedPage) },
      401: problem('No valid till credential.'),
      403: problem('The till was revoked.'),
    },
  },
);

export const postCollections = defineRoute(
  // A revoked till's records are still taken (as rejected): the cash it holds must be accounted for.
  { guard: 'tillCredentialRevokedToo', bodyLimit: COLLECTIONS_BODY_LIMIT_BYTES },
  {
    method: 'post',
    path: '/v1/collections',
    tags,
    summary: "Send a till's signed collections; each gets its final outcome",
    description: 'Each record is decided on its own; sending one again answers the same outcome and changes nothing.',
    request: { body: { required: true, content: json(CollectionsBatch) } },
    responses: {
      200: { description: 'One outcome per collection, in order.', content: json(CollectionsAnswer) },
      400: problem('The batch is not a list of 1-500 collections.'),
      401: problem('No valid till credential.'),
    },
  },
);

export const voucherByReference = defineRoute(
  { guard: 'tillCredential' },
  {
    method: 'get',
    path: '/v1/till/vouchers/by-reference/{reference}',
    tags,
    summary: 'A typed reference → its voucher token (online only)',
    request: {
      params: z.object({
        reference: z
          .string()
          .openapi({ param: { name: 'reference', in: 'path' }, description: "A voucher's or refund's twelve-digit reference, as the cashier typed it.", example: '123456789018' }),
      }),
    },
    responses: {
      200: { description: 'The voucher token and status.', content: json(ByReference) },
      400: problem('Not a twelve-digit reference with a valid check digit.'),
      403: problem('The till was revoked.'),
      404: problem('No voucher has this reference.'),
      429: problem('Too many look-ups from this till; wait for Retry-After.'),
    },
  },
);

export function tillResource(services: Services, guards: Guards) {
  const enrolments = new RateLimiter(services.clock, ENROLMENT_ATTEMPTS);
  const lookups = new RateLimiter(services.clock, REFERENCE_LOOKUPS);
  return new Resource<TillEnv>(guards)
    .add(enrolDevice, async (c) => {
      enrolments.take(clientAddress(c));
      return c.json(await services.devices.enrol(c.req.valid('json')), 201);
    })
    .add(tillFeed, async (c) => {
      const { device, store } = c.get('till');
      return c.json(await services.feed.feed(device, store, c.req.valid('query').since), 200);
    })
    .add(postCollections, async (c) => {
      const { device, store } = c.get('till');
      return c.json({ data: await services.collections.ingest(device, store, c.req.valid('json').collections) }, 200);
    })
    .add(voucherByReference, async (c) => {
      lookups.take(c.get('till').device.id);
      const parsed = parseReference(c.req.valid('param').reference);
      if (!parsed.ok) {
        const why = { length: 'must be 12 digits', not_digits: 'must contain only digits', check_digit: 'has a wrong digit (the check digit does not match)' }[parsed.reason];
        throw new ValidationError(`reference ${why}`, [{ field: 'reference', message: why }]);
      }
      return c.json(await services.vouchers.byReference(parsed.reference), 200);
    });
}
