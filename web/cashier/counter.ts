/**
 * The counter: what the text from the camera or the Reference field becomes (scan-text.ts), the
 * till's check of it (check.ts: offline against the operator keys, the lease and the paid list),
 * and the decision or refusal the cashier sees; then the collection of an accepted voucher,
 * recorded as one signed journal row.
 */
import type { Tender } from '../../core/collections/collection-record.ts';
import { appendToJournal, hasCollectionFor } from '../offline/journal.store.ts';
import { getDevice } from '../offline/till.store.ts';
import type { DeviceRecord, JournalEntry } from '../offline/till-records.ts';
import type { PayoutAuthorization as PayoutGrant } from '../../core/contract/till.ts';
import { checkReference, checkToken, type CheckPorts, type TillDecision } from './check.ts';
import { buildJournalEntry } from './journal.ts';
import type { TillRefusal } from './refusals.ts';
import type { TillInput } from './scan-text.ts';
import type { ApiResult } from './till.api.ts';
import type { ByReference } from '../../core/contract/till.ts';
import { decodeVoucherToken } from '../../core/token/voucher-token.ts';
import { askForPayout, checkRefund, type PayoutPorts, type PayoutStep } from './payout.ts';
import { buildPayoutEntry } from './journal.ts';

/** What is on the counter: nothing, a voucher being checked, a decision, a refund being paid out, or a refusal of the input itself. */
export type Counter =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'payout'; payout: PayoutStep }
  | { state: 'ready'; decision: Extract<TillDecision, { ok: true }> }
  | { state: 'refused'; reason: TillRefusal; detail: string; decision?: Extract<TillDecision, { ok: false }>; reference?: string };

/** How the voucher on the counter is paid. */
export interface Payment {
  tender: Tender;
  tenderReference: string | null;
  cashGiven: number | null;
}

export interface CounterPorts {
  /** The check's ports, read from the till's state once the check starts. */
  checkPorts(): Promise<CheckPorts>;
  /** Asks the server for the voucher with a typed reference. */
  lookup(reference: string): Promise<ApiResult<ByReference>>;
  /** The payout's ports (a refund on the counter). */
  payoutPorts(): PayoutPorts;
  /** Shows the counter's new state. */
  show(counter: Counter): void;
}

/** A refund's token on the counter: checked offline, then the server is asked for the grant. */
export async function payOutAtCounter(token: string, ports: CounterPorts): Promise<void> {
  const payout = ports.payoutPorts();
  const checked = await checkRefund(token, payout);
  ports.show({ state: 'payout', payout: checked });
  if (checked.step === 'asking') ports.show({ state: 'payout', payout: await askForPayout(token, checked.claims, payout) });
}

/**
 * Puts one input on the counter: a refusal at once when it is no voucher or the till is withdrawn,
 * otherwise "checking" and then the check's decision.
 */
export async function checkAtCounter(input: TillInput, device: DeviceRecord | null, ports: CounterPorts): Promise<void> {
  if (input.kind === 'invalid') {
    ports.show({ state: 'refused', reason: input.reason, detail: input.reason });
    return;
  }
  if (device?.revokedAt) {
    ports.show({ state: 'refused', reason: 'device_revoked', detail: 'device revoked' });
    return;
  }
  ports.show({ state: 'checking' });
  // The signed kind says what a token is for: a refund is paid out, never collected.
  if (input.kind === 'token') {
    const decoded = decodeVoucherToken(input.token);
    if (decoded.ok && decoded.claims.kind === 'refund') return payOutAtCounter(input.token, ports);
  }
  const check = await ports.checkPorts();
  const decision =
    input.kind === 'token' ? await checkToken(input.token, check) : await checkReference(input.reference, { ...check, lookup: (reference) => ports.lookup(reference) });
  if (!decision.ok && decision.refundToken) return payOutAtCounter(decision.refundToken, ports);
  ports.show(
    decision.ok
      ? { state: 'ready', decision }
      : { state: 'refused', reason: decision.reason, detail: decision.detail, decision, reference: input.kind === 'reference' ? input.reference : undefined },
  );
}

class AlreadyCollected extends Error {}

/**
 * Appends one signed row. The "collected here before" check runs again inside the append lock,
 * so two tabs cannot both record the same voucher.
 */
export async function recordCollection(device: DeviceRecord, token: string, voucherId: string, payment: Payment, at: Date): Promise<JournalEntry> {
  return appendToJournal(device.deviceId, async (head) => {
    if (await hasCollectionFor(voucherId)) throw new AlreadyCollected(`${voucherId} was already collected at this till`);
    // The newest server time this till has seen, as stored (another tab may have synced since).
    const serverTime = (await getDevice())?.serverTime ?? device.serverTime ?? null;
    return buildJournalEntry(head, device.deviceId, device.privateKey, { token, ...payment, collectedAt: at, serverTime });
  });
}

/** The counter when recording the collection failed: nothing was collected. */
export function notRecorded(err: unknown): Counter {
  if (err instanceof AlreadyCollected) return { state: 'refused', reason: 'collected_here', detail: err.message };
  return { state: 'refused', reason: 'journal_failed', detail: err instanceof Error ? err.message : String(err) };
}

/** Appends the signed payout row for a grant (the cash was handed over). */
export async function recordPayout(device: DeviceRecord, token: string, grant: PayoutGrant, at: Date): Promise<JournalEntry> {
  return appendToJournal(device.deviceId, (head) => buildPayoutEntry(head, device.deviceId, device.privateKey, { token, grant, paidAt: at }));
}
