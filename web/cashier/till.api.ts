/**
 * The API calls the till makes, each answer parsed at this edge. Failures come back as values
 * ("no network" is a normal state for a till), carrying the RFC 9457 problem `type` when the
 * server sent one so the till can tell "wrong code" from "device withdrawn".
 */
import * as z from 'zod/mini';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import { jwkSetSchema } from '../offline/records.ts';
import { leaseSchema, outcomeSchema, storeSchema } from '../offline/till-records.ts';

export type ApiResult<T> =
  | { ok: true; data: T }
  /** network: no answer at all; the till keeps what it has and tries again later. */
  | { ok: false; reason: 'network' }
  /** status: the server answered with an error; `problem` is the last segment of its problem type. */
  | { ok: false; reason: 'status'; status: number; problem: string | null; detail: string }
  /** bad_answer: a 2xx this app version cannot read. */
  | { ok: false; reason: 'bad_answer'; detail: string };

export async function call<S extends z.ZodMiniType>(
  path: string,
  schema: S,
  init: { method?: 'GET' | 'POST'; body?: unknown; credential?: string; signal?: AbortSignal } = {},
): Promise<ApiResult<z.infer<S>>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.credential) headers.authorization = `Bearer ${init.credential}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: init.signal,
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
    const type = typeof problem.type === 'string' ? (/#([\w-]+)$/.exec(problem.type)?.[1] ?? null) : null;
    const detail = typeof problem.detail === 'string' ? problem.detail : response.statusText;
    return { ok: false, reason: 'status', status: response.status, problem: type, detail };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'bad_answer', detail: `unexpected answer from ${path}: ${parsed.error.message}` };
  return { ok: true, data: parsed.data as z.infer<S> };
}

export const enrolAnswerSchema = z.object({
  object: z.literal('device'),
  id: z.string(),
  name: z.nullish(z.string()),
  store: storeSchema,
  credential: z.string().check(z.minLength(1)),
  lease: leaseSchema,
  enrolled_at: z.string(),
});
export type EnrolAnswer = z.infer<typeof enrolAnswerSchema>;

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export function enrolDevice(body: { enrollment_code: string; public_key: PublicJwk; name?: string }): Promise<ApiResult<EnrolAnswer>> {
  return call('/v1/devices', enrolAnswerSchema, { method: 'POST', body });
}

export const feedSchema = z.object({
  object: z.literal('till_feed'),
  changes: z.array(z.object({ voucher_id: z.string(), status: z.enum(['paid', 'canceled']), changed_at: z.string() })),
  cursor: z.string(),
  has_more: z.boolean(),
  keys: jwkSetSchema,
  lease: leaseSchema,
  store: storeSchema,
  server_time: z.string(),
});
export type FeedPage = z.infer<typeof feedSchema>;

export function getFeed(credential: string, since: string | null): Promise<ApiResult<FeedPage>> {
  return call(`/v1/till/feed${since === null ? '' : `?since=${encodeURIComponent(since)}`}`, feedSchema, { credential });
}

export const collectionsAnswerSchema = z.object({
  data: z.array(z.extend(outcomeSchema, { index: z.int(), id: z.nullable(z.string()) })),
});
export type CollectionsAnswer = z.infer<typeof collectionsAnswerSchema>;

export function postCollections(credential: string, collections: SignedCollection[]): Promise<ApiResult<CollectionsAnswer>> {
  return call('/v1/collections', collectionsAnswerSchema, { method: 'POST', body: { collections }, credential });
}

export const byReferenceSchema = z.object({ voucher_id: z.string(), token: z.string().check(z.regex(/^[0-9]+$/)), status: z.enum(VOUCHER_STATUSES) });
export type ByReference = z.infer<typeof byReferenceSchema>;

export function findByReference(credential: string, reference: string): Promise<ApiResult<ByReference>> {
  return call(`/v1/till/vouchers/by-reference/${encodeURIComponent(reference)}`, byReferenceSchema, { credential });
}

const statusSchema = z.object({
  data: z.array(z.union([z.object({ voucher_id: z.string(), status: z.enum(VOUCHER_STATUSES) }), z.object({ error: z.string() })])),
});
export type StatusAnswer = z.infer<typeof statusSchema>;

/** `POST /v1/voucher-status`: the online confirmation when a voucher is above the offline lease. */
export function confirmStatus(token: string): Promise<ApiResult<StatusAnswer>> {
  return call('/v1/voucher-status', statusSchema, { method: 'POST', body: { tokens: [token] } });
}
