/**
 * A resource's routes, each declaring who may call it (its guard) and the largest body it takes.
 * `defineRoute` is the only way to make a route and `Resource.add` the only way to serve one, so a
 * route cannot exist without its guard; the OpenAPI `security` of each operation is derived from
 * the same declaration, so the document cannot disagree with what the server enforces.
 *
 * Every route's middleware, in order: the body limit, JSON-only bodies for writes, the text rules
 * (api/http/text-guard.ts), then the guard. Nothing reads a body before its limit applies.
 */
import { createRoute, OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import { hasBody } from './body.ts';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { BodyTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';
import { textGuard } from './text-guard.ts';
import { toValidationError } from './validation.ts';
import type { ConsoleRole } from '../db/schema.ts';

/** The OpenAPI extension on an operation that takes requests from the server's own origin only. */
export const SAME_ORIGIN_EXTENSION = 'x-counterpay-same-origin';

/** The default largest request body. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Who may call a route.
 * none: anyone (shopper views, the key set, enrolment with its one-time code);
 * merchant: a merchant's API key, or the console session of one of the merchant's users with the
 *   route's role (docs/console.md); the handler sees `merchant`;
 * tillCredential: an enrolled till that is not revoked; the handler sees `till`;
 * tillCredentialRevokedToo: any enrolled till, revoked ones included, for calls whose records
 *   must be kept even from a revoked till (its collections are recorded as rejected);
 * consoleOrigin: anyone, from the console's own pages (an `Origin` equal to PUBLIC_URL's): signing
 *   in, when there is no session yet whose CSRF token a request could carry;
 * consoleSession: any signed-in console user; the handler sees `console`;
 * operatorSession: a signed-in operator; the handler sees `console`.
 */
export type GuardName = 'none' | 'merchant' | 'tillCredential' | 'tillCredentialRevokedToo' | 'consoleOrigin' | 'consoleSession' | 'operatorSession';

/** What a guard is told of the route it guards. */
export interface GuardedBy {
  method: string;
  /** The least console role that may call it. */
  role: ConsoleRole;
}

/** The middleware that enforces each guard, built from the services once per route (api/app.ts). */
export type Guards = Record<GuardName, (route: GuardedBy) => MiddlewareHandler[]>;

/** The OpenAPI security schemes, and which one each guard requires. */
export const SECURITY_SCHEMES = {
  merchantApiKey: { type: 'http', scheme: 'bearer', description: "The merchant's API key (shown once by `counterpay merchant create`)." },
  tillCredential: { type: 'http', scheme: 'bearer', description: 'The till credential returned once by `POST /v1/devices`.' },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-counterpay_session',
    description: "A console session (docs/console.md). Requests that change something also need `Origin` equal to the server's and `X-CSRF-Token` from `GET /v1/console/me`.",
  },
} as const;
type SchemeName = keyof typeof SECURITY_SCHEMES;
const SECURITY: Record<GuardName, Array<Partial<Record<SchemeName, string[]>>> | undefined> = {
  none: undefined,
  consoleOrigin: undefined,
  merchant: [{ merchantApiKey: [] }, { consoleSession: [] }],
  tillCredential: [{ tillCredential: [] }],
  tillCredentialRevokedToo: [{ tillCredential: [] }],
  consoleSession: [{ consoleSession: [] }],
  operatorSession: [{ consoleSession: [] }],
};

export interface Declaration {
  guard: GuardName;
  /** The largest request body in bytes (default BODY_LIMIT_BYTES). */
  bodyLimit?: number;
  /** For a console session: the least role that may call it (default viewer for GET, admin for anything else). */
  role?: ConsoleRole;
}

export type GuardedRoute<R extends RouteConfig = RouteConfig> = R & { readonly declared: Required<Declaration> };

export function defineRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'>>(declared: Declaration, config: R): GuardedRoute<R> {
  const security = SECURITY[declared.guard];
  // The document says which routes take requests from the console's own origin only, so that
  // their examples send the Origin header (api/http/api-reference.ts).
  const sameOrigin = declared.guard === 'consoleOrigin' ? { [SAME_ORIGIN_EXTENSION]: true } : {};
  const route = createRoute({ ...config, ...(security ? { security } : {}), ...sameOrigin } as R & RouteConfig);
  const role = declared.role ?? (config.method === 'get' || config.method === 'head' ? 'viewer' : 'admin');
  return Object.assign(route, { declared: { guard: declared.guard, bodyLimit: declared.bodyLimit ?? BODY_LIMIT_BYTES, role } });
}

/**
 * The body limit: by Content-Length when the request has one (Node's parser never reads past it),
 * else by counting what arrives (Hono's bodyLimit, for a chunked body).
 */
function limitBody(maxSize: number): MiddlewareHandler {
  const counted = bodyLimit({
    maxSize,
    onError: () => {
      throw new BodyTooLargeError(maxSize);
    },
  });
  return createMiddleware(async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxSize) throw new BodyTooLargeError(maxSize);
      return next();
    }
    if (!hasBody(c)) return next();
    return counted(c, next);
  });
}

const requireJson = createMiddleware(async (c, next) => {
  const type = c.req.header('content-type');
  if (hasBody(c) && !/^application\/(.+\+)?json\s*(;|$)/i.test(type ?? '')) throw new UnsupportedMediaTypeError(type);
  await next();
});

const WRITES = new Set(['post', 'put', 'patch']);

/** One resource's sub-router; api/app.ts mounts each. */
export class Resource<E extends Env = Env> {
  readonly app = new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw toValidationError(result.error, result.target);
    },
  });

  constructor(private readonly guards: Guards) {}

  add<R extends GuardedRoute>(route: R, handler: RouteHandler<R, E>): this {
    const { guard, bodyLimit: maxSize, role } = route.declared;
    const guardedBy = { method: route.method.toUpperCase(), role };
    const middleware: MiddlewareHandler[] = [limitBody(maxSize), ...(WRITES.has(route.method) ? [requireJson] : []), textGuard, ...this.guards[guard](guardedBy)];
    this.app.openapi({ ...route, middleware }, handler);
    return this;
  }
}
