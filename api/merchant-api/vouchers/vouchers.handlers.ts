/** Voucher handlers: parse (done by the route schemas), call one service function, shape the answer. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MerchantEnv } from '../../http/merchant-auth.ts';
import { checkIdempotencyKey, requestFingerprint, type IdempotencyService } from '../../idempotency/idempotency.service.ts';
import * as routes from './vouchers.routes.ts';
import type { Voucher } from './vouchers.schemas.ts';
import type { VouchersService } from './vouchers.service.ts';

export function registerVoucherRoutes(app: OpenAPIHono<MerchantEnv>, deps: { vouchers: VouchersService; idempotency: IdempotencyService }) {
  app.openapi(routes.createVoucher, async (c) => {
    const body = c.req.valid('json');
    const merchant = c.get('merchant');
    const key = checkIdempotencyKey(c.req.header('idempotency-key'));
    const answer = await deps.idempotency.run<Voucher>(
      merchant.id,
      key,
      () => requestFingerprint('POST /v1/vouchers', body),
      async (tx) => ({ status: 201, body: await deps.vouchers.create(merchant, body, tx) }),
      { atomic: deps.vouchers.needsTransaction(merchant, body) },
    );
    if (answer.replayed) c.header('idempotent-replayed', 'true');
    return c.json(answer.body, 201);
  });

  app.openapi(routes.getVoucher, async (c) => c.json(await deps.vouchers.get(c.get('merchant'), c.req.valid('param').id), 200));

  app.openapi(routes.listVouchers, async (c) => c.json(await deps.vouchers.list(c.get('merchant'), c.req.valid('query')), 200));

  app.openapi(routes.resendVoucher, async (c) => c.json(await deps.vouchers.resend(c.get('merchant'), c.req.valid('param').id, c.req.valid('json')?.notify), 202));

  app.openapi(routes.cancelVoucher, async (c) => c.json(await deps.vouchers.cancel(c.get('merchant'), c.req.valid('param').id), 200));
}
