/**
 * The embedded database (PGlite) kept at arm's length: it runs in a worker thread
 * (api/db/pglite-worker.mjs), and this side keeps the server in charge of it
 * (docs/operations.md, "The embedded database"):
 *
 * - **Watchdog.** A statement the engine has not answered for `watchdogMs` means it is stuck (PGlite
 *   spins in its WAL flush once a write to a full disk has failed). The thread is stopped, every
 *   statement in flight fails as "unavailable" (503 with Retry-After; its transaction never
 *   committed), and a new engine opens the folder once there is room: PostgreSQL's recovery
 *   replays the WAL, so every committed write is there.
 * - **Free-space margin.** Below `minFreeBytes` free on the data folder's disk, and at once after
 *   any "disk full" (53100), the engine refuses writes: each session runs with
 *   `default_transaction_read_only`, so a write fails before it touches the WAL, and reads go on.
 *   Writes resume when one WAL segment more than the margin is free. /healthz says which.
 *
 * It offers what Drizzle's PGlite driver uses (`query`, `transaction`), one statement at a time, as
 * PGlite itself does: a transaction holds the engine until it ends, and a statement outside one
 * waits for it.
 */
import { statfs } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** PGlite's WAL segment: what a write may need at once, and the slack above the margin before writes resume. */
export const WAL_SEGMENT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_WATCHDOG_MS = 15_000;

/**
 * The embedded database cannot do this now: restarting, stuck, or out of disk. It carries a SQLSTATE
 * (`code`), so api/db/unavailable.ts answers 503 with Retry-After like any unavailable database,
 * and a reason in words for the one log line.
 */
export class EmbeddedUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly code: '57P03' | '53100' = '57P03',
  ) {
    super(`the embedded database is unavailable: ${reason}`);
    this.name = 'EmbeddedUnavailableError';
  }
  get storageFull(): boolean {
    return this.code === '53100';
  }
}

export interface EmbeddedStatus {
  /** `read-only`: reads work, writes are refused until the disk has room. */
  state: 'ready' | 'read-only' | 'restarting' | 'closed';
  /** Free bytes on the data folder's disk at the last check (absent in memory). */
  freeBytes?: number;
  minFreeBytes: number;
  /** Why it is not `ready`, in words. */
  detail?: string;
}

export interface EmbeddedOptions {
  /** PGlite's folder; absent: in memory (tests), where a lost engine cannot come back. */
  dataDir?: string;
  /** The disk holding the folder to check free space on (the folder's parent while it does not exist yet). */
  checkDir?: string;
  minFreeBytes?: number;
  watchdogMs?: number;
  /** How often the watchdog and the free-space check run. */
  checkEveryMs?: number;
  log?: (line: string) => void;
}

interface QueryResult {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}
interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: Record<string, unknown>; fatal: boolean };
type RowMode = { rowMode?: 'array' | 'object' };

/** A PostgreSQL error as the driver would have thrown it: message, code, detail, constraint… */
function rebuild(fields: Record<string, unknown>): unknown {
  // A file error is Emscripten's ErrnoError, not an Error, as PGlite throws it (api/db/client.ts names it).
  if (typeof fields.errno === 'number' && fields.code === undefined) return { name: fields.name, errno: fields.errno };
  const err = new Error(String(fields.message ?? 'database error'));
  Object.assign(err, fields);
  return err;
}

const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

export class EmbeddedPostgres {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** When the engine last showed it is alive: an answer, or a statement sent to an idle engine. */
  private progressAt = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private state: 'starting' | 'ready' | 'restarting' | 'closed' = 'starting';
  private lostReason = '';
  private writesRefused = false;
  private refusedReason = '';
  private freeBytes: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly minFreeBytes: number;
  private readonly watchdogMs: number;
  private readonly log: (line: string) => void;

  private constructor(private readonly options: EmbeddedOptions) {
    this.minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.watchdogMs = options.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    this.log = options.log ?? ((line) => console.error(`[counterpay] ${line}`));
  }

  /** Opens the engine (creating the folder's database on first use); rejects with the engine's own error. */
  static async open(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
    const db = new EmbeddedPostgres(options);
    await db.checkStorage();
    try {
      await db.startEngine();
    } catch (err) {
      await db.stopEngine();
      throw err;
    }
    db.timer = setInterval(() => void db.tick(), options.checkEveryMs ?? 1000);
    db.timer.unref();
    return db;
  }

  status(): EmbeddedStatus {
    const base = { freeBytes: this.freeBytes, minFreeBytes: this.minFreeBytes };
    if (this.state === 'restarting' || this.state === 'starting') return { ...base, state: 'restarting', detail: this.lostReason };
    if (this.state === 'closed') return { ...base, state: 'closed', detail: 'the database is closed' };
    if (this.writesRefused) return { ...base, state: 'read-only', detail: this.refusedReason };
    return { ...base, state: 'ready' };
  }

  /** One statement, after any transaction in progress. */
  query(sql: string, params: unknown[] = [], options: RowMode = {}): Promise<QueryResult> {
    return this.exclusive(() => this.statement(sql, params, options));
  }

  /** BEGIN … COMMIT with the engine held throughout; ROLLBACK when `fn` throws. */
  transaction<T>(fn: (tx: { query: EmbeddedPostgres['query'] }) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.statement('begin');
      const tx = { query: (sql: string, params: unknown[] = [], options: RowMode = {}) => this.statement(sql, params, options) };
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        await this.statement('rollback').catch(() => {});
        throw err;
      }
      await this.statement('commit');
      return result;
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    clearInterval(this.timer);
    // What is queued finishes first (bounded: a stuck engine is stopped regardless).
    await Promise.race([this.queue, new Promise((r) => setTimeout(r, 5000).unref())]);
    this.state = 'closed';
    if (this.worker) await Promise.race([this.call('close').catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.stopEngine();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async statement(sql: string, params: unknown[] = [], options: RowMode = {}): Promise<QueryResult> {
    try {
      return (await this.call('query', { sql, params, rowMode: options.rowMode ?? 'object' })) as QueryResult;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === '53100') {
        // A write to a full disk failed: the next one may never return (PGlite's WAL flush). No more
        // writes until there is room.
        this.refuseWrites(`the disk holding the data folder is full (${(err as Error).message})`);
        throw new EmbeddedUnavailableError(this.refusedReason, '53100');
      }
      if (code === '25006' && this.writesRefused) throw new EmbeddedUnavailableError(this.refusedReason, '53100');
      throw err;
    }
  }

  private call(op: string, payload: Record<string, unknown> = {}): Promise<unknown> {
    const worker = this.worker;
    if (!worker || (this.state !== 'ready' && op !== 'open' && !(op === 'close' && this.state === 'closed'))) {
      return Promise.reject(new EmbeddedUnavailableError(this.lostReason || 'the database is not open'));
    }
    const id = this.nextId++;
    if (this.pending.size === 0) this.progressAt = Date.now();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, ...payload });
    });
  }

  private async startEngine(): Promise<void> {
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url));
    this.worker = worker;
    worker.on('message', (reply: Reply) => {
      if (worker !== this.worker) return;
      this.progressAt = Date.now();
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else {
        waiting.reject(rebuild(reply.error));
        if (reply.fatal && this.state === 'ready') this.engineLost(`the engine failed: ${String(reply.error.message)}`);
      }
    });
    const gone = (reason: string) => {
      if (worker !== this.worker || this.state === 'closed') return;
      if (this.state === 'ready') this.engineLost(reason);
      else this.failPending(reason);
    };
    worker.on('error', (err) => gone(`the engine failed: ${err.message}`));
    worker.on('exit', () => gone('the engine stopped'));
    this.state = 'starting';
    await this.call('open', { dataDir: this.options.dataDir ?? null });
    this.state = 'ready';
    if (this.writesRefused) await this.call('query', { sql: 'set default_transaction_read_only = on' });
  }

  private failPending(reason: string): void {
    for (const waiting of this.pending.values()) waiting.reject(new EmbeddedUnavailableError(reason));
    this.pending.clear();
  }

  private async stopEngine(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failPending(this.lostReason || 'the database closed');
    await worker?.terminate();
  }

  /** The engine is gone or stuck: stop its thread, fail what was in flight, and come back when there is room. */
  private engineLost(reason: string): void {
    if (this.state !== 'ready') return;
    this.state = 'restarting';
    this.lostReason = reason;
    this.log(`embedded database: ${reason}; statements in flight answered 503, restarting ${this.options.dataDir ? 'when the disk has room' : 'is not possible in memory'}`);
    void this.stopEngine();
    if (!this.options.dataDir) this.state = 'closed';
  }

  private refuseWrites(reason: string): void {
    this.refusedReason = `${reason}; writes are refused until ${mb(this.minFreeBytes + WAL_SEGMENT_BYTES)} is free, reads go on`;
    if (this.writesRefused) return;
    this.writesRefused = true;
    this.log(`embedded database: ${this.refusedReason}`);
    void this.exclusive(() => this.statement('set default_transaction_read_only = on')).catch(() => {});
  }

  private allowWrites(): void {
    if (!this.writesRefused) return;
    this.writesRefused = false;
    this.log(`embedded database: ${mb(this.freeBytes ?? 0)} free on the data folder's disk; writes resume`);
    void this.exclusive(() => this.statement('set default_transaction_read_only = off')).catch(() => {});
  }

  private async checkStorage(): Promise<void> {
    const dir = this.options.checkDir ?? this.options.dataDir;
    if (!dir) return;
    try {
      const s = await statfs(dir);
      this.freeBytes = s.bavail * s.bsize;
    } catch {
      return; // not there yet (first start) or unreadable: the engine's own errors will say
    }
    if (this.freeBytes < this.minFreeBytes && !this.writesRefused) {
      this.refuseWrites(`only ${mb(this.freeBytes)} is free on the disk holding the data folder (the margin is ${mb(this.minFreeBytes)})`);
    } else if (this.writesRefused && this.freeBytes >= this.minFreeBytes + WAL_SEGMENT_BYTES) {
      this.allowWrites();
    }
  }

  private async tick(): Promise<void> {
    if (this.checking || this.state === 'closed') return;
    this.checking = true;
    try {
      if (this.state === 'ready' && this.pending.size > 0 && Date.now() - this.progressAt > this.watchdogMs) {
        this.engineLost(`the engine has not answered for ${Math.round((Date.now() - this.progressAt) / 1000)} s`);
      }
      await this.checkStorage();
      if (this.state === 'restarting' && this.options.dataDir && (this.freeBytes ?? 0) >= this.minFreeBytes + WAL_SEGMENT_BYTES) {
        try {
          await this.startEngine();
          this.log('embedded database: open again (recovered from its WAL)');
        } catch (err) {
          this.state = 'restarting';
          this.lostReason = `it could not be opened again: ${(err as Error).message}`;
          await this.stopEngine();
        }
      }
    } finally {
      this.checking = false;
    }
  }
}
