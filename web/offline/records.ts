/**
 * What the app keeps in IndexedDB, as schemas. Data read back from the database is parsed here
 * before the app trusts it (docs/architecture.md §9.1): an older or newer app version may have written it.
 *
 * A saved voucher keeps its token as the source of truth; merchant, amount, expiry and the other
 * signed claims are decoded from the token on every read rather than stored twice, so they can
 * never drift from what the signature covers.
 */
import * as z from 'zod/mini';
import { VOUCHER_STATUSES } from '../../core/vouchers/voucher-status.ts';
import { OperatorJwkSet } from '../../core/contract/keys.ts';
import { RefundForShopper, VoucherItem } from '../../core/contract/voucher-link.ts';

/**
 * A store list as fetched from `GET /v1/stores` (core/contract/stores.ts). The listings are kept
 * as the server sent them and parsed with the contract's own schema where they are shown
 * (web/shopper/where-to-pay.ts readStoredStores), in the chunk that loads with the list: the
 * first screen, which reads every voucher record, does not carry that schema.
 */
export const storesRecordSchema = z.object({
  /** When the list was fetched (ms since epoch): "Stores as of …". */
  fetchedAt: z.number(),
  /** The city or postal code typed, or null for a list by the phone's location (the position itself is not kept). */
  city: z.nullable(z.string()),
  listings: z.array(z.unknown()),
});
export type StoresRecord = z.infer<typeof storesRecordSchema>;

export const voucherRecordSchema = z.object({
  /** `vch_…`, the voucher id from the token. */
  id: z.string().check(z.regex(/^vch_[0-9a-z]{13}$/)),
  /** The signed token (digits), verified before it was first stored. */
  token: z.string().check(z.regex(/^[0-9]+$/)),
  /** The exact text of the QR: the API's `qr` field, or rebuilt from the URL the phone opened. */
  qr: z.string().check(z.minLength(1)),
  /** Full item lines, known only when the voucher came through a short link. */
  items: z.nullable(z.array(VoucherItem)),
  /** The merchant's full name when the server told us; the token may carry a shortened one. */
  merchantName: z.nullable(z.string()),
  /** The short-link code this voucher was opened with, so the same link works offline later. */
  linkCode: z.nullable(z.string()),
  /** The last status the server reported (or `open` before any answer). */
  status: z.enum(VOUCHER_STATUSES),
  paidAt: z.nullable(z.string()),
  canceledAt: z.nullable(z.string()),
  /**
   * Money going back to the shopper for this voucher, as the server last listed it (newest first),
   * with each refund's token and QR text so that its code shows offline. See readVoucherRecord for
   * a record from before refunds.
   */
  refunds: z.array(RefundForShopper),
  /** When the server last answered about this voucher (ms since epoch), null if never. */
  statusCheckedAt: z.nullable(z.number()),
  /** When this phone first saved it (ms since epoch); the wallet sorts by it, newest first. */
  savedAt: z.number(),
  /**
   * The stores last listed under the voucher ("Where to pay", web/shopper/WhereToPay.svelte), so
   * the list still shows offline; null until the shopper first looks. See storesRecordSchema.
   */
  stores: z.nullable(storesRecordSchema),
});
export type VoucherRecord = z.infer<typeof voucherRecordSchema>;

/**
 * A stored voucher as this version reads it, or null. A record from before refunds has none, and
 * one whose refunds this version cannot read (a newer app's) is read without them rather than
 * hidden: the next status check brings them again. Likewise a record from before store lists (or
 * with one this version cannot read) is read without it: the shopper can look the stores up again.
 */
export function readVoucherRecord(value: unknown): VoucherRecord | null {
  const result = voucherRecordSchema.safeParse(value);
  if (result.success) return result.data;
  for (const fallback of [{ stores: null }, { refunds: [] }, { refunds: [], stores: null }]) {
    const retried = voucherRecordSchema.safeParse({ ...(value as object), ...fallback });
    if (retried.success) return retried.data;
  }
  // Keep the unreadable row (it may hold a voucher a later version can read) but do not show it.
  console.warn('Counterpay: a saved voucher could not be read and is not shown', result.error);
  return null;
}

/** A voucher as first saved from its token alone: nothing is known yet beyond what the token signs. */
export function newVoucherRecord(v: { id: string; token: string; qr: string; savedAt: number }): VoucherRecord {
  return { ...v, items: null, merchantName: null, linkCode: null, status: 'open', paidAt: null, canceledAt: null, refunds: [], statusCheckedAt: null, stores: null };
}

export const keysRecordSchema = z.object({
  id: z.literal('operator'),
  set: OperatorJwkSet,
  /** When the set was fetched (ms since epoch). */
  fetchedAt: z.number(),
});
export type KeysRecord = z.infer<typeof keysRecordSchema>;
