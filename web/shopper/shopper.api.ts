/** The two API calls the shopper view makes, with their answers parsed at this edge (shapes: core/contract/vouchers.ts). */
import { VoucherLink, VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';
import { requestJson, type HttpResult } from '../app/http.ts';

/** `GET /v1/voucher-links/{code}`: a short link resolved to its voucher. */
export function fetchLink(code: string): Promise<HttpResult<VoucherLink>> {
  return requestJson(`/v1/voucher-links/${encodeURIComponent(code)}`, VoucherLink);
}

/** `POST /v1/voucher-status`, one entry per token in the order asked. The token is the proof of possession: whoever holds it may see the voucher's status. */
export function fetchStatuses(tokens: string[]): Promise<HttpResult<VoucherStatusAnswer>> {
  return requestJson('/v1/voucher-status', VoucherStatusAnswer, { method: 'POST', body: { tokens } });
}
