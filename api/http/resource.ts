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

/** The default largest request body. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Who may call a route.
 * none: anyone (shopper views, the key set, enrolment with its one-time code);
 * merchantKey: a merchant's API key; the handler sees `merchant`;
 * tillCredential: an enrolled till that is not revoked; the handler sees `till`;
 * tillCredentialRevokedToo: any enrolled till, revoked ones included, for calls whose records
 *   must be kept even from a revoked till (its collections are recorded as rejected).
 */
export type GuardName = 'none' | 'merchantKey' | 'tillCredential' | 'tillCredentialRevokedToo';

/** The middleware that enforces each guard, built once from the services (api/app.ts). */
export type Guards = Record<GuardName, MiddlewareHandler[]>;

/** The OpenAPI security schemes, and which one each guard requires. */
export const SECURITY_SCHEMES = {
  merchantApiKey: { type: 'http', scheme: 'bearer', description: "The merchant's API key (shown once by `counterpay merchant create`)." },
  tillCredential: { type: 'http', scheme: 'bearer', description: 'The till credential returned once by `POST /v1/devices`.' },
} as const;
type SchemeName = keyof typeof SECURITY_SCHEMES;
const SECURITY: Record<GuardName, Array<Partial<Record<SchemeName, string[]>>> | undefined> = {
  none: undefined,
  merchantKey: [{ merchantApiKey: [] }],
  tillCredential: [{ tillCredential: [] }],
  tillCredentialRevokedToo: [{ tillCredential: [] }],
};

export interface Declaration {
  guard: GuardName;
  /** The largest request body in bytes (default BODY_LIMIT_BYTES). */
  bodyLimit?: number;
}

export type GuardedRoute<R extends RouteConfig = RouteConfig> = R & { readonly declared: Required<Declaration> };

export function defineRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'>>(declared: Declaration, config: R): GuardedRoute<R> {
  const security = SECURITY[declared.guard];
  const route = createRoute({ ...config, ...(security ? { security } : {}) } as R & RouteConfig);
  return Object.assign(route, { declared: { guard: declared.guard, bodyLimit: declared.bodyLimit ?? BODY_LIMIT_BYTES } });
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
    const { guard, bodyLimit: maxSize } = route.declared;
    const middleware: MiddlewareHandler[] = [limitBody(maxSize), ...(WRITES.has(route.method) ? [requireJson] : []), textGuard, ...this.guards[guard]];
    this.app.openapi({ ...route, middleware }, handler);
    return this;
  }
}
