/**
 * The till's decision on a voucher (docs/architecture.md §1.4, §2): the shared offline check from core/, then
 * the lease. Above the lease the till asks the server to confirm the voucher is still open, and
 * refuses when it cannot ask. Each refusal reason maps to one sentence the cashier can act on
 * (refusals.ts).
 */
import { checkVoucherAtTill, type TillCheck } from '../../core/collections/till-check.ts';
import type { LeaseCheck } from '../../core/collections/lease.ts';
import type { Lease } from '../../core/contract/till.ts';
import { verificationKeysOf, type OperatorJwkSet } from '../../core/token/operator-keys.ts';
import { decodeVoucherToken, type VerificationKeys, type VoucherClaims } from '../../core/token/voucher-token.ts';
import { voucherIdToString } from '../../core/vouchers/voucher-id.ts';
import type { ApiResult } from './till.api.ts';
import type { ByReference } from '../../core/contract/till.ts';
import type { VoucherStatusAnswer } from '../../core/contract/voucher-link.ts';

type LeaseReason = Extract<LeaseCheck, { ok: false }>['reason'];

export type Refusal =
  | Extract<TillCheck, { ok: false }>['reason']
  /** The till has no operator keys yet (it never synced) and cannot fetch them now. */
  | 'keys_unavailable'
  /** Above the offline lease and the server cannot be asked: `lease_<why>`. */
  | `lease_${LeaseReason}`
  /** A typed reference needs the server, and the till is offline. */
  | 'reference_offline'
  /** The server knows no voucher with this reference. */
  | 'reference_not_found'
  /** The server answered a lookup or confirmation with an error. */
  | 'server_error';

export type TillDecision =
  | {
      ok: true;
      token: string;
      voucherId: string;
      reference: string;
      claims: VoucherClaims;
      /** True when the server confirmed the voucher open because it is above the lease: sync at once after collecting. */
      confirmedOnline: boolean;
    }
  | {
      ok: false;
      reason: Refusal;
      detail: string;
      claims?: VoucherClaims;
      /** A typed reference that names a refund: its token, to pay out instead (payout.ts). */
      refundToken?: string;
    };

export interface CheckPorts {
  /** The cached operator key set; null when the till never synced. */
  cachedKeys(): Promise<OperatorJwkSet | null>;
  /** Fetches a fresh key set (a sync of the feed); null when offline. */
  refreshKeys(): Promise<OperatorJwkSet | null>;
  lease: Lease;
  paidList: ReadonlyMap<string, 'paid' | 'canceled'>;
  collectedHere(voucherId: string): Promise<boolean>;
  unsynced: { count: number; total: number };
  lastSyncAt: Date | null;
  online(): boolean;
  confirm(token: string): Promise<ApiResult<VoucherStatusAnswer>>;
  now(): Date;
}

export async function checkToken(token: string, ports: CheckPorts): Promise<TillDecision> {
  let set = await ports.cachedKeys();
  let refreshed = false;
  if (!set) {
    set = ports.online() ? await ports.refreshKeys() : null;
    refreshed = true;
    if (!set) return { ok: false, reason: 'keys_unavailable', detail: 'no operator keys on this till' };
  }
  const collected = new Set<string>();
  const run = (keys: VerificationKeys) =>
    checkVoucherAtTill(token, {
      keys,
      now: ports.now(),
      lease: ports.lease,
      knownStatus: (id) => ports.paidList.get(id),
      collectedHere: (id) => collected.has(id),
      unsyncedTotal: ports.unsynced.total,
      unsyncedCount: ports.unsynced.count,
      lastSyncAt: ports.lastSyncAt,
    });
  // collectedHere is asynchronous (IndexedDB); core's check is synchronous about it, so the
  // journal is asked first for the voucher this token names.
  const decoded = decodeVoucherToken(token);
  if (decoded.ok) {
    const id = voucherIdToString(decoded.claims.voucherId);
    if (await ports.collectedHere(id)) collected.add(id);
  }
  let check = await run(await verificationKeysOf(set));
  // A key this till has not seen yet: the operator may have rotated keys since the last sync.
  if (!check.ok && check.reason === 'unknown_key' && !refreshed && ports.online()) {
    const fresh = await ports.refreshKeys();
    if (fresh) check = await run(await verificationKeysOf(fresh));
  }
  if (!check.ok) return check;
  const base = { ok: true as const, token, voucherId: check.voucherId, reference: check.reference, claims: check.claims };
  if (check.lease.ok) return { ...base, confirmedOnline: false };

  // Above the lease: only the server can say the voucher is still open.
  const leaseRefusal = { ok: false as const, reason: `lease_${check.lease.reason}` as const, detail: check.lease.reason, claims: check.claims };
  if (!ports.online()) return leaseRefusal;
  const answer = await ports.confirm(token);
  if (!answer.ok) return answer.reason === 'network' ? leaseRefusal : { ok: false, reason: 'server_error', detail: answer.detail, claims: check.claims };
  const entry = answer.data.data[0];
  if (!entry) return { ok: false, reason: 'server_error', detail: 'empty answer', claims: check.claims };
  if ('error' in entry) return { ok: false, reason: 'unknown_key', detail: `the server does not accept this token: ${entry.error}`, claims: check.claims };
  if (entry.voucher_id !== check.voucherId) return { ok: false, reason: 'server_error', detail: 'the server answered for another voucher', claims: check.claims };
  return statusRefusal(entry.status, check.voucherId, check.claims) ?? { ...base, confirmedOnline: true };
}

/** A status the server reports that forbids collecting, as a refusal; null for `open`. */
function statusRefusal(status: string, voucherId: string, claims?: VoucherClaims): TillDecision | null {
  if (status === 'paid') return { ok: false, reason: 'paid_elsewhere', detail: `${voucherId} is already paid`, claims };
  if (status === 'canceled') return { ok: false, reason: 'canceled', detail: `${voucherId} was canceled`, claims };
  if (status === 'expired') return { ok: false, reason: 'expired', detail: `${voucherId} has expired`, claims };
  return null;
}

/**
 * A typed reference: no signature, so the server must find the voucher (online only). Its token
 * then goes through exactly the same check as a scanned one.
 */
export async function checkReference(reference: string, ports: CheckPorts & { lookup(reference: string): Promise<ApiResult<ByReference>> }): Promise<TillDecision> {
  if (!ports.online()) return { ok: false, reason: 'reference_offline', detail: 'a typed reference needs the server' };
  const found = await ports.lookup(reference);
  if (!found.ok) {
    if (found.reason === 'network') return { ok: false, reason: 'reference_offline', detail: 'the server cannot be reached' };
    if (found.reason === 'status' && found.status === 404) return { ok: false, reason: 'reference_not_found', detail: `no voucher has reference ${reference}` };
    return { ok: false, reason: 'server_error', detail: found.detail };
  }
  if ('refund_id' in found.data) return { ok: false, reason: 'not_a_voucher', detail: `${reference} is refund ${found.data.refund_id}`, refundToken: found.data.token };
  const decision = await checkToken(found.data.token, ports);
  if (!decision.ok) return decision;
  return statusRefusal(found.data.status, decision.voucherId, decision.claims) ?? decision;
}
