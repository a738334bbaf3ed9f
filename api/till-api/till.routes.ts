/**
 * What tills ask of the server: enrolment, the feed (paid/canceled vouchers, keys, lease), the
 * collection batch, and a typed reference resolved to its token (online only: no signature).
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { parseReference } from '../../core/reference/reference.ts';
import { effectiveStatus, VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import { COLLECTION_OUTCOMES, REJECT_REASONS } from '../../core/collections/outcome.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { problem } from '../http/schemas.ts';
import { clientAddress, ENROLMENT_ATTEMPTS, RateLimiter, REFERENCE_LOOKUPS } from '../http/rate-limit.ts';
import type { TillEnv } from '../http/device-auth.ts';
import { vouchers } from '../db/schema.ts';
import type { Services } from '../context.ts';
import { MAX_BATCH } from './collections.service.ts';
import { OperatorJwkSet } from '../signing-keys/signing-keys.routes.ts';

const tillAuth = [{ tillCredential: [] as string[] }];
const tags = ['Tills'];

const Lease = z
  .object({ currency: z.string(), max_voucher_amount: z.number().int(), max_unsynced_total: z.number().int(), max_unsynced_count: z.number().int(), max_offline_seconds: z.number().int() })
  .openapi('Lease');
const Store = z.object({ id: z.string(), name: z.string(), currency: z.string() }).openapi('Store');

export const enrolDevice = createRoute({
  method: 'post',
  path: '/v1/devices',
  tags,
  summary: 'Enrol a till with a one-time code from the operator',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              enrollment_code: z.string().min(1).max(40),
              public_key: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().max(64), y: z.string().max(64) }).passthrough(),
              name: z.string().max(100).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The till, its credential (shown once) and its offline lease.',
      content: {
        'application/json': {
          schema: z.object({ object: z.literal('device'), id: z.string(), name: z.string(), store: Store, credential: z.string(), lease: Lease, enrolled_at: z.string(), server_time: z.string(), server_time_proof: z.string() }),
        },
      },
    },
    400: problem('The code is not valid (unknown, used or expired: one answer for all three), or the key is not a P-256 public key.'),
    429: problem('Too many enrolment attempts from this address; wait for Retry-After.'),
  },
});

export const tillFeed = createRoute({
  method: 'get',
  path: '/v1/till/feed',
  tags,
  security: tillAuth,
  summary: 'Vouchers paid or canceled since a cursor, the keys and the lease',
  request: { query: z.object({ since: z.string().max(200).optional() }).strict() },
  responses: {
    200: {
      description: 'A page of changes; page on with `since=cursor` while has_more.',
      content: {
        'application/json': {
          schema: z.object({
            object: z.literal('till_feed'),
            changes: z.array(z.object({ voucher_id: z.string(), status: z.enum(['paid', 'canceled']), changed_at: z.string() })),
            cursor: z.string(),
            has_more: z.boolean(),
            keys: OperatorJwkSet,
            lease: Lease,
            store: Store,
            server_time: z.string(),
            server_time_proof: z.string().openapi({ description: "The operator's signature that this till saw server_time; records name it (docs/till-protocol.md)." }),
          }),
        },
      },
    },
    401: problem('No valid till credential.'),
    403: problem('The till was revoked.'),
  },
});

const Answer = z
  .object({
    index: z.number().int(),
    id: z.string().nullable(),
    outcome: z.enum(COLLECTION_OUTCOMES),
    reason: z.enum(REJECT_REASONS).optional(),
    voucher_id: z.string().nullable(),
    detail: z.string(),
    flags: z.array(z.string()),
  })
  .openapi('CollectionOutcome');

export const postCollections = createRoute({
  method: 'post',
  path: '/v1/collections',
  tags,
  security: tillAuth,
  summary: "Send a till's signed collections; each gets its final outcome",
  description: 'Each record is decided on its own; sending one again answers the same outcome and changes nothing.',
  request: {
    body: { required: true, content: { 'application/json': { schema: z.object({ collections: z.array(z.unknown()).min(1, 'at least one collection').max(MAX_BATCH, `at most ${MAX_BATCH} collections`) }).strict() } } },
  },
  responses: {
    200: { description: 'One outcome per collection, in order.', content: { 'application/json': { schema: z.object({ data: z.array(Answer) }) } } },
    400: problem('The batch is not a list of 1-500 collections.'),
    401: problem('No valid till credential.'),
  },
});

export const voucherByReference = createRoute({
  method: 'get',
  path: '/v1/till/vouchers/by-reference/{reference}',
  tags,
  security: tillAuth,
  summary: 'A typed reference → its voucher token (online only)',
  request: { params: z.object({ reference: z.string().openapi({ param: { name: 'reference', in: 'path' } }) }) },
  responses: {
    200: { description: 'The voucher token and status.', content: { 'application/json': { schema: z.object({ voucher_id: z.string(), token: z.string(), status: z.enum(VOUCHER_STATUSES) }) } } },
    400: problem('Not a twelve-digit reference with a valid check digit.'),
    403: problem('The till was revoked.'),
    404: problem('No voucher has this reference.'),
    429: problem('Too many look-ups from this till; wait for Retry-After.'),
  },
});

export function registerTillRoutes(app: OpenAPIHono<TillEnv>, services: Services) {
  const enrolments = new RateLimiter(services.clock, ENROLMENT_ATTEMPTS);
  const lookups = new RateLimiter(services.clock, REFERENCE_LOOKUPS);

  app.openapi(enrolDevice, async (c) => {
    enrolments.take(clientAddress(c));
    return c.json(await services.devices.enrol(c.req.valid('json') as never), 201);
  });

  app.openapi(tillFeed, async (c) => {
    const { device, store } = c.get('till');
    return c.json(await services.feed.feed(device, store, c.req.valid('query').since), 200);
  });

  app.openapi(postCollections, async (c) => {
    const { device, store } = c.get('till');
    return c.json({ data: await services.collections.ingest(device, store, c.req.valid('json').collections) }, 200);
  });

  app.openapi(voucherByReference, async (c) => {
    lookups.take(c.get('till').device.id);
    const typed = c.req.valid('param').reference;
    const parsed = parseReference(typed);
    if (!parsed.ok) {
      const why = { length: 'must be 12 digits', not_digits: 'must contain only digits', check_digit: 'has a wrong digit (the check digit does not match)' }[parsed.reason];
      throw new ValidationError(`reference ${why}`, [{ field: 'reference', message: why }]);
    }
    const row = (await services.database.db.select().from(vouchers).where(eq(vouchers.reference, parsed.reference)).limit(1))[0];
    if (!row) throw new NotFoundError('voucher with reference', parsed.reference);
    return c.json({ voucher_id: row.id, token: row.token, status: effectiveStatus(row.status, row.expiresAt, services.clock.now()) }, 200);
  });
}
