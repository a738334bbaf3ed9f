/** The two API calls the shopper view makes, with their answers parsed at this edge. */
import * as z from 'zod/mini';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import { requestJson, type HttpResult } from '../app/http.ts';

const status = z.enum(VOUCHER_STATUSES);
const timestamp = z.nullable(z.string());

/** `GET /v1/voucher-links/{code}`: a short link resolved to its voucher. */
export const linkAnswerSchema = z.object({
  object: z.literal('voucher_link'),
  voucher_id: z.string(),
  token: z.string().check(z.regex(/^[0-9]+$/)),
  qr: z.string(),
  status,
  reference: z.string(),
  merchant: z.object({ name: z.string() }),
  order_ref: z.string(),
  amount: z.int(),
  currency: z.string(),
  items: z.nullish(z.array(z.object({ name: z.string(), quantity: z.int(), unit_amount: z.int() }))),
  expires_at: z.string(),
  paid_at: timestamp,
  canceled_at: timestamp,
});
export type LinkAnswer = z.infer<typeof linkAnswerSchema>;

/** `POST /v1/voucher-status`: one entry per token, in the order asked. */
export const statusAnswerSchema = z.object({
  data: z.array(
    z.union([
      z.object({ voucher_id: z.string(), status, paid_at: timestamp, canceled_at: timestamp }),
      z.object({ error: z.string() }),
    ]),
  ),
});
export type StatusAnswer = z.infer<typeof statusAnswerSchema>;

/** Short-link codes are 26 characters of Crockford Base32 (lower case on the wire). */
export const LINK_CODE = /^[0-9a-hjkmnp-tv-z]{26}$/i;

export function fetchLink(code: string): Promise<HttpResult<LinkAnswer>> {
  return requestJson(`/v1/voucher-links/${encodeURIComponent(code)}`, linkAnswerSchema);
}

/** The token is the proof of possession: whoever holds it may see the voucher's status. */
export function fetchStatuses(tokens: string[]): Promise<HttpResult<StatusAnswer>> {
  return requestJson('/v1/voucher-status', statusAnswerSchema, { method: 'POST', body: { tokens } });
}
