/** `Authorization: Bearer <api key>` → the merchant, on c.var.merchant. */
import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../errors.ts';
import type { NetworkService } from '../network/network.service.ts';
import type { MerchantRef } from '../merchant-api/vouchers/vouchers.service.ts';

export type MerchantEnv = { Variables: { merchant: MerchantRef } };

export const merchantAuth = (network: NetworkService) =>
  createMiddleware<MerchantEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthenticatedError('send your API key as "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <api key>"');
    const merchant = await network.merchantForApiKey(match[1]!);
    if (!merchant) throw new UnauthenticatedError('the API key is not valid');
    c.set('merchant', merchant);
    await next();
  });
