/**
 * The refund API's routes: merchants' `/v1/refunds` and the tills' payout grant and void
 * (docs/refunds.md, docs/till-protocol.md "Payouts"). Shapes from core/contract/refunds.ts and
 * core/contract/till.ts; behaviour in refunds.service.ts.
 */
import { z } from '@hono/zod-openapi';
import { CreateRefundBody, ListRefundsQuery, Refund, RefundList } from '../../core/contract/refunds.ts';
import { PayoutAuthorization, PayoutRequest, PayoutVoid } from '../../core/contract/till.ts';
import type { MerchantEnv } from '../http/merchant-auth.ts';
import type { TillEnv } from '../http/device-auth.ts';
import { json, problem } from '../http/schemas.ts';
import { openApiObject } from '../http/openapi-schema.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import { checkIdempotencyKey, requestFingerprint, type IdempotencyService } from '../idempotency/idempotency.service.ts';
import type { RefundsService } from './refunds.service.ts';

const merchant = { guard: 'merchant' } as const;
const tags = ['Refunds'];
const common = {
  400: problem('The request is invalid; `errors` names each offending field.'),
  401: problem('No valid API key.'),
};
const RefundIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The refund's id.", example: 'rfd_04j2kd8w1x7m2' }) });

export const createRefund = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/refunds',
  summary: 'Refund a paid voucher, in full or in part; the shopper collects the cash at any store',
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .optional()
        .openapi({ description: 'Makes the request safe to retry: the same key and body answer the first result again (kept ≥ 24 h).', example: 'order-ORD-1001-refund-1' }),
    }),
    body: { required: true, content: json(CreateRefundBody) },
  },
  responses: {
    201: { description: 'The refund, sent to the shopper by e-mail and SMS where the voucher has those contacts.', content: json(Refund) },
    ...common,
    404: problem('No such voucher of yours.'),
    409: problem('The voucher is not paid, or the amount is more than is left to refund; or a request with this Idempotency-Key is still running.'),
    415: problem('The body is not JSON.'),
    422: problem('The Idempotency-Key was used with a different request.'),
  },
});

export const getRefund = defineRoute(merchant, {
  tags,
  method: 'get',
  path: '/v1/refunds/{id}',
  summary: 'Retrieve a refund',
  request: { params: RefundIdParam },
  responses: { 200: { description: 'The refund.', content: json(Refund) }, ...common, 404: problem('No such refund of yours.') },
});

export const listRefunds = defineRoute(merchant, {
  tags,
  method: 'get',
  path: '/v1/refunds',
  summary: "List refunds, newest first (yours and Counterpay's for your vouchers)",
  request: { query: openApiObject(ListRefundsQuery) },
  responses: { 200: { description: 'A page of refunds.', content: json(RefundList) }, ...common },
});

export const cancelRefund = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/refunds/{id}/cancel',
  summary: 'Withdraw a pending refund; the money is yours again',
  request: { params: RefundIdParam },
  responses: {
    200: { description: 'The canceled refund.', content: json(Refund) },
    ...common,
    404: problem('No such refund of yours.'),
    409: problem('The refund is not pending (paid, expired, canceled, or being paid out at a till), or it returns cash a shopper paid at a store.'),
  },
});

const till = { guard: 'tillCredential' } as const;
const tillTags = ['Tills'];

export const authorizePayout = defineRoute(till, {
  tags: tillTags,
  method: 'post',
  path: '/v1/till/payouts',
  summary: 'Ask to pay a refund out at this till; granted to at most one till',
  description:
    'Only after this answers 200 may the cashier hand the cash over; the till then journals a signed payout record under the grant, or voids it. Asking again from the same till answers the same grant.',
  request: { body: { required: true, content: json(PayoutRequest) } },
  responses: {
    200: { description: 'The grant: hand over `amount` now.', content: json(PayoutAuthorization) },
    400: problem('Not a refund token (a voucher is collected, not paid out), or the token does not verify.'),
    401: problem('No valid till credential.'),
    403: problem("The till was revoked, or the refund is above the store's limit and needs the shopper's six-digit code (missing or wrong)."),
    404: problem('No such refund.'),
    409: problem('The refund cannot be paid out: already paid, being paid out at another till, canceled, expired, or in another currency than the store’s.'),
    429: problem('Too many code tries for this refund; wait for Retry-After.'),
  },
});

export const voidPayout = defineRoute(till, {
  tags: tillTags,
  method: 'post',
  path: '/v1/till/payouts/{id}/void',
  summary: 'Give a payout grant back: the cash was not handed over',
  request: {
    params: z.object({
      id: z
        .string()
        .openapi({ param: { name: 'id', in: 'path' }, description: "The payout grant's id (the answer's id to POST /v1/till/payouts).", example: 'pau_8xq2m4r6t0w3y5z7' }),
    }),
  },
  responses: {
    200: { description: 'Voided (again, if it already was); the refund is payable again.', content: json(PayoutVoid) },
    401: problem('No valid till credential.'),
    403: problem('The till was revoked.'),
    404: problem('No such grant of this till.'),
    409: problem('This till already recorded a payout under the grant.'),
  },
});

export function refundResource(deps: { refunds: RefundsService; idempotency: IdempotencyService }, guards: Guards) {
  return new Resource<MerchantEnv>(guards)
    .add(createRefund, async (c) => {
      const body = c.req.valid('json');
      const m = c.get('merchant');
      const key = checkIdempotencyKey(c.req.header('idempotency-key'));
      const answer = await deps.idempotency.run<Refund>(
        m.id,
        key,
        () => requestFingerprint('POST /v1/refunds', body),
        async (tx) => ({ status: 201, body: await deps.refunds.create(m, body, tx) }),
        { atomic: true },
      );
      if (answer.replayed) c.header('idempotent-replayed', 'true');
      return c.json(answer.body, 201);
    })
    .add(getRefund, async (c) => c.json(await deps.refunds.get(c.get('merchant'), c.req.valid('param').id), 200))
    .add(listRefunds, async (c) => c.json(await deps.refunds.list(c.get('merchant'), c.req.valid('query')), 200))
    .add(cancelRefund, async (c) => c.json(await deps.refunds.cancel(c.get('merchant'), c.req.valid('param').id), 200));
}

export function payoutResource(deps: { refunds: RefundsService }, guards: Guards) {
  return new Resource<TillEnv>(guards)
    .add(authorizePayout, async (c) => {
      const { device, store } = c.get('till');
      return c.json(await deps.refunds.authorize(device, store, c.req.valid('json')), 200);
    })
    .add(voidPayout, async (c) => c.json(await deps.refunds.void(c.get('till').device, c.req.valid('param').id), 200));
}
