/**
 * The operator's routes for the console (docs/console.md): merchants, stores, enrolment codes and
 * tills, through the same services as the operator's CLI. Guard: a signed-in operator; every
 * change is audited by the guard (api/http/session-auth.ts).
 */
import { z } from '@hono/zod-openapi';
import {
  CreatedMerchant,
  CreateMerchantBody,
  CreateStoreBody,
  EnrolmentCode,
  OperatorMerchantList,
  OperatorStore,
  OperatorStoreList,
  OperatorTill,
  OperatorTillList,
  Overview,
  ReviewDecision,
  ReviewDecisionBody,
  ReviewList,
} from '../../core/contract/operator.ts';
import { ConflictError } from '../errors.ts';
import { json, problem } from '../http/schemas.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { SessionEnv } from '../http/session-auth.ts';
import type { Services } from '../context.ts';

const tags = ['Operator'];
const operator = { guard: 'operatorSession' } as const;
const common = {
  401: problem('Not signed in, or the session ended.'),
  403: problem('Not an operator, or the request did not come from the console (Origin, X-CSRF-Token).'),
};
const IdParam = (what: string, example: string) => z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: what, example }) });

export const overview = defineRoute(operator, {
  tags,
  method: 'get',
  path: '/v1/operator/overview',
  summary: 'Today: collections and refunds per currency, what waits for review, tills past their lease, failing webhook endpoints, and 14 days of collections',
  responses: { 200: { description: 'The overview.', content: json(Overview) }, ...common },
});

export const listMerchants = defineRoute(operator, {
  tags,
  method: 'get',
  path: '/v1/operator/merchants',
  summary: 'The merchants',
  responses: { 200: { description: 'Every merchant.', content: json(OperatorMerchantList) }, ...common },
});

export const createMerchant = defineRoute(operator, {
  tags,
  method: 'post',
  path: '/v1/operator/merchants',
  summary: 'Create a merchant',
  request: { body: { required: true, content: json(CreateMerchantBody) } },
  responses: { 201: { description: 'The merchant and its first API keys, shown only now.', content: json(CreatedMerchant) }, 400: problem('The name is not valid.'), ...common },
});

export const listStores = defineRoute(operator, {
  tags,
  method: 'get',
  path: '/v1/operator/stores',
  summary: 'The stores',
  responses: { 200: { description: 'Every store.', content: json(OperatorStoreList) }, ...common },
});

export const createStore = defineRoute(operator, {
  tags,
  method: 'post',
  path: '/v1/operator/stores',
  summary: 'Create a store',
  request: { body: { required: true, content: json(CreateStoreBody) } },
  responses: { 201: { description: 'The store.', content: json(OperatorStore) }, 400: problem('The name or currency is not valid.'), ...common },
});

export const createEnrolmentCode = defineRoute(operator, {
  tags,
  method: 'post',
  path: '/v1/operator/stores/{id}/enrolment_codes',
  summary: 'A one-time code that enrols a till in the store',
  request: { params: IdParam('The store.', 'sto_demo') },
  responses: { 201: { description: 'The code, valid 24 hours, once, and the link a till scans.', content: json(EnrolmentCode) }, ...common, 404: problem('No such store.') },
});

export const listTills = defineRoute(operator, {
  tags,
  method: 'get',
  path: '/v1/operator/tills',
  summary: 'The tills, with their journal health',
  responses: { 200: { description: 'Every till.', content: json(OperatorTillList) }, ...common },
});

export const revokeTill = defineRoute(operator, {
  tags,
  method: 'post',
  path: '/v1/operator/tills/{id}/revoke',
  summary: 'Revoke a till (a lost or stolen tablet): its credential opens nothing from now on',
  request: { params: IdParam('The till.', 'dev_8xq2m4r6t0w3y5z7') },
  responses: { 200: { description: 'The till, revoked.', content: json(OperatorTill) }, ...common, 404: problem('No such till.'), 409: problem('The till is revoked already.') },
});

export const listReview = defineRoute(operator, {
  tags,
  method: 'get',
  path: '/v1/operator/review',
  summary: 'The review queue: collections held (rejected or mismatched), oldest first',
  responses: { 200: { description: 'What waits for a decision.', content: json(ReviewList) }, ...common },
});

export const decideReview = defineRoute(operator, {
  tags,
  method: 'post',
  path: '/v1/operator/review/{id}/decision',
  summary: 'Decide a held collection; its till sees the decision in its feed',
  request: { params: IdParam('The collection held.', 'col_8xq2m4r6t0w3y5z7'), body: { required: true, content: json(ReviewDecisionBody) } },
  responses: {
    200: { description: 'The decision and what it did.', content: json(ReviewDecision) },
    400: problem('A write-off without a reason.'),
    ...common,
    404: problem('No such collection.'),
    409: problem('Not held for review, already decided, or not possible (no voucher to accept it for).'),
  },
});

export function operatorResource(s: Services, guards: Guards) {
  return new Resource<SessionEnv>(guards)
    .add(overview, async (c) => c.json(await s.overview.today(), 200))
    .add(listMerchants, async (c) => c.json({ object: 'list' as const, data: await s.network.listMerchants() }, 200))
    .add(createMerchant, async (c) => {
      const created = await s.network.createMerchant(c.req.valid('json').name);
      if (!created) throw new ConflictError('validation-failed', 'a merchant with this id exists already');
      return c.json(created, 201);
    })
    .add(listStores, async (c) => c.json({ object: 'list' as const, data: await s.network.listStores() }, 200))
    .add(createStore, async (c) => {
      const body = c.req.valid('json');
      const created = await s.network.createStore(body.name, undefined, body.currency);
      if (!created) throw new ConflictError('validation-failed', 'a store with this id exists already');
      return c.json(created, 201);
    })
    .add(createEnrolmentCode, async (c) => {
      const created = await s.devices.createEnrolmentCode(c.req.valid('param').id);
      return c.json({ ...created, enrol_url: `${s.publicUrl}/cashier?enrol=${encodeURIComponent(created.code)}` }, 201);
    })
    .add(listTills, async (c) => c.json({ object: 'list' as const, data: await s.devices.list() }, 200))
    .add(listReview, async (c) => c.json(await s.review.list(), 200))
    .add(decideReview, async (c) => {
      const { decision, reason } = c.req.valid('json');
      // The decision names the operator who made it, as the CLI's `--by` does.
      const decided = await s.review.decide(c.req.valid('param').id, decision, { by: c.get('console').user.email, reason });
      return c.json(decided, 200);
    })
    .add(revokeTill, async (c) => {
      const { id } = c.req.valid('param');
      await s.devices.revoke(id);
      const till = (await s.devices.list()).find((d) => d.id === id)!;
      return c.json(till, 200);
    });
}
