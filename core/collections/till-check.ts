/**
 * What a till checks before it lets the cashier collect, offline (docs/architecture.md §1.4, §2). Pure: the
 * cashier view calls it with what it holds (cached keys, the paid list, its journal, its lease).
 */
import { verifyVoucherToken, type VerificationKeys, type VoucherClaims } from '../token/voucher-token.ts';
import { refundIdToString, voucherIdToString } from '../vouchers/voucher-id.ts';
import { referenceForVoucherId } from '../reference/reference.ts';
import { checkLease, type LeaseCheck } from './lease.ts';
import type { Lease } from '../contract/till.ts';

export interface TillContext {
  keys: VerificationKeys;
  now: Date;
  lease: Lease;
  /** Status of vouchers paid or canceled elsewhere, from the server's feed (undefined: not known to be). */
  knownStatus(voucherId: string): 'paid' | 'canceled' | undefined;
  /** True when this till's own journal already holds a collection for the voucher. */
  collectedHere(voucherId: string): boolean;
  unsyncedTotal: number;
  unsyncedCount: number;
  lastSyncAt: Date | null;
}

export type TillCheck =
  | { ok: true; voucherId: string; reference: string; claims: VoucherClaims; lease: LeaseCheck }
  | {
      ok: false;
      /**
       * malformed / unsupported / unknown_key / bad_signature: not a valid Counterpay voucher (or keys are out of date);
       * expired: its expiry has passed, so the shopper must ask the shop for a new one;
       * wrong_currency: the voucher is in another currency than this store takes;
       * paid_elsewhere / canceled: the feed says so; collecting would owe the shopper a refund;
       * collected_here: this till already took money for it;
       * not_a_voucher: a refund's token, which is paid out (checkRefundAtTill), never collected;
       * test_voucher: a test-mode voucher (made with a test API key): no money may be taken for it.
       */
      reason:
        | 'malformed'
        | 'unsupported'
        | 'unknown_key'
        | 'bad_signature'
        | 'expired'
        | 'wrong_currency'
        | 'paid_elsewhere'
        | 'canceled'
        | 'collected_here'
        | 'not_a_voucher'
        | 'test_voucher';
      detail: string;
      claims?: VoucherClaims;
    };

/**
 * Checks a scanned token. A lease problem does not refuse the voucher here: it is returned in
 * `lease` so the till can ask for an online confirmation, or refuse when offline.
 */
export async function checkVoucherAtTill(token: string, ctx: TillContext): Promise<TillCheck> {
  const verified = await verifyVoucherToken(token, ctx.keys);
  if (!verified.ok) return { ok: false, reason: verified.reason, detail: verified.detail };
  const claims = verified.claims;
  if (claims.kind !== 'voucher') return { ok: false, reason: 'not_a_voucher', detail: 'this is a refund to pay out, not a voucher to collect', claims };
  // Before any question of its state: whatever that is, no money changes hands for a test voucher.
  if (claims.test) return { ok: false, reason: 'test_voucher', detail: 'a test-mode voucher: no money may be taken for it', claims };
  const voucherId = voucherIdToString(claims.voucherId);
  // This till's own row is the most useful fact: the cashier sees when they took it, whatever
  // the paid list or the clock says since.
  if (ctx.collectedHere(voucherId)) return { ok: false, reason: 'collected_here', detail: `${voucherId} was already collected at this till`, claims };
  if (claims.expiresAt * 1000 <= ctx.now.getTime()) return { ok: false, reason: 'expired', detail: `expired at ${new Date(claims.expiresAt * 1000).toISOString()}`, claims };
  if (claims.currency !== ctx.lease.currency)
    return { ok: false, reason: 'wrong_currency', detail: `voucher is in ${claims.currency}; this store takes ${ctx.lease.currency}`, claims };
  const status = ctx.knownStatus(voucherId);
  if (status === 'paid') return { ok: false, reason: 'paid_elsewhere', detail: `${voucherId} is already paid`, claims };
  if (status === 'canceled') return { ok: false, reason: 'canceled', detail: `${voucherId} was canceled by the merchant`, claims };
  const lease = checkLease(ctx.lease, { amount: claims.amount, unsyncedTotal: ctx.unsyncedTotal, unsyncedCount: ctx.unsyncedCount, lastSyncAt: ctx.lastSyncAt, now: ctx.now });
  return { ok: true, voucherId, reference: referenceForVoucherId(claims.voucherId), claims, lease };
}

export type RefundCheck =
  | { ok: true; refundId: string; reference: string; claims: VoucherClaims }
  | { ok: false; reason: 'malformed' | 'unsupported' | 'unknown_key' | 'bad_signature' | 'expired' | 'wrong_currency' | 'test_refund'; detail: string; claims?: VoucherClaims };

/**
 * What a till checks of a refund before it asks the server for the payout grant: that the operator
 * signed it, that it has not expired and that it is in the store's currency. Whether it is still
 * payable only the server can say (a payout is never made offline: docs/refunds.md).
 */
export async function checkRefundAtTill(token: string, ctx: { keys: VerificationKeys; now: Date; currency: string }): Promise<RefundCheck> {
  const verified = await verifyVoucherToken(token, ctx.keys);
  if (!verified.ok) return { ok: false, reason: verified.reason, detail: verified.detail };
  const claims = verified.claims;
  if (claims.kind !== 'refund') return { ok: false, reason: 'malformed', detail: 'not a refund token' };
  if (claims.test) return { ok: false, reason: 'test_refund', detail: 'a test-mode refund: no money may be paid out for it', claims };
  if (claims.expiresAt * 1000 <= ctx.now.getTime()) return { ok: false, reason: 'expired', detail: `expired at ${new Date(claims.expiresAt * 1000).toISOString()}`, claims };
  if (claims.currency !== ctx.currency) return { ok: false, reason: 'wrong_currency', detail: `refund is in ${claims.currency}; this store pays out ${ctx.currency}`, claims };
  return { ok: true, refundId: refundIdToString(claims.voucherId), reference: referenceForVoucherId(claims.voucherId), claims };
}
