/**
 * Paying a refund out at the counter (docs/refunds.md): the refund's token is checked offline
 * (signed by the operator, not expired, this store's currency), then the server must grant the
 * payout to this till; only a granted payout shows "hand over". The grant is kept in IndexedDB
 * until the cashier records the payout (a signed journal row) or voids it, so a reload in between
 * asks the same question again. With no network nothing is paid out: the cashier gets a sentence.
 */
import { checkRefundAtTill } from '../../core/collections/till-check.ts';
import type { PayoutAuthorization } from '../../core/contract/till.ts';
import { verificationKeysOf, type OperatorJwkSet } from '../../core/token/operator-keys.ts';
import type { VoucherClaims } from '../../core/token/voucher-token.ts';
import type { ApiResult } from './till.api.ts';

/** Why a refund is not paid out here and now; each has its sentence (refusals.ts, `till.refusal.payout_*`). */
export type PayoutRefusal =
  | 'payout_offline'
  | 'payout_unreadable'
  | 'payout_expired'
  | 'payout_wrong_currency'
  /** A test-mode refund: the test helpers pay it out, never a till. */
  | 'payout_test'
  | 'payout_already_paid'
  | 'payout_held_elsewhere'
  | 'payout_not_payable'
  | 'payout_unknown'
  | 'payout_code_locked'
  | 'payout_failed'
  /** Not a refusal: the grant was given back, nothing was handed over (the refund stays payable). */
  | 'payout_voided';

/** What the counter shows of a refund. */
export type PayoutStep =
  /** The server must be asked: "Asking Counterpay…". */
  | { step: 'asking'; token: string; claims: VoucherClaims }
  /** Above the store's limit: type the six digits sent to the shopper (`wrong` after a wrong try). */
  | { step: 'code'; token: string; claims: VoucherClaims; wrong: boolean }
  /** Granted to this till: hand the cash over now, then confirm, or void. */
  | { step: 'granted'; token: string; grant: PayoutAuthorization; voidFailed?: boolean }
  | { step: 'refused'; reason: PayoutRefusal; detail: string; claims?: VoucherClaims };

export interface PayoutPorts {
  cachedKeys(): Promise<OperatorJwkSet | null>;
  refreshKeys(): Promise<OperatorJwkSet | null>;
  storeCurrency: string;
  online(): boolean;
  authorize(body: { token: string; code?: string }): Promise<ApiResult<PayoutAuthorization>>;
  /** Keeps the grant before the counter shows it. */
  keepGrant(token: string, grant: PayoutAuthorization): Promise<void>;
  now(): Date;
}

/** The offline half: is this a payable refund token at all? Then "asking", or a refusal. */
export async function checkRefund(token: string, ports: Pick<PayoutPorts, 'cachedKeys' | 'refreshKeys' | 'storeCurrency' | 'online' | 'now'>): Promise<PayoutStep> {
  let set = await ports.cachedKeys();
  if (!set && ports.online()) set = await ports.refreshKeys();
  if (!set) return { step: 'refused', reason: 'payout_offline', detail: 'no operator keys on this till' };
  const run = async (keys: OperatorJwkSet) => checkRefundAtTill(token, { keys: await verificationKeysOf(keys), now: ports.now(), currency: ports.storeCurrency });
  let check = await run(set);
  if (!check.ok && check.reason === 'unknown_key' && ports.online()) {
    const fresh = await ports.refreshKeys();
    if (fresh) check = await run(fresh);
  }
  if (check.ok) return { step: 'asking', token, claims: check.claims };
  if (check.reason === 'expired') return { step: 'refused', reason: 'payout_expired', detail: check.detail, claims: check.claims };
  if (check.reason === 'wrong_currency') return { step: 'refused', reason: 'payout_wrong_currency', detail: check.detail, claims: check.claims };
  if (check.reason === 'test_refund') return { step: 'refused', reason: 'payout_test', detail: check.detail, claims: check.claims };
  return { step: 'refused', reason: 'payout_unreadable', detail: `${check.reason}: ${check.detail}` };
}

/** The online half: ask for the grant (with the shopper's code when given) and keep it before showing it. */
export async function askForPayout(token: string, claims: VoucherClaims, ports: PayoutPorts, code?: string): Promise<PayoutStep> {
  if (!ports.online()) return { step: 'refused', reason: 'payout_offline', detail: 'offline', claims };
  const answer = await ports.authorize(code === undefined ? { token } : { token, code });
  if (answer.ok) {
    await ports.keepGrant(token, answer.data);
    return { step: 'granted', token, grant: answer.data };
  }
  if (answer.reason === 'network') return { step: 'refused', reason: 'payout_offline', detail: 'the server cannot be reached', claims };
  if (answer.reason === 'bad_answer') return { step: 'refused', reason: 'payout_failed', detail: answer.detail, claims };
  const refused = (reason: PayoutRefusal): PayoutStep => ({ step: 'refused', reason, detail: answer.detail, claims });
  switch (answer.problem) {
    case 'refund-needs-code':
      return { step: 'code', token, claims, wrong: false };
    case 'refund-code-wrong':
      return { step: 'code', token, claims, wrong: true };
    case 'rate-limited':
      return refused('payout_code_locked');
    case 'refund-already-paid':
      return refused('payout_already_paid');
    case 'refund-held-elsewhere':
      return refused('payout_held_elsewhere');
    case 'refund-not-payable':
      return refused('payout_not_payable');
    case 'not-found':
      return refused('payout_unknown');
    default:
      return refused('payout_failed');
  }
}
