/**
 * The shift summary (end of day): per tender, how many collections and how much money, derived
 * from the journal rows (docs/architecture.md §9.2: totals come from the facts, never from counters).
 */
import { TENDERS, type Tender } from '../../core/collections/collection-record.ts';
import type { JournalEntry } from '../offline/till-records.ts';

export interface TenderLine {
  tender: Tender;
  currency: string;
  count: number;
  total: number;
}

export interface ShiftSummary {
  /** Every tender, in a fixed order, even with no collections (a zero line is an answer too). */
  lines: TenderLine[];
  count: number;
  /** Totals per currency (a store takes one currency, but a summary must never add two). */
  totals: { currency: string; total: number }[];
  /** Still waiting for the server. */
  queued: number;
  /** Money taken that is owed back to the shopper (duplicate, late or mismatch). */
  owedBack: { count: number; total: number };
  /** Rejected by the server or waiting for a person. */
  review: number;
}

/** Rows of this device collected at or after `since` (ms since epoch). */
export function summarize(entries: readonly JournalEntry[], since: number, storeCurrency: string): ShiftSummary {
  const rows = entries.filter((e) => Date.parse(e.record.collected_at) >= since);
  const lines: TenderLine[] = [];
  const currencies = [...new Set([storeCurrency, ...rows.map((r) => r.record.currency)])];
  for (const currency of currencies) {
    for (const tender of TENDERS) {
      const of = rows.filter((r) => r.record.tender === tender && r.record.currency === currency);
      if (currency !== storeCurrency && of.length === 0) continue;
      lines.push({ tender, currency, count: of.length, total: of.reduce((s, r) => s + r.record.amount, 0) });
    }
  }
  const totals = currencies
    .map((currency) => ({ currency, total: rows.filter((r) => r.record.currency === currency).reduce((s, r) => s + r.record.amount, 0) }))
    .filter((t) => t.currency === storeCurrency || t.total > 0);
  const owed = rows.filter((r) => r.result && ['duplicate', 'late', 'mismatch'].includes(r.result.outcome));
  return {
    lines,
    count: rows.length,
    totals,
    queued: rows.filter((r) => r.state === 'queued').length,
    owedBack: { count: owed.length, total: owed.reduce((s, r) => s + r.record.amount, 0) },
    review: rows.filter((r) => r.state === 'attention' || r.result?.outcome === 'rejected').length,
  };
}
