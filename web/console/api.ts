/**
 * The console's calls to the API (docs/console.md): the session cookie goes by itself (same
 * origin); every call that changes something carries the session's CSRF token, and a merchant
 * call names the merchant and the mode the user is looking at. Answers are the HttpResult of the
 * rest of the app (web/app/http.ts): a failure carries the problem's code and sentence.
 */
import * as z from 'zod/mini';
import { requestJson, type HttpResult } from '../app/http.ts';

export interface CallContext {
  csrf: string | null;
  merchant?: string | null;
  mode?: 'live' | 'test';
}

/** The headers a console call carries: the CSRF token on a change, the merchant and the mode looked at. */
export function consoleHeaders(ctx: CallContext, method = 'GET'): Record<string, string> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && ctx.csrf) headers['x-csrf-token'] = ctx.csrf;
  if (ctx.merchant) headers['counterpay-merchant'] = ctx.merchant;
  if (ctx.mode === 'test') headers['counterpay-mode'] = 'test';
  return headers;
}

/** `schema` null: an answer without a body (202, 204) or one the caller does not read. */
export function call<S extends z.ZodMiniType>(
  path: string,
  schema: S | null,
  ctx: CallContext,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {},
): Promise<HttpResult<z.infer<S>>> {
  return requestJson(path, (schema ?? z.unknown()) as S, { ...init, headers: consoleHeaders(ctx, init.method) });
}

/** The sentence a failed call shows: the server's own detail (which says what to do), or `offline`. */
export function failureText(result: Extract<HttpResult<unknown>, { ok: false }>, offline: string): string {
  return result.reason === 'network' ? offline : result.detail;
}
