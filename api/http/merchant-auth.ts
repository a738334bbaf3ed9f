/**
 * Who a merchant route acts for, on c.var.merchant: `Authorization: Bearer <api key>` (a read-only
 * key only reads), or a console session of one of the merchant's users (docs/console.md), whose
 * role must reach the route's. A session names its merchant with `Counterpay-Merchant` (needless
 * when the user belongs to one) and test mode with `Counterpay-Mode: test`.
 */
import { createMiddleware } from 'hono/factory';
import type { ConsoleService } from '../console/console.service.ts';
import { roleAtLeast } from '../console/console.service.ts';
import { ApiKeyEndedError, ConsoleAccessError, ReadOnlyKeyError, UnauthenticatedError, ValidationError } from '../errors.ts';
import type { NetworkService } from '../network/network.service.ts';
import type { MerchantRef } from '../merchant-api/vouchers/vouchers.service.ts';
import type { GuardedBy } from './resource.ts';
import { auditedRequest, hasSessionCookie, signedInFrom, type SessionEnv } from './session-auth.ts';

export type MerchantEnv = { Variables: { merchant: MerchantRef } };

export const merchantAuth = (network: NetworkService, consoleService: ConsoleService, route: GuardedBy) =>
  createMiddleware<MerchantEnv & SessionEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header && hasSessionCookie(c)) {
      const signedIn = await signedInFrom(c, consoleService);
      const memberships = await consoleService.memberships(signedIn.user.id);
      const named = c.req.header('counterpay-merchant');
      const merchantId = named ?? (memberships.length === 1 ? memberships[0]!.merchantId : undefined);
      if (!merchantId)
        throw new ValidationError('say which merchant with the Counterpay-Merchant header: you are a user of several', [{ field: 'Counterpay-Merchant', message: 'required' }]);
      const role = memberships.find((m) => m.merchantId === merchantId)?.role;
      if (!role) throw new ConsoleAccessError(`you are not a user of merchant ${merchantId}`);
      if (!roleAtLeast(role, route.role)) throw new ConsoleAccessError(`your role at merchant ${merchantId} is ${role}; this needs ${route.role}`);
      const mode = c.req.header('counterpay-mode') ?? 'live';
      if (mode !== 'live' && mode !== 'test')
        throw new ValidationError(`Counterpay-Mode must be live or test, got ${JSON.stringify(mode.slice(0, 20))}`, [{ field: 'Counterpay-Mode', message: 'live or test' }]);
      const merchant = await network.merchantRef(merchantId, mode);
      if (!merchant) throw new ConsoleAccessError(`merchant ${merchantId} has no ${mode} mode`);
      c.set('console', signedIn);
      c.set('merchant', merchant);
      await auditedRequest(c, consoleService, signedIn, merchantId, next);
      return;
    }
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
