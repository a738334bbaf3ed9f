/**
 * What the shopper view asks of the server: a short link resolved to its voucher, and the current
 * status of vouchers it holds. No account: holding the link or the token is the credential.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { problem } from '../http/schemas.ts';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import { VoucherItem } from '../merchant-api/vouchers/vouchers.schemas.ts';
import type { VouchersService } from '../merchant-api/vouchers/vouchers.service.ts';

const VoucherLink = z
  .object({
    object: z.literal('voucher_link'),
    voucher_id: z.string(),
    status: z.enum(VOUCHER_STATUSES),
    merchant: z.object({ name: z.string() }),
    order_ref: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    items: z.array(VoucherItem),
    reference: z.string(),
    token: z.string(),
    qr: z.string(),
    expires_at: z.string(),
    paid_at: z.string().nullable(),
    canceled_at: z.string().nullable(),
  })
  .openapi('VoucherLink');

export const resolveLink = createRoute({
  method: 'get',
  path: '/v1/voucher-links/{code}',
  tags: ['Shopper'],
  summary: "Open a voucher from its short link (the code in voucher_url)",
  request: { params: z.object({ code: z.string().openapi({ param: { name: 'code', in: 'path' } }) }) },
  responses: { 200: { description: 'The voucher as the shopper may see it.', content: { 'application/json': { schema: VoucherLink } } }, 404: problem('No voucher has this link.') },
});

export const MAX_STATUS_TOKENS = 50;

const StatusEntry = z.union([
  z.object({ voucher_id: z.string(), status: z.enum(VOUCHER_STATUSES), paid_at: z.string().nullable(), canceled_at: z.string().nullable() }),
  z.object({ error: z.literal('invalid_token') }),
]);

export const voucherStatus = createRoute({
  method: 'post',
  path: '/v1/voucher-status',
  tags: ['Shopper'],
  summary: 'Current status of vouchers, by their tokens',
  description: 'Each token must verify against the operator keys; the answer speaks only of that token\'s voucher, in input order.',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ tokens: z.array(z.string().max(2000)).min(1, 'at least one token').max(MAX_STATUS_TOKENS, `at most ${MAX_STATUS_TOKENS} tokens`) }).strict() } },
    },
  },
  responses: {
    200: { description: 'One entry per token.', content: { 'application/json': { schema: z.object({ data: z.array(StatusEntry) }) } } },
    400: problem('The request is invalid.'),
  },
});

export function registerShopperRoutes(app: OpenAPIHono, vouchers: VouchersService) {
  app.openapi(resolveLink, async (c) => c.json(await vouchers.byLinkCode(c.req.valid('param').code), 200));
  app.openapi(voucherStatus, async (c) => c.json({ data: await vouchers.statusForTokens(c.req.valid('json').tokens) }, 200));
}
