/** `Authorization: Bearer <api key>` → the merchant, on c.var.merchant; a read-only key only reads. */
import { createMiddleware } from 'hono/factory';
import { ApiKeyEndedError, ReadOnlyKeyError, UnauthenticatedError } from '../errors.ts';
import type { NetworkService } from '../network/network.service.ts';
import type { MerchantRef } from '../merchant-api/vouchers/vouchers.service.ts';

export type MerchantEnv = { Variables: { merchant: MerchantRef } };

export const merchantAuth = (network: NetworkService) =>
  createMiddleware<MerchantEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthenticatedError('send your API key as "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <api key>"');
    const found = await network.merchantForApiKey(match[1]!);
    if (!found) throw new UnauthenticatedError('the API key is not valid');
    if (!found.ok) throw new ApiKeyEndedError(found.reason, found.at);
    if (found.access === 'read_only' && c.req.method !== 'GET' && c.req.method !== 'HEAD') throw new ReadOnlyKeyError(c.req.method);
    c.set('merchant', found.merchant);
    await next();
  });
