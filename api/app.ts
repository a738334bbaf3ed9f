/**
 * The HTTP application: the merchant API, the shopper and till endpoints, the OpenAPI document
 * and its reference page, and the PWA's files, all on one origin.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { NotFoundError } from './errors.ts';
import { onError, problemResponse } from './http/problem.ts';
import { merchantAuth } from './http/merchant-auth.ts';
import { deviceAuth } from './http/device-auth.ts';
import { consoleOrigin, consoleSession, operatorSession } from './http/session-auth.ts';
import { consoleResource } from './console/console.routes.ts';
import { operatorResource } from './operator-api/operator.routes.ts';
import { SECURITY_SCHEMES, type Guards } from './http/resource.ts';
import { voucherResource } from './merchant-api/vouchers/vouchers.handlers.ts';
import { moneyResource } from './merchant-api/money.routes.ts';
import { eventsResource } from './events/events.routes.ts';
import { testHelpersResource } from './test-helpers/test-helpers.routes.ts';
import { storesPage, storesResource } from './stores/stores.routes.ts';
import { pushResource } from './push/push.routes.ts';
import { shopperResource } from './shopper-api/shopper.routes.ts';
import { keysResource } from './signing-keys/signing-keys.routes.ts';
import { tillResource } from './till-api/till.routes.ts';
import { payoutResource, refundResource } from './refunds/refunds.routes.ts';
import { apiReferencePage } from './http/api-reference.ts';
import { serveWebApp } from './http/web-app.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Services } from './context.ts';

export function createApp(services: Services, options: { webRoot?: string; afterWrite?: () => void } = {}) {
  const app = new OpenAPIHono();
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

  // Each resource's routes declare their guard and body limit (api/http/resource.ts).
  const refuse = deviceAuth(services.devices, { revoked: 'refuse' });
  const record = deviceAuth(services.devices, { revoked: 'record' });
  const signedIn = consoleSession(services.console);
  const operator = operatorSession(services.console);
  const sameOrigin = consoleOrigin(services.console);
  const guards: Guards = {
    none: () => [],
    consoleOrigin: () => [sameOrigin],
    merchant: (route) => [merchantAuth(services.network, services.console, route)],
    tillCredential: () => [refuse],
    tillCredentialRevokedToo: () => [record],
    consoleSession: () => [signedIn],
    operatorSession: () => [operator],
  };
  app.route('/', voucherResource(services, guards).app);
  app.route('/', refundResource(services, guards).app);
  app.route('/', moneyResource(services, guards).app);
  app.route('/', eventsResource(services, guards).app);
  app.route('/', testHelpersResource(services, guards).app);
  app.route('/', storesResource(services, guards).app);
  app.route('/', pushResource(services, guards).app);
  app.route('/', keysResource(services.keys, guards).app);
  app.route('/', shopperResource(services.vouchers, guards).app);
  app.route('/', tillResource(services, guards).app);
  app.route('/', payoutResource(services, guards).app);
  app.route('/', operatorResource(services, guards).app);
  // The console's routes end with sign-out: the reference's examples run in this order in its test.
  app.route('/', consoleResource(services, guards).app);

  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'Counterpay API',
      version: '1',
      description:
        'Create payment vouchers that shoppers pay in cash at a store counter. Amounts are integers in minor units of an ISO 4217 currency. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: services.publicUrl }],
  };
  app.doc31('/openapi.json', documentConfig);
  app.get('/docs', (c) => c.html(apiReferencePage(app.getOpenAPI31Document(documentConfig) as never)));
  // A problem's `type` is /docs/problems#<code>: the reference lists each code under that anchor,
  // and a browser keeps the fragment across the redirect.
  app.get('/docs/problems', (c) => c.redirect('/docs', 301));
  app.get('/stores', async (c) => {
    const { status, html } = await storesPage(services.stores, c.req.query());
    c.header('cache-control', 'public, max-age=60');
    return c.html(html, status);
  });

  // 200 when the database answers and takes writes; 503 with Retry-After when it does not (the
  // embedded database also while it refuses writes for want of disk, saying how much is free).
  app.get('/healthz', async (c) => {
    const embedded = services.database.embedded?.();
    const storage = embedded?.freeBytes === undefined ? undefined : { free_bytes: embedded.freeBytes, min_free_bytes: embedded.minFreeBytes };
    if (embedded && embedded.state !== 'ready') {
      c.header('retry-after', '5');
      const status = embedded.state === 'read-only' ? 'read-only' : 'unavailable';
      return c.json({ status, database: services.database.kind, detail: embedded.detail, ...(storage && { storage }) }, 503);
    }
    await services.database.db.execute(sql`select 1`);
    return c.json({ status: 'ok', database: services.database.kind, ...(storage && { storage }) });
  });

  app.all('/v1/*', (c) => problemResponse(new NotFoundError('endpoint', `${c.req.method} ${new URL(c.req.url).pathname}`), new URL(c.req.url).pathname));
  serveWebApp(app, options.webRoot);
  return app;
}
