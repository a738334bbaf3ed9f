/**
 * The one place where failures become HTTP: RFC 9457 `application/problem+json` with `type`,
 * `title`, `status`, `detail`, `instance`, and `errors` (the offending fields) for validation.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PROBLEM_TYPE_BASE, type Problem, type ProblemCode } from '../../core/contract/problem.ts';
import { sqlState } from '../db/sql-state.ts';
import { isDatabaseUnavailable, isStorageFull, UnavailableLog } from '../db/unavailable.ts';
import { CounterpayError, DatabaseUnavailableError, StorageFullError, MalformedJsonError, UnsupportedMediaTypeError, type FailureKind } from '../errors.ts';

const STATUS: Record<FailureKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

export function problemBody(err: CounterpayError, instance: string): Problem {
  return {
    type: PROBLEM_TYPE_BASE + err.code,
    title: err.title,
    status: STATUS[err.kind],
    detail: err.message,
    instance,
    ...(err.fields ? { errors: err.fields } : {}),
  };
}

export function problemResponse(err: CounterpayError, instance: string): Response {
  const body = problemBody(err, instance);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (err.kind === 'unauthenticated') headers['www-authenticate'] = 'Bearer realm="counterpay"';
  if (err.kind === 'unavailable' || err.kind === 'rate_limited' || err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds ?? 5);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

const unavailableLog = new UnavailableLog();

/**
 * One line for the log about an unexpected error: its name, SQLSTATE and message, with the SQL
 * and its parameters cut off. A failed query's message carries the statement and its parameters
 * (a shopper's e-mail, a token, a credential hash), which never go to the log.
 */
export function describeForLog(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { message?: string } };
  const state = sqlState(err);
  const message = String(e.cause?.message ?? e.message ?? err)
    .split('\n')[0]!
    .replace(/^Failed query:.*$/s, 'a database query failed')
    .replace(/\bparams:.*$/s, '')
    .slice(0, 300);
  return `${e.name ?? 'Error'}${state ? ` (SQLSTATE ${state})` : ''}: ${message}`;
}

/** Hono onError: named failures map to their status; anything else is our bug and a 500. */
export function onError(err: Error, c: Context): Response {
  const instance = new URL(c.req.url).pathname;
  if (err instanceof CounterpayError) return problemResponse(err, instance);
  if (err instanceof HTTPException && err.status === 400 && /JSON/i.test(err.message)) {
    return problemResponse(new MalformedJsonError(err.message), instance);
  }
  if (err instanceof HTTPException && err.status === 415) {
    return problemResponse(new UnsupportedMediaTypeError(c.req.header('content-type')), instance);
  }
  if (isDatabaseUnavailable(err)) {
    unavailableLog.note(err, `${c.req.method} ${instance}`);
    return problemResponse(isStorageFull(err) ? new StorageFullError() : new DatabaseUnavailableError(), instance);
  }
  console.error(`[counterpay] unexpected error on ${c.req.method} ${instance}: ${describeForLog(err)}`);
  return new Response(
    JSON.stringify({
      type: PROBLEM_TYPE_BASE + ('internal' satisfies ProblemCode),
      title: 'Internal error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance,
    }),
    { status: 500, headers: { 'content-type': 'application/problem+json' } },
  );
}
