/**
 * One sentence per refusal, in the cashier's language, with the figures that make it actionable
 * (the lease cap, the expiry date). The reason also goes on the page as `data-refusal`.
 */
import type { Lease } from '../../core/contract/till.ts';
import type { VoucherClaims } from '../../core/token/voucher-token.ts';
import type { MessageKey } from '../app/messages.ts';
import type { Refusal } from './check.ts';
import type { TillInput } from './scan-text.ts';

export type TillRefusal =
  | Refusal
  | Extract<TillInput, { kind: 'invalid' }>['reason']
  /** The operator withdrew this device. */
  | 'device_revoked'
  /** IndexedDB refused the write: nothing was recorded, so no money may be taken. */
  | 'journal_failed';

export interface RefusalContext {
  lease: Lease;
  storeCurrency: string;
  claims?: VoucherClaims;
  reference?: string;
  detail: string;
  unsyncedCount: number;
  /** When this till collected the voucher (a `collected_here` refusal), if its row is at hand. */
  collectedAt?: Date;
}

export interface Sentence {
  key: MessageKey;
  params: Record<string, string | number>;
}

export function refusalSentence(
  reason: TillRefusal,
  ctx: RefusalContext,
  format: { money(amount: number, currency: string): string; date(d: Date): string; time(d: Date): string },
): Sentence {
  const key = `till.refusal.${reason}` as MessageKey;
  switch (reason) {
    case 'collected_here':
      return ctx.collectedAt ? { key: 'till.refusal.collected_here_at', params: { time: format.time(ctx.collectedAt) } } : { key, params: {} };
    case 'expired':
      return { key, params: { date: ctx.claims ? format.date(new Date(ctx.claims.expiresAt * 1000)) : '' } };
    case 'wrong_currency':
      return { key, params: { currency: ctx.claims?.currency ?? '', storeCurrency: ctx.storeCurrency } };
    case 'lease_voucher_too_large':
      return { key, params: { cap: format.money(ctx.lease.max_voucher_amount, ctx.lease.currency) } };
    case 'lease_total_exceeded':
      return { key, params: { cap: format.money(ctx.lease.max_unsynced_total, ctx.lease.currency) } };
    case 'lease_count_exceeded':
      return { key, params: { count: ctx.unsyncedCount } };
    case 'reference_not_found':
      return { key, params: { reference: (ctx.reference ?? '').replace(/(\d{4})(?=\d)/g, '$1 ') } };
    case 'server_error':
    case 'journal_failed':
      return { key, params: { detail: ctx.detail } };
    default:
      return { key, params: {} };
  }
}
