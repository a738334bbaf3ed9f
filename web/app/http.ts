/**
 * Calls to the Counterpay API from the page. Answers are parsed at this edge with a schema; the
 * caller gets a discriminated result, because "no network" is a normal state for this app, not
 * an exception.
 */
import type * as z from 'zod/mini';

export type HttpResult<T> =
  | { ok: true; data: T }
  /**
   * network: no answer at all (offline, server down); the caller keeps what it has.
   * status: the server answered with an error; `status` and the RFC 9457 `detail` say which.
   * bad_answer: a 2xx whose body is not what this app version expects.
   */
  | { ok: false; reason: 'network' } 
  | { ok: false; reason: 'status'; status: number; detail: string }
  | { ok: false; reason: 'bad_answer'; detail: string };

export async function requestJson<S extends z.ZodMiniType>(
  path: string,
  schema: S,
  init?: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal },
): Promise<HttpResult<z.infer<S>>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init?.method ?? 'GET',
      headers: init?.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init?.signal,
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
    const detail = typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string' ? body.detail : response.statusText;
    return { ok: false, reason: 'status', status: response.status, detail };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'bad_answer', detail: `unexpected answer from ${path}` };
  return { ok: true, data: parsed.data as z.infer<S> };
}
