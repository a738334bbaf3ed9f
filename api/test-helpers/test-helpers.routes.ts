/**
 * `/v1/test_helpers/…`: what a till would do to a test-mode voucher or refund, done by the
 * built-in test till (api/test-helpers/test-till.ts, docs/test-mode.md). Test keys only.
 */
import { z } from '@hono/zod-openapi';
import { Refund } from '../../core/contract/refunds.ts';
import { TestCollectBody, TestCollection } from '../../core/contract/test-helpers.ts';
import { Voucher } from '../../core/contract/vouchers.ts';
import type { MerchantEnv } from '../http/merchant-auth.ts';
import { json, problem } from '../http/schemas.ts';
import { defineRoute, Resource, type Guards } from '../http/resource.ts';
import type { TestTills } from './test-till.ts';

/** Test mode is a developer's: a console user with the developer role may drive it (docs/console.md). */
const merchant = { guard: 'merchant', role: 'developer' } as const;
const tags = ['Test helpers'];
const common = {
  400: problem('The request is invalid; `errors` names each offending field.'),
  401: problem('No valid API key.'),
  403: problem('A live key: the test helpers need a test key (`cpk_test_…`).'),
};
const VoucherIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The test-mode voucher's id.", example: 'vch_04j2kd8w1x7m2' }) });
const RefundIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The test-mode refund's id.", example: 'rfd_04j2kd8w1x7m2' }) });

export const testCollect = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/test_helpers/vouchers/{id}/collect',
  summary: 'Collect a test voucher at the test till',
  description:
    "The built-in test till collects the voucher with the outcome asked for: it signs real till records and sends them through the same ingest a store's till does, so the voucher turns paid, webhooks fire, e-mail and SMS go and refunds appear as in live mode. Test mode only.",
  request: { params: VoucherIdParam, body: { required: true, content: json(TestCollectBody) } },
  responses: {
    200: { description: 'What each record did, and the voucher now.', content: json(TestCollection) },
    ...common,
    404: problem('No such test-mode voucher of yours.'),
    409: problem('The voucher cannot be collected with that outcome (for `accepted`, it is not open).'),
  },
});

export const testExpire = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/test_helpers/vouchers/{id}/expire',
  summary: 'Move a test voucher past its expiry now',
  description: 'The voucher expires now, with its `voucher.expired` event. Test mode only.',
  request: { params: VoucherIdParam },
  responses: {
    200: { description: 'The expired voucher.', content: json(Voucher) },
    ...common,
    404: problem('No such test-mode voucher of yours.'),
    409: problem('The voucher is not open (paid, canceled or already expired).'),
  },
});

export const testPayOut = defineRoute(merchant, {
  tags,
  method: 'post',
  path: '/v1/test_helpers/refunds/{id}/pay_out',
  summary: 'Pay a test refund out at the test till',
  description:
    'The built-in test till asks for the payout grant as a store’s till does, hands the cash over and journals a signed payout record; the refund turns paid with `refund.paid`. Test mode only.',
  request: { params: RefundIdParam },
  responses: {
    200: { description: 'The paid refund.', content: json(Refund) },
    ...common,
    404: problem('No such test-mode refund of yours.'),
    409: problem('The refund is not payable (already paid, canceled or expired).'),
  },
});

export function testHelpersResource(deps: { testTills: TestTills }, guards: Guards) {
  return new Resource<MerchantEnv>(guards)
    .add(testCollect, async (c) => c.json(await deps.testTills.collect(c.get('merchant'), c.req.valid('param').id, c.req.valid('json')), 200))
    .add(testExpire, async (c) => c.json(await deps.testTills.expire(c.get('merchant'), c.req.valid('param').id), 200))
    .add(testPayOut, async (c) => c.json(await deps.testTills.payOut(c.get('merchant'), c.req.valid('param').id), 200));
}
