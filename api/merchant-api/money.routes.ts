/** Webhook endpoints and settlement statements, for merchants (core/contract/webhooks.ts, settlements.ts). */
import { z } from '@hono/zod-openapi';
import { CreateEndpointBody, CreatedEndpoint, DeliveryList, EndpointList, EVENT_TYPES, Redelivery, RotatedSecret, WebhookEndpoint } from '../../core/contract/webhooks.ts';
import { SettlementList, SettlementQuery, SettlementWithLines } from '../../core/contract/settlements.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { MerchantEnv } from '../http/merchant-auth.ts';
import type { Services } from '../context.ts';

const merchant = { guard: 'merchant' } as const;
/** What an integration needs: a console user with the developer role may do it (docs/console.md). */
const integration = { guard: 'merchant', role: 'developer' } as const;
const common = { 400: problem('The request is invalid.'), 401: problem('No valid API key.') };
const IdParam = (name: string, example: string) => z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: name, example }) });

export const createEndpoint = defineRoute(integration, {
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_endpoints',
  summary: 'Register a webhook endpoint',
  description: `Deliveries follow Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 of "id.timestamp.body" with the whsec_ secret). Events: ${EVENT_TYPES.join(', ')}.`,
  request: { body: { required: true, content: json(CreateEndpointBody) } },
  responses: { 201: { description: 'The endpoint and its secret (shown only now).', content: json(CreatedEndpoint) }, ...common },
});

export const listEndpoints = defineRoute(merchant, {
  tags: ['Webhooks'],
  method: 'get',
  path: '/v1/webhook_endpoints',
  summary: 'List webhook endpoints',
  responses: { 200: { description: 'Your endpoints.', content: json(EndpointList) }, ...common },
});

export const disableEndpoint = defineRoute(integration, {
  tags: ['Webhooks'],
  method: 'delete',
  path: '/v1/webhook_endpoints/{id}',
  summary: 'Disable a webhook endpoint (its history stays)',
  request: { params: IdParam("The webhook endpoint's id.", 'we_8xq2m4r6t0w3y5z7') },
  responses: { 200: { description: 'The disabled endpoint.', content: json(WebhookEndpoint) }, ...common, 404: problem('No such endpoint of yours.') },
});

export const rotateSecret = defineRoute(integration, {
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_endpoints/{id}/rotate_secret',
  summary: 'Rotate the signing secret; both sign for 24 hours',
  request: { params: IdParam("The webhook endpoint's id.", 'we_8xq2m4r6t0w3y5z7') },
  responses: { 200: { description: 'The new secret.', content: json(RotatedSecret) }, ...common, 404: problem('No such endpoint of yours.') },
});

export const listDeliveries = defineRoute(merchant, {
  tags: ['Webhooks'],
  method: 'get',
  path: '/v1/webhook_endpoints/{id}/deliveries',
  summary: "An endpoint's deliveries, newest first",
  request: { params: IdParam("The webhook endpoint's id.", 'we_8xq2m4r6t0w3y5z7') },
  responses: { 200: { description: 'Deliveries.', content: json(DeliveryList) }, ...common, 404: problem('No such endpoint of yours.') },
});

export const redeliver = defineRoute(integration, {
  tags: ['Webhooks'],
  method: 'post',
  path: '/v1/webhook_deliveries/{id}/redeliver',
  summary: 'Send a delivered or failed event again (same webhook-id)',
  request: { params: IdParam("The delivery's id.", 'obx_8xq2m4r6t0w3y5z7') },
  responses: { 202: { description: 'A new delivery is queued.', content: json(Redelivery) }, ...common, 404: problem('No such delivery of yours.') },
});

export const listSettlements = defineRoute(merchant, {
  tags: ['Settlements'],
  method: 'get',
  path: '/v1/settlements',
  summary: 'Your settlement statements, newest day first',
  responses: { 200: { description: 'Statements.', content: json(SettlementList) }, ...common },
});

export const getSettlement = defineRoute(merchant, {
  tags: ['Settlements'],
  method: 'get',
  path: '/v1/settlements/{id}',
  summary: 'A statement with every line traced to its collection (add ?format=csv for CSV)',
  request: { params: IdParam("The statement's id.", 'stm_8xq2m4r6t0w3y5z7'), query: openApiObject(SettlementQuery) },
  responses: {
    200: { description: 'The statement.', content: { ...json(SettlementWithLines), 'text/csv': { schema: z.string() } } },
    ...common,
    404: problem('No such statement of yours.'),
  },
});

export function moneyResource(s: Services, guards: Guards) {
  const me = (c: { get(k: 'merchant'): { id: string } }) => c.get('merchant').id;
  return new Resource<MerchantEnv>(guards)
    .add(createEndpoint, async (c) => c.json(await s.webhooks.create(me(c), c.req.valid('json')), 201))
    .add(listEndpoints, async (c) => c.json(await s.webhooks.list(me(c)), 200))
    .add(disableEndpoint, async (c) => c.json(await s.webhooks.disable(me(c), c.req.valid('param').id), 200))
    .add(rotateSecret, async (c) => c.json(await s.webhooks.rotateSecret(me(c), c.req.valid('param').id), 200))
    .add(listDeliveries, async (c) => c.json(await s.webhooks.deliveries(me(c), c.req.valid('param').id), 200))
    .add(redeliver, async (c) => c.json(await s.webhooks.redeliver(me(c), c.req.valid('param').id), 202))
    .add(listSettlements, async (c) => c.json(await s.ledger.statementsFor({ kind: 'merchant', id: me(c) }), 200))
    .add(getSettlement, async (c) => {
      const owner = { kind: 'merchant' as const, id: me(c) };
      const id = c.req.valid('param').id;
      if (c.req.valid('query').format === 'csv') {
        return c.body(await s.ledger.statementCsv(id, owner), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${id}.csv"` });
      }
      return c.json(await s.ledger.statement(id, owner), 200);
    });
}
