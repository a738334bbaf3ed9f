/**
 * The till's clock is bounded, not believed (docs/till-protocol.md, "The till's clock"). A record's
 * `collected_at` must lie within
 *
 *   lower = the latest of: the till's enrolment, the previous record in its chain, and the server
 *           time the record names as seen (its proof checked by the server);
 *   upper = the server's receive time + CLOCK_SKEW_MS, and, for a record naming a seen server
 *           time, that time + the lease's max offline time + CLOCK_SKEW_MS (a till must sync at
 *           least that often, so a record made under an older server time is not honest).
 *
 * A record outside the bound is flagged `clock_out_of_bounds`; the ingest then decides it as if it
 * had been collected when it arrived, so its claimed time alone cannot turn an expired voucher into
 * paid: such a record is held for review instead.
 */

/** How far a till's clock may run ahead of the server's, or before the lower bound. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface ClockFacts {
  collectedAt: Date;
  enrolledAt: Date;
  /** The previous record's claimed time, when the server has that record. */
  previousCollectedAt: Date | null;
  /** The server time the record names, when its proof checked out. */
  seenServerTime: Date | null;
  receivedAt: Date;
  maxOfflineSeconds: number;
}

export type ClockVerdict =
  | { ok: true }
  | { ok: false; reason: 'before_enrolment' | 'before_previous_record' | 'before_seen_server_time' | 'after_receipt' | 'after_lease'; detail: string };

export function checkClock(f: ClockFacts): ClockVerdict {
  const at = f.collectedAt.getTime();
  const iso = f.collectedAt.toISOString();
  if (at < f.enrolledAt.getTime() - CLOCK_SKEW_MS)
    return { ok: false, reason: 'before_enrolment', detail: `claims ${iso}, before the till was enrolled at ${f.enrolledAt.toISOString()}` };
  if (f.previousCollectedAt && at < f.previousCollectedAt.getTime() - CLOCK_SKEW_MS)
    return { ok: false, reason: 'before_previous_record', detail: `claims ${iso}, before the till's previous record (${f.previousCollectedAt.toISOString()})` };
  if (f.seenServerTime && at < f.seenServerTime.getTime() - CLOCK_SKEW_MS)
    return { ok: false, reason: 'before_seen_server_time', detail: `claims ${iso}, before the server time the till had seen (${f.seenServerTime.toISOString()})` };
  if (at > f.receivedAt.getTime() + CLOCK_SKEW_MS)
    return { ok: false, reason: 'after_receipt', detail: `claims ${iso}, after the server received it (${f.receivedAt.toISOString()})` };
  if (f.seenServerTime && at > f.seenServerTime.getTime() + f.maxOfflineSeconds * 1000 + CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: 'after_lease',
      detail: `claims ${iso}, more than the lease's ${f.maxOfflineSeconds} s after the server time the till had last seen (${f.seenServerTime.toISOString()})`,
    };
  }
  return { ok: true };
}
