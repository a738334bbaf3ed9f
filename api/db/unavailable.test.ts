import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, UnavailableLog, unavailableReason } from './unavailable.ts';

/** An error as Drizzle throws it: the driver's error on `cause`, the statement in the message. */
const drizzleError = (cause: object) => Object.assign(new Error('Failed query: update "vouchers" set … params: tok_123'), { cause });

describe('an unavailable database', () => {
  it('is told by SQLSTATE, socket code or the driver’s own words, and never for a request’s own fault', () => {
    expect(isDatabaseUnavailable(drizzleError({ code: '57P01', message: 'terminating connection due to administrator command' }))).toBe(true);
    expect(isDatabaseUnavailable(drizzleError({ code: '53100', message: 'could not extend file: No space left on device' }))).toBe(true);
    expect(isDatabaseUnavailable(drizzleError({ code: '08006', message: 'connection failure' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(drizzleError(new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(drizzleError({ code: '23505', message: 'duplicate key value violates unique constraint' }))).toBe(false);
    expect(isDatabaseUnavailable(drizzleError({ code: '22P02', message: 'invalid input syntax' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });

  it('says why in a few words, never with the statement or its parameters', () => {
    expect(unavailableReason(drizzleError({ code: '53100' }))).toBe('the database disk is full (SQLSTATE 53100)');
    expect(unavailableReason(drizzleError(new Error('Connection terminated unexpectedly')))).toBe('the connection to the database was lost');
    expect(unavailableReason(drizzleError({ code: '57P03' }))).toContain('57P03');
  });

  it('logs at most one line a second, counting the 503s in between', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new UnavailableLog(
      (l) => lines.push(l),
      () => now,
    );
    const err = drizzleError({ code: '57P01' });
    log.note(err, 'POST /v1/vouchers');
    for (let i = 0; i < 50; i++) log.note(err, 'POST /v1/vouchers');
    now = 1_000;
    log.note(err, 'GET /healthz');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      '[counterpay] database unavailable on GET /healthz: the database is shutting down or starting (SQLSTATE 57P01); answered 503 with Retry-After (and 50 more answered 503 since the last line)',
    );
    expect(lines.join('\n')).not.toContain('tok_123');
  });
});
