/** The label of a journal row's state for people: its final outcome, or why it has none yet. */
import type { MessageKey } from '../app/messages.ts';
import type { JournalEntry } from '../offline/till-records.ts';

export function outcomeKey(entry: JournalEntry): MessageKey {
  if (entry.state === 'queued') return 'outcome.queued';
  if (entry.state === 'attention') return 'outcome.attention';
  if (entry.result!.review) return `outcome.reviewed.${entry.result!.review.decision}` as MessageKey;
  const accepted = entry.result!.outcome === 'accepted';
  if ('type' in entry.record) {
    if (entry.record.type === 'payout') return accepted ? 'outcome.paidOut' : 'outcome.payoutRejected';
    return accepted ? 'outcome.shiftClosed' : 'outcome.rejected';
  }
  return `outcome.${entry.result!.outcome}` as MessageKey;
}

/** `queued`, `attention` or the server's outcome: one word for data attributes and styles. */
export function outcomeWord(entry: JournalEntry): string {
  return entry.state === 'settled' ? entry.result!.outcome : entry.state;
}

/** Print only one part of the till (the receipt or the shift summary); app.css hides the rest. */
export function printPart(part: 'receipt' | 'shift'): void {
  document.body.dataset.print = part;
  try {
    window.print();
  } finally {
    delete document.body.dataset.print;
  }
}

/**
 * The receipt number a person reads out: the till's last four id characters and the row's
 * sequence number, "7KQ2-42". Unique within a store's tills in practice, and on one till always;
 * the collection id on the receipt is the exact key.
 */
export function receiptNumber(deviceId: string, seq: number): string {
  return `${deviceId.slice(-4).toUpperCase()}-${seq}`;
}
