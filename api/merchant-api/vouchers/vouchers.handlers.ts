/** Voucher handlers: parse (done by the route schemas), call one service function, shape the answer. */
import type { Voucher } from '../../../core/contract/vouchers.ts';
import type { MerchantEnv } from '../../http/merchant-auth.ts';
import { Resource, type Guards } from '../../http/resource.ts';
import { checkIdempotencyKey, requestFingerprint, type IdempotencyService } from '../../idempotency/idempotency.service.ts';
import * as routes from './vouchers.routes.ts';
import type { VouchersService } from './vouchers.service.ts';

export function voucherResource(deps: { vouchers: VouchersService; idempotency: IdempotencyService }, guards: Guards) {
  return new Resource<MerchantEnv>(guards)
    .add(routes.createVoucher, async (c) => {
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
    })
    .add(routes.getVoucher, async (c) => c.json(await deps.vouchers.get(c.get('merchant'), c.req.valid('param').id), 200))
    .add(routes.voucherTimeline, async (c) => c.json(await deps.vouchers.timeline(c.get('merchant'), c.req.valid('param').id), 200))
    .add(routes.listVouchers, async (c) => c.json(await deps.vouchers.list(c.get('merchant'), c.req.valid('query')), 200))
    .add(routes.resendVoucher, async (c) => c.json(await deps.vouchers.resend(c.get('merchant'), c.req.valid('param').id, c.req.valid('json')?.notify), 202))
    .add(routes.cancelVoucher, async (c) => c.json(await deps.vouchers.cancel(c.get('merchant'), c.req.valid('param').id), 200));
}
