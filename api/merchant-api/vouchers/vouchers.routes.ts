/** The voucher API's contract (OpenAPI 3.1 via @hono/zod-openapi). Behaviour is in vouchers.handlers.ts. */
import { createRoute, z } from '@hono/zod-openapi';
import { merchantAuth, problem } from '../../http/schemas.ts';
import { CreateVoucherBody, ListVouchersQuery, ResendBody, Voucher, VoucherIdParam, VoucherList } from './vouchers.schemas.ts';

const auth = { security: merchantAuth, tags: ['Vouchers'] };
const common = {
  400: problem('The request is invalid; `errors` names each offending field.'),
  401: problem('No valid API key.'),
};

export const createVoucher = createRoute({
  ...auth,
  method: 'post',
  path: '/v1/vouchers',
  summary: 'Create a payment voucher',
  request: {
    headers: z.object({
      'idempotency-key': z.string().optional().openapi({ description: 'Makes the request safe to retry: the same key and body answer the first result again (kept ≥ 24 h).' }),
    }),
    body: { required: true, content: { 'application/json': { schema: CreateVoucherBody } } },
  },
  responses: {
    201: { description: 'The voucher.', content: { 'application/json': { schema: Voucher } } },
    ...common,
    409: problem('A request with this Idempotency-Key is still running.'),
    413: problem('The body exceeds 64 KiB.'),
    415: problem('The body is not JSON.'),
    422: problem('The Idempotency-Key was used with a different request.'),
  },
});

export const getVoucher = createRoute({
  ...auth,
  method: 'get',
  path: '/v1/vouchers/{id}',
  summary: 'Retrieve a voucher',
  request: { params: VoucherIdParam },
  responses: { 200: { description: 'The voucher.', content: { 'application/json': { schema: Voucher } } }, ...common, 404: problem('No such voucher of yours.') },
});

export const listVouchers = createRoute({
  ...auth,
  method: 'get',
  path: '/v1/vouchers',
  summary: 'List vouchers, newest first',
  request: { query: ListVouchersQuery },
  responses: { 200: { description: 'A page of vouchers.', content: { 'application/json': { schema: VoucherList } } }, ...common },
});

export const cancelVoucher = createRoute({
  ...auth,
  method: 'post',
  path: '/v1/vouchers/{id}/cancel',
  summary: 'Cancel an open voucher',
  request: { params: VoucherIdParam },
  responses: {
    200: { description: 'The canceled voucher.', content: { 'application/json': { schema: Voucher } } },
    ...common,
    404: problem('No such voucher of yours.'),
    409: problem('The voucher is not open (paid, expired or already canceled).'),
  },
});

export const resendVoucher = createRoute({
  ...auth,
  method: 'post',
  path: '/v1/vouchers/{id}/resend',
  summary: 'Send the voucher to the shopper again (e-mail and/or SMS)',
  request: { params: VoucherIdParam, body: { required: false, content: { 'application/json': { schema: ResendBody } } } },
  responses: {
    202: { description: 'Queued; delivery happens through the outbox.', content: { 'application/json': { schema: z.object({ object: z.literal('voucher_delivery'), voucher_id: z.string(), queued: z.array(z.enum(['email', 'sms'])) }) } } },
    ...common,
    404: problem('No such voucher of yours.'),
    409: problem('The voucher is not open.'),
  },
});
