// @ts-check
/**
 * The embedded database's own thread: PGlite runs here, not on the server's event loop, so a
 * PGlite that stops answering (it spins in its WAL flush when the disk is full) cannot take the
 * HTTP server, /healthz and SIGTERM with it. The server's side is api/db/embedded.ts; it sends
 * one statement at a time and keeps the watchdog.
 *
 * Messages in:  { id, op: 'open', dataDir } | { id, op: 'query', sql, params, rowMode } | { id, op: 'close' }
 * Messages out: { id, ok: true, result } | { id, ok: false, error, fatal }
 *
 * Plain JavaScript: a worker thread does not inherit the TypeScript loader in every runner.
 */
import { parentPort } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

if (!parentPort) throw new Error('api/db/pglite-worker.mjs runs as a worker thread');
const port = parentPort;

/**
 * Dates, timestamps and intervals stay text, as Drizzle's PGlite driver asks (it parses them
 * itself): the same set it passes with every query.
 */
const keepText = (/** @type {string} */ value) => value;
const PARSERS = {
  [types.TIMESTAMP]: keepText,
  [types.TIMESTAMPTZ]: keepText,
  [types.INTERVAL]: keepText,
  [types.DATE]: keepText,
  1231: keepText, // numeric[]
  1115: keepText, // timestamp[]
  1185: keepText, // timestamptz[]
  1187: keepText, // interval[]
  1182: keepText, // date[]
};

/** @type {PGlite | null} */
let db = null;

/**
 * A PostgreSQL error (it has a SQLSTATE) or a file error (Emscripten's ErrnoError, with errno) is
 * an answer; anything else (a WebAssembly trap, an exit) means this engine is gone.
 * @param {unknown} err
 */
function describe(err) {
  const e = /** @type {Record<string, unknown>} */ (err && typeof err === 'object' ? err : { message: String(err) });
  /** @type {Record<string, unknown>} */
  const out = { name: e.name, message: typeof e.message === 'string' ? e.message : String(e.name ?? err) };
  for (const [k, v] of Object.entries(e)) if (['string', 'number'].includes(typeof v)) out[k] = v;
  const fatal = typeof e.code !== 'string' && typeof e.errno !== 'number';
  return { error: out, fatal };
}

port.on('message', async (/** @type {{ id: number, op: string, dataDir?: string | null, sql?: string, params?: unknown[], rowMode?: 'array' | 'object' }} */ m) => {
  try {
    let result;
    if (m.op === 'open') {
      db = m.dataDir ? await PGlite.create(m.dataDir) : await PGlite.create();
      result = null;
    } else if (m.op === 'query') {
      if (!db) throw new Error('the embedded database is not open');
      const r = await db.query(/** @type {string} */ (m.sql), m.params ?? [], { rowMode: m.rowMode ?? 'object', parsers: PARSERS });
      result = { rows: r.rows, fields: r.fields, affectedRows: r.affectedRows };
    } else if (m.op === 'close') {
      await db?.close();
      db = null;
      result = null;
    } else {
      throw new Error(`unknown operation ${m.op}`);
    }
    port.postMessage({ id: m.id, ok: true, result });
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, ...describe(err) });
  }
});
