/**
 * The drawer's report for the current shift (the X report; closed, it becomes the Z report's
 * signed journal row): per tender, how many collections and how much money, the refunds paid out,
 * and the cash the drawer should hold. Everything is derived from the journal rows
 * (docs/architecture.md §9.2: totals come from the facts, never from counters).
 *
 * A shift is the journal after its last shift close: it opens with the float that close left in
 * the drawer. (A till from before shift closes marked a shift by its start time only: those rows
 * count from `legacyStartedAt`.)
 */
import { isCollection, isPayout, isShiftClose, TENDERS, type Tender } from '../../core/collections/collection-record.ts';
import type { SignedCollection, SignedPayout, SignedShiftClose } from '../../core/contract/till.ts';
import type { JournalEntry } from '../offline/till-records.ts';

export interface TenderLine {
  tender: Tender;
  currency: string;
  count: number;
  total: number;
}

export interface ShiftReport {
  /** When the shift opened (ms since epoch): the last close, or the legacy start. */
  openedAt: number;
  /** Cash in the drawer when the shift opened: what the last close left. */
  openingFloat: number;
  /** Every tender, in a fixed order, even with no collections (a zero line is an answer too). */
  lines: TenderLine[];
  count: number;
  /** Totals per currency (a store takes one currency, but a report must never add two). */
  totals: { currency: string; total: number }[];
  /** Refunds paid out from the drawer, in the store's currency. */
  payouts: { count: number; total: number };
  /** openingFloat + cash collected − cash paid out, in the store's currency. */
  expectedCash: number;
  /** The collection and payout rows of the shift, oldest first. */
  rows: JournalEntry[];
  /** Still waiting for the server. */
  queued: number;
  /** Money taken that is owed back to the shopper (duplicate, late or mismatch). */
  owedBack: { count: number; total: number };
  /** Rejected by the server or waiting for a person. */
  review: number;
}

type Row<R> = JournalEntry & { record: R };
const collectionRow = (e: JournalEntry): e is Row<SignedCollection> => isCollection(e.record);
const payoutRow = (e: JournalEntry): e is Row<SignedPayout> => isPayout(e.record);
const closeRow = (e: JournalEntry): e is Row<SignedShiftClose> => isShiftClose(e.record);

/** The last shift close of this device's journal, if any. */
export function lastClose(entries: readonly JournalEntry[]): Row<SignedShiftClose> | null {
  const closes = entries.filter(closeRow);
  return closes.length === 0 ? null : closes.reduce((a, b) => (b.seq > a.seq ? b : a));
}

/** The current shift's report from this device's journal rows. */
export function shiftReport(entries: readonly JournalEntry[], opts: { storeCurrency: string; legacyStartedAt: number }): ShiftReport {
  const close = lastClose(entries);
  const after = close
    ? entries.filter((e) => e.seq > close.seq)
    : entries.filter((e) => !closeRow(e) && Date.parse(collectionRow(e) ? e.record.collected_at : payoutRow(e) ? e.record.paid_at : '') >= opts.legacyStartedAt);
  const collections = after.filter(collectionRow);
  const payouts = after.filter(payoutRow).filter((r) => r.record.currency === opts.storeCurrency);
  const currencies = [...new Set([opts.storeCurrency, ...collections.map((r) => r.record.currency)])];
  const lines: TenderLine[] = [];
  for (const currency of currencies) {
    for (const tender of TENDERS) {
      const of = collections.filter((r) => r.record.tender === tender && r.record.currency === currency);
      if (currency !== opts.storeCurrency && of.length === 0) continue;
      lines.push({ tender, currency, count: of.length, total: of.reduce((s, r) => s + r.record.amount, 0) });
    }
  }
  const totals = currencies
    .map((currency) => ({ currency, total: collections.filter((r) => r.record.currency === currency).reduce((s, r) => s + r.record.amount, 0) }))
    .filter((t) => t.currency === opts.storeCurrency || t.total > 0);
  const openingFloat = close?.record.float_left ?? 0;
  const cashIn = lines.find((l) => l.tender === 'cash' && l.currency === opts.storeCurrency)?.total ?? 0;
  const paidOut = payouts.reduce((s, r) => s + r.record.amount, 0);
  const owed = collections.filter((r) => r.result && ['duplicate', 'late', 'mismatch'].includes(r.result.outcome));
  const rows = [...collections, ...payouts].sort((a, b) => a.seq - b.seq);
  return {
    openedAt: close ? Date.parse(close.record.closed_at) : opts.legacyStartedAt,
    openingFloat,
    lines,
    count: collections.length,
    totals,
    payouts: { count: payouts.length, total: paidOut },
    expectedCash: openingFloat + cashIn - paidOut,
    rows,
    queued: rows.filter((r) => r.state === 'queued').length,
    owedBack: { count: owed.length, total: owed.reduce((s, r) => s + r.record.amount, 0) },
    review: rows.filter((r) => r.state === 'attention' || r.result?.outcome === 'rejected').length,
  };
}

/** The figures of the shift close (the signed Z report) for a counted drawer. */
export function closeFigures(report: ShiftReport, storeCurrency: string, counted: { countedCash: number; floatLeft: number }) {
  return {
    currency: storeCurrency,
    opened_at: new Date(report.openedAt).toISOString(),
    first_seq: report.rows[0]?.seq ?? null,
    last_seq: report.rows.at(-1)?.seq ?? null,
    collections: report.lines.filter((l) => l.currency === storeCurrency).map((l) => ({ tender: l.tender, count: l.count, total: l.total })),
    payouts: report.payouts,
    opening_float: report.openingFloat,
    expected_cash: report.expectedCash,
    counted_cash: counted.countedCash,
    difference: counted.countedCash - report.expectedCash,
    float_left: counted.floatLeft,
  };
}
