/** The voucher API's routes (OpenAPI 3.1 via @hono/zod-openapi); shapes from core/contract/vouchers.ts, behaviour in vouchers.handlers.ts. */
import { z } from '@hono/zod-openapi';
import { CreateVoucherBody, ListVouchersQuery, ResendBody, Voucher, VoucherDelivery, VoucherList, VoucherTimeline } from '../../../core/contract/vouchers.ts';
import { json, problem } from '../../http/schemas.ts';
import { openApiObject } from '../../http/openapi-schema.ts';
import { defineRoute } from '../../http/resource.ts';

const merchant = { guard: 'merchant' } as const;
const tags = ['Vouchers'];
const common = {
  400: problem('The request is invalid; `errors` names each offending field.'),
  401: problem('No valid API key.'),
};
const VoucherIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The voucher's id.", example: 'vch_04j2kd8w1x7m2' }) });

export const createVoucher = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/vouchers',
  summary: 'Create a payment voucher',
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .optional()
        .openapi({ description: 'Makes the request safe to retry: the same key and body answer the first result again (kept ≥ 24 h).', example: 'order-ORD-1001-voucher' }),
    }),
    body: { required: true, content: json(CreateVoucherBody) },
  },
  responses: {
    201: { description: 'The voucher.', content: json(Voucher) },
    ...common,
    409: problem('A request with this Idempotency-Key is still running.'),
    413: problem('The body exceeds 64 KiB.'),
    415: problem('The body is not JSON.'),
    422: problem('The Idempotency-Key was used with a different request.'),
  },
});

export const getVoucher = defineRoute(merchant, {
  tags,
  method: 'get',
  path: '/v1/vouchers/{id}',
  summary: 'Retrieve a voucher',
  request: { params: VoucherIdParam },
  responses: { 200: { description: 'The voucher.', content: json(Voucher) }, ...common, 404: problem('No such voucher of yours.') },
});

export const voucherTimeline = defineRoute(merchant, {
  tags,
  method: 'get',
  path: '/v1/vouchers/{id}/timeline',
  summary: 'Everything that happened to a voucher',
  description: 'Created, messages to the shopper, collections at tills, webhook deliveries with your endpoint’s answers, refunds: oldest first.',
  request: { params: VoucherIdParam },
  responses: { 200: { description: 'The timeline.', content: json(VoucherTimeline) }, ...common, 404: problem('No such voucher of yours.') },
});

export const listVouchers = defineRoute(merchant, {
  tags,
  method: 'get',
  path: '/v1/vouchers',
  summary: 'List and find vouchers, newest first',
  request: { query: openApiObject(ListVouchersQuery) },
  responses: { 200: { description: 'A page of vouchers.', content: json(VoucherList) }, ...common },
});

export const cancelVoucher = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/vouchers/{id}/cancel',
  summary: 'Cancel an open voucher',
  request: { params: VoucherIdParam },
  responses: {
    200: { description: 'The canceled voucher.', content: json(Voucher) },
    ...common,
    404: problem('No such voucher of yours.'),
    409: problem('The voucher is not open (paid, expired or already canceled).'),
  },
});

export const resendVoucher = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/vouchers/{id}/resend',
  summary: 'Send the voucher to the shopper again (e-mail and/or SMS)',
  request: { params: VoucherIdParam, body: { required: false, content: json(ResendBody) } },
  responses: {
    202: { description: 'Queued; delivery happens through the outbox.', content: json(VoucherDelivery) },
    ...common,
    404: problem('No such voucher of yours.'),
    409: problem('The voucher is not open.'),
  },
});
