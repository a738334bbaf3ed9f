/**
 * The API calls the till makes, each answer parsed at this edge. Failures come back as values
 * ("no network" is a normal state for a till), carrying the RFC 9457 problem `type` when the
 * server sent one so the till can tell "wrong code" from "device withdrawn".
 */
import * as z from 'zod/mini';
import { requestJson, type HttpResult } from '../app/http.ts';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import type { SignedCollection } from '../../core/collections/collection-record.ts';
import { jwkSetSchema } from '../offline/records.ts';
import { leaseSchema, outcomeSchema, storeSchema } from '../offline/till-records.ts';

/** Till calls share the page's one HTTP edge (web/app/http.ts). */
export type ApiResult<T> = HttpResult<T>;
export const call = requestJson;

export const enrolAnswerSchema = z.object({
  object: z.literal('device'),
  id: z.string(),
  name: z.nullish(z.string()),
  store: storeSchema,
  credential: z.string().check(z.minLength(1)),
  lease: leaseSchema,
  enrolled_at: z.string(),
  server_time: z.optional(z.string()),
  server_time_proof: z.optional(z.string()),
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
  server_time_proof: z.optional(z.string()),
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
