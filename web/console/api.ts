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

/** `schema` null: an answer without a body (202, 204) or one the caller does not read. */
export function call<S extends z.ZodMiniType>(
  path: string,
  schema: S | null,
  ctx: CallContext,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {},
): Promise<HttpResult<z.infer<S>>> {
  const headers: Record<string, string> = {};
  if ((init.method ?? 'GET') !== 'GET' && ctx.csrf) headers['x-csrf-token'] = ctx.csrf;
  if (ctx.merchant) headers['counterpay-merchant'] = ctx.merchant;
  if (ctx.mode === 'test') headers['counterpay-mode'] = 'test';
  return requestJson(path, (schema ?? z.unknown()) as S, { ...init, headers });
}
