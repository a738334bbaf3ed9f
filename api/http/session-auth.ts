/**
 * The console's cookie session (docs/console.md): which user a request is from, the cross-site
 * rule for everything that changes something, and the audit row around each such change.
 *
 * The cookie is `__Host-counterpay_session`: HttpOnly (no script reads it), Secure, SameSite=Strict
 * (no other site's page sends it) and host-only on path `/`. SameSite is the browser's half of the
 * cross-site rule; the server's half does not rely on it: a state-changing request must also carry
 * an `Origin` equal to PUBLIC_URL's and the session's CSRF token in `X-CSRF-Token`, which only the
 * console's own pages can read (from GET /v1/console/me).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ConsoleService, RequestMeta, SignedIn } from '../console/console.service.ts';
import { ConsoleAccessError, CounterpayError, CrossSiteRequestError, SessionEndedError } from '../errors.ts';
import { clientAddress } from './rate-limit.ts';

export const SESSION_COOKIE = '__Host-counterpay_session';

export type SessionEnv = { Variables: { console: SignedIn } };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isSafeMethod = (method: string) => SAFE.has(method);

export function requestMeta(c: Context): RequestMeta {
  return { ip: clientAddress(c), userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null };
}

/** The cookie that starts a session (Max-Age: its absolute expiry; the server enforces the idle one). */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${Math.floor(maxAgeSeconds)}; HttpOnly; Secure; SameSite=Strict`;
}

/** The cookie that ends one in the browser too (the server has ended it already). */
export const clearedSessionCookie = `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;

export const hasSessionCookie = (c: Context) => getCookie(c, SESSION_COOKIE) !== undefined;

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The server's half of the cross-site rule, for a request that changes something: its Origin must
 * be the console's own (a form on another site sends its own, or `null`), and it must carry the
 * session's CSRF token, which another site's page cannot read.
 */
export function refuseCrossSite(c: Context, expectedOrigin: string, csrfToken: string | null): void {
  const origin = c.req.header('origin');
  if (origin !== expectedOrigin)
    throw new CrossSiteRequestError(
      origin === undefined
        ? 'a console request that changes something must carry an Origin header'
        : `requests from ${JSON.stringify(origin.slice(0, 100))} may not use a console session`,
    );
  if (csrfToken === null) return;
  const sent = c.req.header('x-csrf-token');
  if (!sent || !sameText(sent, csrfToken)) throw new CrossSiteRequestError('the X-CSRF-Token header is missing or is not this session’s (reload the console)');
}

/** Authenticates the cookie's session (or refuses with a precise sentence) and applies the cross-site rule. */
export async function signedInFrom(c: Context, consoleService: ConsoleService): Promise<SignedIn> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw new SessionEndedError('you are not signed in to the console: sign in first');
  const signedIn = await consoleService.authenticate(token);
  if (!isSafeMethod(c.req.method)) refuseCrossSite(c, consoleService.expectedOrigin, signedIn.session.csrfToken);
  return signedIn;
}

/**
 * Runs the rest of a state-changing console request inside its audit row: the action is the
 * route (`POST /v1/vouchers/{id}/refunds`), the target its `id` path parameter, the outcome the
 * HTTP status (or the error's code).
 */
export async function auditedRequest(c: Context, consoleService: ConsoleService, signedIn: SignedIn, merchantId: string | null, next: () => Promise<void>): Promise<void> {
  if (isSafeMethod(c.req.method)) return next();
  const action = `${c.req.method} ${c.req.routePath.replace(/:(\w+)/g, '{$1}')}`;
  const target = c.req.param('id') ?? null;
  await consoleService.audited(
    { kind: 'user', user: signedIn.user },
    { action, target, merchantId },
    requestMeta(c),
    async () => {
      await next();
      // A handler's failure reaches here as the problem response onError made of it, with the error on c.error.
      const code = c.error instanceof CounterpayError ? c.error.code : c.error ? 'internal' : null;
      return { status: c.res.status, code };
    },
    ({ status, code }) => ({ ok: status < 400, result: code ? `${status} ${code}` : String(status) }),
  );
}

/** Any signed-in console user; the handler sees `console`. */
export const consoleSession = (consoleService: ConsoleService): MiddlewareHandler<SessionEnv> =>
  createMiddleware<SessionEnv>(async (c, next) => {
    const signedIn = await signedInFrom(c, consoleService);
    c.set('console', signedIn);
    await auditedRequest(c, consoleService, signedIn, null, next);
  });

/** A signed-in operator; the handler sees `console`. */
export const operatorSession = (consoleService: ConsoleService): MiddlewareHandler<SessionEnv> =>
  createMiddleware<SessionEnv>(async (c, next) => {
    const signedIn = await signedInFrom(c, consoleService);
    if (!signedIn.user.operator) throw new ConsoleAccessError('this is for operators: your user is not one');
    c.set('console', signedIn);
    await auditedRequest(c, consoleService, signedIn, null, next);
  });

/** Anyone, from the console's own origin: the sign-in routes, before there is a session. */
export const consoleOrigin = (consoleService: ConsoleService): MiddlewareHandler =>
  createMiddleware(async (c, next) => {
    refuseCrossSite(c, consoleService.expectedOrigin, null);
    await next();
  });
