/**
 * A database connection lost in the middle of a request (PostgreSQL): the server process keeps
 * running, the request answers 503 problem+json with Retry-After (not 500), the log says what
 * happened in one line without the SQL, and the next request works without a restart.
 *
 * The loss is made exact, not timed: a second session holds a row lock, the API's request blocks
 * on it inside its transaction (its client checked out of the pool), and that backend is
 * terminated (pg_terminate_backend, SQLSTATE 57P01) while it waits.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer } from '../support/server.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';

describe.runIf(postgresUrl)('a database connection lost mid-request, on PostgreSQL', () => {
  it('answers 503 with Retry-After, keeps the process up, logs one line, and serves the next request', async () => {
    const db = await freshPostgresDatabase();
    const server = await startServer({ env: { DATABASE_URL: db.url } });
    const blocker = new pg.Client({ connectionString: db.url });
    blocker.on('error', () => {});
    await blocker.connect();
    try {
      const api = (method: string, path: string, body?: unknown) =>
        fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const voucher = await (await api('POST', '/v1/vouchers', { order_ref: 'OUT-1', amount: 1000, currency: 'EUR' })).json();
      await blocker.query('begin');
      await blocker.query('select id from vouchers where id = $1 for update', [voucher.id]);
      const cancel = api('POST', `/v1/vouchers/${voucher.id}/cancel`);
      // The API's backend now waits for the row lock inside its transaction: the backend our session
      // blocks (another may wait a moment on a lock of its own on a busy machine, extending a table,
      // and terminating that one would leave the cancel waiting for ever).
      // pg_stat_activity is read once per transaction and kept, and this session is inside one:
      // the snapshot is cleared before each look, or a backend the pool opened after the first look
      // (the cancel may get a new connection) would never be seen.
      let waiting: number | undefined;
      while (waiting === undefined) {
        await blocker.query('select pg_stat_clear_snapshot()');
        const r = await blocker.query(`select pid from pg_stat_activity where datname = current_database() and pg_backend_pid() = any(pg_blocking_pids(pid))`);
        waiting = r.rows[0]?.pid;
      }
      const outputBefore = server.output().length;
      await blocker.query('select pg_terminate_backend($1)', [waiting]);
      const answer = await cancel;
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect((await answer.json()).type).toBe('/docs/problems#database-unavailable');
      await blocker.query('rollback');

      // The same process serves the next requests, and the retried cancel works.
      expect(server.process.exitCode).toBeNull();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const retried = await api('POST', `/v1/vouchers/${voucher.id}/cancel`);
      expect(retried.status).toBe(200);
      expect((await retried.json()).status).toBe('canceled');

      const log = server.output().slice(outputBefore);
      const lines = log.split('\n').filter((l) => l.includes('database unavailable'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`on POST /v1/vouchers/${voucher.id}/cancel`);
      expect(lines[0]).toMatch(/shutting down or starting \(SQLSTATE 57P01\)|the connection to the database was lost/);
      expect(log).not.toMatch(/unexpected error|Failed query|update "vouchers"|params:/);
    } finally {
      await blocker.end().catch(() => {});
      await server.stop();
      await db.drop();
    }
  }, 120_000);
});
