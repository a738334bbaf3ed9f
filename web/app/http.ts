/**
 * Calls to the Counterpay API from the page (shopper and till alike). Answers are parsed at this
 * edge with a schema; the caller gets a discriminated result, because "no network" is a normal
 * state for this app, not an exception. A failure carries the RFC 9457 problem's code
 * (core/contract/problem.ts), so a till can tell "wrong code" from "device withdrawn".
 */
import type * as z from 'zod/mini';
import { problemSlugOf } from '../../core/contract/problem.ts';

export type HttpResult<T> =
  | { ok: true; data: T }
  /**
   * network: no answer at all (offline, server down); the caller keeps what it has.
   * status: the server answered with an error; `status`, `problem` (the problem's code as
   *   sent, a ProblemCode from this server, or null) and the RFC 9457 `detail` say which.
   * bad_answer: a 2xx whose body is not what this app version expects.
   */
  | { ok: false; reason: 'network' }
  | { ok: false; reason: 'status'; status: number; problem: string | null; detail: string }
  | { ok: false; reason: 'bad_answer'; detail: string };

export async function requestJson<S extends z.ZodMiniType>(
  path: string,
  schema: S,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; credential?: string; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<HttpResult<z.infer<S>>> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.credential) headers.authorization = `Bearer ${init.credential}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
  } catch {
    return { ok: false, reason: 'network' };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = typeof body === 'object' && body !== null ? (body as { type?: unknown; detail?: unknown }) : {};
    const detail = typeof problem.detail === 'string' ? problem.detail : response.statusText;
    return { ok: false, reason: 'status', status: response.status, problem: problemSlugOf(problem.type), detail };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'bad_answer', detail: `unexpected answer from ${path}: ${parsed.error.message}` };
  return { ok: true, data: parsed.data as z.infer<S> };
}
