/**
 * The API calls the till makes, each answer parsed at this edge with the contract's schema
 * (core/contract/till.ts). Failures come back as values ("no network" is a normal state for a
 * till), carrying the RFC 9457 problem code when the server sent one so the till can tell
 * "wrong code" from "device withdrawn".
 */
import { requestJson, type HttpResult } from '../app/http.ts';
import {
  ByReference,
  CollectionsAnswer,
  EnrolledDevice,
  FeedPage,
  PayoutAuthorization,
  PayoutVoid,
  type EnrolRequest,
  type JournalRecord,
  type PayoutRequest,
} from '../../core/contract/till.ts';
import { VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';

/** Till calls share the page's one HTTP edge (web/app/http.ts). */
export type ApiResult<T> = HttpResult<T>;
export const call = requestJson;

export function enrolDevice(body: EnrolRequest): Promise<ApiResult<EnrolledDevice>> {
  return call('/v1/devices', EnrolledDevice, { method: 'POST', body });
}

export function getFeed(credential: string, since: string | null): Promise<ApiResult<FeedPage>> {
  return call(`/v1/till/feed${since === null ? '' : `?since=${encodeURIComponent(since)}`}`, FeedPage, { credential });
}

/** Sends journal records (collections and payouts) to `POST /v1/collections`. */
export function postCollections(credential: string, collections: JournalRecord[]): Promise<ApiResult<CollectionsAnswer>> {
  return call('/v1/collections', CollectionsAnswer, { method: 'POST', body: { collections }, credential });
}

export function findByReference(credential: string, reference: string): Promise<ApiResult<ByReference>> {
  return call(`/v1/till/vouchers/by-reference/${encodeURIComponent(reference)}`, ByReference, { credential });
}

/** `POST /v1/voucher-status`: the online confirmation when a voucher is above the offline lease. */
export function confirmStatus(token: string): Promise<ApiResult<VoucherStatusAnswer>> {
  return call('/v1/voucher-status', VoucherStatusAnswer, { method: 'POST', body: { tokens: [token] } });
}

/** `POST /v1/till/payouts`: the server's grant to pay a refund out at this till (docs/refunds.md). */
export function authorizePayout(credential: string, body: PayoutRequest): Promise<ApiResult<PayoutAuthorization>> {
  return call('/v1/till/payouts', PayoutAuthorization, { method: 'POST', body, credential });
}

/** `POST /v1/till/payouts/{id}/void`: the cash was not handed over; give the grant back. */
export function voidPayout(credential: string, authorizationId: string): Promise<ApiResult<PayoutVoid>> {
  return call(`/v1/till/payouts/${encodeURIComponent(authorizationId)}/void`, PayoutVoid, { method: 'POST', credential });
}
