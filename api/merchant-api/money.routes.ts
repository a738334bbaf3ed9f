/** Webhook endpoints and settlement statements, for merchants. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { merchantAuth, problem } from '../http/schemas.ts';
import type { MerchantEnv } from '../http/merchant-auth.ts';
import type { Services } from '../context.ts';
import { EVENT_TYPES } from '../outbox/events.ts';

const auth = { security: merchantAuth };
const common = { 400: problem('The request is invalid.'), 401: problem('No valid API key.') };
const IdParam = (name: string) => z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: name }) });

const Endpoint = z
  .object({ id: z.string(), object: z.literal('webhook_endpoint'), url: z.string(), events: z.array(z.string()), status: z.enum(['enabled', 'failing', 'disabled']), created_at: z.string() })
  .openapi('WebhookEndpoint');

export const createEndpoint = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_endpoints',
  summary: 'Register a webhook endpoint',
  description: `Deliveries follow Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 of "id.timestamp.body" with the whsec_ secret). Events: ${EVENT_TYPES.join(', ')}.`,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ url: z.string().max(2000), events: z.array(z.string().max(100)).min(1, 'at least one event').max(20) }).strict() } },
    },
  },
  responses: { 201: { description: 'The endpoint and its secret (shown only now).', content: { 'application/json': { schema: Endpoint.extend({ secret: z.string() }) } } }, ...common },
});

export const listEndpoints = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'get',
  path: '/v1/webhook_endpoints',
  summary: 'List webhook endpoints',
  responses: { 200: { description: 'Your endpoints.', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Endpoint) }) } } }, ...common },
});

export const disableEndpoint = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'delete',
  path: '/v1/webhook_endpoints/{id}',
  summary: 'Disable a webhook endpoint (its history stays)',
  request: { params: IdParam('endpoint id') },
  responses: { 200: { description: 'The disabled endpoint.', content: { 'application/json': { schema: Endpoint } } }, ...common, 404: problem('No such endpoint of yours.') },
});

export const rotateSecret = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_endpoints/{id}/rotate_secret',
  summary: 'Rotate the signing secret; both sign for 24 hours',
  request: { params: IdParam('endpoint id') },
  responses: { 200: { description: 'The new secret.', content: { 'application/json': { schema: z.object({ id: z.string(), secret: z.string(), previous_secret_valid_until: z.string() }) } } }, ...common, 404: problem('No such endpoint of yours.') },
});

const Delivery = z
  .object({
    id: z.string(), object: z.literal('webhook_delivery'), event_id: z.string().nullable(), event_type: z.string(), status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(), last_status: z.number().int().nullable(), last_error: z.string().nullable(), next_attempt_at: z.string().nullable(), delivered_at: z.string().nullable(), created_at: z.string(),
  })
  .openapi('WebhookDelivery');

export const listDeliveries = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'get',
  path: '/v1/webhook_endpoints/{id}/deliveries',
  summary: "An endpoint's deliveries, newest first",
  request: { params: IdParam('endpoint id') },
  responses: { 200: { description: 'Deliveries.', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Delivery) }) } } }, ...common, 404: problem('No such endpoint of yours.') },
});

export const redeliver = createRoute({
  ...auth,
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_deliveries/{id}/redeliver',
  summary: 'Send a delivered or failed event again (same webhook-id)',
  request: { params: IdParam('delivery id') },
  responses: { 202: { description: 'A new delivery is queued.', content: { 'application/json': { schema: z.object({ id: z.string(), object: z.literal('webhook_delivery'), event_id: z.string().nullable(), status: z.literal('pending') }) } } }, ...common, 404: problem('No such delivery of yours.') },
});

const Statement = z
  .object({ id: z.string(), object: z.literal('statement'), business_date: z.string(), party: z.object({ kind: z.enum(['store', 'merchant']), id: z.string() }), currency: z.string(), transactions: z.number().int(), amount: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).openapi({ description: 'Minor units; a JSON number up to 2^53 − 1, beyond that a decimal string so it stays exact.' }), meaning: z.string(), created_at: z.string() })
  .openapi('Settlement');

export const listSettlements = createRoute({
  ...auth,
  tags: ['Settlements'],
  method: 'get',
  path: '/v1/settlements',
  summary: 'Your settlement statements, newest day first',
  responses: { 200: { description: 'Statements.', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Statement) }) } } }, ...common },
});

export const getSettlement = createRoute({
  ...auth,
  tags: ['Settlements'],
  method: 'get',
  path: '/v1/settlements/{id}',
  summary: 'A statement with every line traced to its collection (add ?format=csv for CSV)',
  request: { params: IdParam('statement id'), query: z.object({ format: z.enum(['json', 'csv']).optional() }).strict() },
  responses: {
    200: { description: 'The statement.', content: { 'application/json': { schema: Statement.extend({ lines: z.array(z.record(z.string(), z.unknown())) }) }, 'text/csv': { schema: z.string() } } },
    ...common,
    404: problem('No such statement of yours.'),
  },
});

export function registerMoneyRoutes(app: OpenAPIHono<MerchantEnv>, s: Services) {
  const me = (c: { get(k: 'merchant'): { id: string } }) => c.get('merchant').id;
  app.openapi(createEndpoint, async (c) => c.json(await s.webhooks.create(me(c), c.req.valid('json')), 201));
  app.openapi(listEndpoints, async (c) => c.json(await s.webhooks.list(me(c)), 200));
  app.openapi(disableEndpoint, async (c) => c.json(await s.webhooks.disable(me(c), c.req.valid('param').id), 200));
  app.openapi(rotateSecret, async (c) => c.json(await s.webhooks.rotateSecret(me(c), c.req.valid('param').id), 200));
  app.openapi(listDeliveries, async (c) => c.json(await s.webhooks.deliveries(me(c), c.req.valid('param').id) as never, 200));
  app.openapi(redeliver, async (c) => c.json(await s.webhooks.redeliver(me(c), c.req.valid('param').id), 202));
  app.openapi(listSettlements, async (c) => c.json(await s.ledger.statementsFor({ kind: 'merchant', id: me(c) }), 200));
  app.openapi(getSettlement, async (c) => {
    const owner = { kind: 'merchant' as const, id: me(c) };
    const id = c.req.valid('param').id;
    if (c.req.valid('query').format === 'csv') {
      return c.body(await s.ledger.statementCsv(id, owner), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${id}.csv"` }) as never;
    }
    return c.json(await s.ledger.statement(id, owner) as never, 200);
  });
}
