/**
 * The HTTP application: the merchant API, the shopper and till endpoints, the OpenAPI document
 * and its reference page, and the PWA's files, all on one origin.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { BodyTooLargeError, NotFoundError, UnsupportedMediaTypeError } from './errors.ts';
import { onError, problemResponse } from './http/problem.ts';
import { toValidationError } from './http/validation.ts';
import { textGuard } from './http/text-guard.ts';
import { merchantAuth, type MerchantEnv } from './http/merchant-auth.ts';
import { registerVoucherRoutes } from './merchant-api/vouchers/vouchers.handlers.ts';
import { registerMoneyRoutes } from './merchant-api/money.routes.ts';
import { registerShopperRoutes } from './shopper-api/shopper.routes.ts';
import { registerKeyRoutes } from './signing-keys/signing-keys.routes.ts';
import { registerTillRoutes } from './till-api/till.routes.ts';
import { deviceAuth, type TillEnv } from './http/device-auth.ts';
import { apiReferencePage } from './http/api-reference.ts';
import { serveWebApp } from './http/web-app.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Services } from './context.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;
/** A till's batch of up to 500 signed collections (≈ 700 bytes each) needs more room. */
export const COLLECTIONS_BODY_LIMIT_BYTES = 1024 * 1024;

const requireJson = createMiddleware(async (c, next) => {
  const hasBody = c.req.raw.body !== null && c.req.header('content-length') !== '0';
  const type = c.req.header('content-type');
  if (hasBody && !/^application\/(.+\+)?json\s*(;|$)/i.test(type ?? '')) throw new UnsupportedMediaTypeError(type);
  await next();
});

export function createApp(services: Services, options: { webRoot?: string; afterWrite?: () => void } = {}) {
  const app = new OpenAPIHono<MerchantEnv>({
    defaultHook: (result) => {
      if (!result.success) throw toValidationError(result.error, result.target);
    },
  });
  app.onError(onError);
  app.use('*', securityHeaders());

  // A write that succeeded may have queued outbox work (events, messages): let the local worker know.
  if (options.afterWrite) {
    const afterWrite = options.afterWrite;
    app.on(['POST', 'DELETE'], '/v1/*', async (c, next) => {
      await next();
      if (c.res.status < 300) afterWrite();
    });
  }
  app.use('/v1/*', async (c, next) => {
    const max = c.req.path === '/v1/collections' ? COLLECTIONS_BODY_LIMIT_BYTES : BODY_LIMIT_BYTES;
    return bodyLimit({ maxSize: max, onError: () => { throw new BodyTooLargeError(max); } })(c, next);
  });
  app.on(['POST', 'PUT', 'PATCH'], '/v1/*', requireJson);
  app.use('/v1/*', textGuard);
  const auth = merchantAuth(services.network);
  app.use('/v1/vouchers', auth);
  app.use('/v1/vouchers/*', auth);
  for (const path of ['/v1/webhook_endpoints', '/v1/webhook_endpoints/*', '/v1/webhook_deliveries/*', '/v1/settlements', '/v1/settlements/*']) app.use(path, auth);
  app.use('/v1/till/*', deviceAuth(services.devices, { revoked: 'refuse' }));
  app.use('/v1/collections', deviceAuth(services.devices, { revoked: 'record' }));

  registerVoucherRoutes(app, services);
  registerMoneyRoutes(app, services);
  registerKeyRoutes(app as unknown as OpenAPIHono, services.keys);
  registerShopperRoutes(app as unknown as OpenAPIHono, services.vouchers);
  registerTillRoutes(app as unknown as OpenAPIHono<TillEnv>, services);

  app.openAPIRegistry.registerComponent('securitySchemes', 'merchantApiKey', {
    type: 'http',
    scheme: 'bearer',
    description: "The merchant's API key (shown once by `counterpay merchant create`).",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'tillCredential', {
    type: 'http',
    scheme: 'bearer',
    description: 'The till credential returned once by `POST /v1/devices`.',
  });
  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Counterpay API',
      version: '1',
      description: 'Create payment vouchers that shoppers pay in cash at a store counter. Amounts are integers in minor units of an ISO 4217 currency. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: services.publicUrl }],
  };
  app.doc31('/openapi.json', documentConfig);
  app.get('/docs', (c) => c.html(apiReferencePage(app.getOpenAPI31Document(documentConfig) as never)));

  app.get('/healthz', async (c) => {
    await services.database.db.execute(sql`select 1`);
    return c.json({ status: 'ok', database: services.database.kind });
  });

  app.all('/v1/*', (c) => problemResponse(new NotFoundError('endpoint', `${c.req.method} ${new URL(c.req.url).pathname}`), new URL(c.req.url).pathname));
  serveWebApp(app, options.webRoot);
  return app;
}
