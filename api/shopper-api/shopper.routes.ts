/**
 * What the shopper view asks of the server: a short link resolved to its voucher, and the current
 * status of vouchers it holds. No account: holding the link or the token is the credential.
 * Shapes from core/contract/vouchers.ts.
 */
import { z } from '@hono/zod-openapi';
import { VoucherLink, VoucherStatusAnswer, VoucherStatusRequest } from '../../core/contract/voucher-link.ts';
import { json, problem } from '../http/schemas.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { VouchersService } from '../merchant-api/vouchers/vouchers.service.ts';

const tags = ['Shopper'];

export const resolveLink = defineRoute(
  { guard: 'none' },
  {
    method: 'get',
    path: '/v1/voucher-links/{code}',
    tags,
    summary: 'Open a voucher from its short link (the code in voucher_url)',
    request: {
      params: z.object({
        code: z
          .string()
          .openapi({ param: { name: 'code', in: 'path' }, description: "The short link's code: the last part of voucher_url.", example: 'abcdefghjkmnpqrstvwxyz0123' }),
      }),
    },
    responses: { 200: { description: 'The voucher as the shopper may see it.', content: json(VoucherLink) }, 404: problem('No voucher has this link.') },
  },
);

export const voucherStatus = defineRoute(
  { guard: 'none' },
  {
    method: 'post',
    path: '/v1/voucher-status',
    tags,
    summary: 'Current status of vouchers, by their tokens',
    description: "Each token must verify against the operator keys; the answer speaks only of that token's voucher, in input order.",
    request: { body: { required: true, content: json(VoucherStatusRequest) } },
    responses: {
      200: { description: 'One entry per token.', content: json(VoucherStatusAnswer) },
      400: problem('The request is invalid.'),
    },
  },
);

export function shopperResource(vouchers: VouchersService, guards: Guards) {
  return new Resource(guards)
    .add(resolveLink, async (c) => c.json(await vouchers.byLinkCode(c.req.valid('param').code), 200))
    .add(voucherStatus, async (c) => c.json({ data: await vouchers.statusForTokens(c.req.valid('json').tokens) }, 200));
}
