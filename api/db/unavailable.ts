/**
 * Whether a failure means "the database is not there right now" rather than "this request is
 * wrong" or "our code is wrong": a lost or refused connection, a server shutting down or starting,
 * a full disk, no connection slot. Those answer 503 with Retry-After (api/http/problem.ts) and one
 * short log line, never a 500: nothing was half-written (a transaction either committed or did not),
 * and the client's retry with the same Idempotency-Key is safe.
 */
import { sqlState } from './sql-state.ts';
import { EmbeddedUnavailableError } from './embedded.ts';

/** The embedded database's own account of why it cannot serve, wherever Drizzle wrapped it. */
function embeddedCause(err: unknown): EmbeddedUnavailableError | undefined {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e instanceof EmbeddedUnavailableError) return e;
  }
  return undefined;
}

/** The disk holding the data is full (or the embedded database's margin is reached): writes are refused, reads go on. */
export function isStorageFull(err: unknown): boolean {
  return sqlState(err) === '53100' || embeddedCause(err)?.storageFull === true;
}

/**
 * SQLSTATEs of an unavailable database (PostgreSQL appendix A): class 08 (connection exception),
 * 53 (insufficient resources: disk full, out of memory, too many connections), 57P01–57P05
 * (shutdown, crash, cannot connect now, database dropped, idle session), 58030 (I/O error), 25006
 * (a write on a read-only server: Counterpay never opens read-only transactions, so this is a
 * primary being demoted or a standby, mid-failover), and the socket errors Node reports.
 */
const UNAVAILABLE_STATES = /^(08|53|57P0[1-5]$|58030$|25006$)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What node-postgres says, without a code, when a connection dies or the pool cannot get one. */
const DRIVER_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|terminating connection/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (embeddedCause(err)) return true;
  const state = sqlState(err);
  if (state && (UNAVAILABLE_STATES.test(state) || SOCKET_CODES.has(state))) return true;
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/** Why, in a few words, for the one log line (no SQL, no parameters). */
export function unavailableReason(err: unknown): string {
  const embedded = embeddedCause(err);
  if (embedded) return embedded.reason;
  const state = sqlState(err);
  if (state === '53100') return 'the database disk is full (SQLSTATE 53100)';
  if (state === '53300') return 'the database has no free connection slot (SQLSTATE 53300)';
  if (state?.startsWith('57P')) return `the database is shutting down or starting (SQLSTATE ${state})`;
  if (state && SOCKET_CODES.has(state)) return `the database cannot be reached (${state})`;
  if (state === '25006') return 'the database server is read-only now (a primary being demoted, or a standby): a failover is under way';
  if (state === '08001') return `the database cannot be reached: ${innermostMessage(err)}`;
  if (state) return `the database connection failed (SQLSTATE ${state})`;
  return 'the connection to the database was lost';
}

/**
 * At most one log line a second about an unavailable database, counting the requests answered 503
 * in between: an outage under load says what happened without filling the disk.
 */
export class UnavailableLog {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;
  constructor(
    private readonly write: (line: string) => void = (line) => console.error(line),
    private readonly now: () => number = Date.now,
  ) {}

  note(err: unknown, where: string): void {
    const t = this.now();
    if (t - this.last < 1000) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more answered 503 since the last line)` : '';
    this.write(`[counterpay] database unavailable on ${where}: ${unavailableReason(err)}; answered 503 with Retry-After${more}`);
    this.last = t;
    this.suppressed = 0;
  }
}

/** The driver's own words at the bottom of Drizzle's wrapping (a connection error carries no SQL). */
function innermostMessage(err: unknown): string {
  let e = err as { message?: unknown; cause?: unknown };
  for (let depth = 0; e?.cause && depth < 4; depth++) e = e.cause as typeof e;
  return typeof e?.message === 'string' ? e.message : 'no answer';
}
