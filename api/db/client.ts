/**
 * Opens the database: PGlite in a data folder by default, PostgreSQL when DATABASE_URL is set.
 * Both go through one Drizzle schema, so the rest of the API does not know which it has.
 */
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';
import { migrate } from './migrate.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { EmbeddedPostgres, type EmbeddedStatus } from './embedded.ts';
import { label, locatingClient, parseMultiHostUrl, PrimaryLocator } from './primary.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * What a repository writes through: an open transaction, or the database itself when the work is
 * a single statement and needs no BEGIN/COMMIT (IdempotencyService.run with `atomic: false`).
 */
export type Tx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * The rows of a raw `execute(sql\`...\`)`. Drizzle types the result by driver; both drivers here
 * (node-postgres and PGlite) answer `{ rows }`, with the columns named as the SQL names them.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * `make(db)` computed once per database and kept while the database is: for statements prepared
 * once (Drizzle's `.prepare(name)`) on the hot paths.
 */
export function oncePerDatabase<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    const known = made.get(db);
    if (known !== undefined) return known;
    const fresh = make(db);
    made.set(db, fresh);
    return fresh;
  };
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for messages: the folder or the server. */
  location: string;
  /** The embedded database's state for /healthz (PGlite only: free space, read-only, restarting). */
  embedded?: () => EmbeddedStatus;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** In-memory PGlite for tests. */
  memory?: boolean;
  poolSize?: number;
  /** PGlite: below this many bytes free on the data folder's disk, writes are refused (api/db/embedded.ts). */
  minFreeBytes?: number;
  /** PGlite: how long a statement may go unanswered before the engine counts as stuck. */
  watchdogMs?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl, options.poolSize ?? 16) : await openPglite(options);
  try {
    await migrate(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  // bigint columns are declared mode 'number'; int8 text → number for aggregates too.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  // Several hosts (a failover cluster): each new connection goes to the current primary (api/db/primary.ts).
  const multi = parseMultiHostUrl(url);
  const config = { connectionString: multi?.url ?? url, max: poolSize, connectionTimeoutMillis: 5_000 };
  const locator = multi && new PrimaryLocator(multi, { connectionTimeoutMillis: 2_000 }, (line) => console.error(`[counterpay] ${line}`));
  const pool = new pg.Pool(locator ? { ...config, Client: locatingClient(locator, multi.needsPrimary) } : config);
  // A client that loses its server emits 'error': on an idle one the pool's handler hears it, on
  // one checked out for a transaction only the client's own does. Without one, Node exits the
  // process. The query in flight rejects anyway, and the request answers 503 (api/db/unavailable.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema }) as unknown as Db;
  const safeUrl = new URL(multi?.url ?? url);
  safeUrl.password = '';
  const location = multi ? `${multi.hosts.map(label).join(',')}${safeUrl.pathname} (the primary among them)` : safeUrl.toString();
  return { db, kind: 'postgres', location, close: () => pool.end() };
}

/**
 * The data folder holds the operator's signing key (in PGlite's WAL and tables) and every voucher:
 * only the server's own user may read it. The folder is 0700, so nothing inside is reachable by
 * another user whatever its own mode; files and folders inside are set to 0600 and 0700 when the
 * database opens (after PGlite has made its files, which it creates 0666 whatever the umask) and
 * when it closes, and a folder made earlier with looser modes is tightened at start.
 */
function keepPrivate(dir: string): void {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir);
}

function tighten(dir: string): void {
  const walk = (folder: string) => {
    chmodSync(folder, 0o700);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const p = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) chmodSync(p, 0o600);
    }
  };
  walk(dir);
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const { drizzle } = await import('drizzle-orm/pglite');
  let lock: DataDirLock | undefined;
  let dataDir: string | undefined;
  if (!options.memory) {
    dataDir = path.resolve(options.dataDir ?? './data');
    keepPrivate(dataDir);
    // PGlite does not stop a second process opening its folder, and both then lose data silently.
    lock = acquireDataDirLock(dataDir);
  }
  try {
    // PGlite runs in its own thread with a watchdog and a free-space margin (api/db/embedded.ts).
    const client = await EmbeddedPostgres.open({
      dataDir: dataDir && path.join(dataDir, 'pglite'),
      checkDir: dataDir,
      minFreeBytes: options.minFreeBytes,
      watchdogMs: options.watchdogMs,
    });
    if (dataDir) tighten(dataDir);
    const db = drizzle({ client: client as never, schema }) as unknown as Db;
    return {
      db,
      kind: 'pglite',
      location: dataDir ?? 'memory',
      embedded: () => client.status(),
      close: async () => {
        await client.close();
        if (dataDir) tighten(dataDir);
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw dataDirFailure(err, dataDir ?? 'memory');
  }
}

/**
 * PGlite's file system errors are Emscripten's `ErrnoError { errno }`, not Errors (they print as
 * "[object Object]"): name the cause in words. Numbers are WASI's errno values, which Emscripten uses.
 */
const WASI_ERRNO: Record<number, [string, string]> = {
  2: ['EACCES', 'permission denied'],
  20: ['EEXIST', 'a file is in the way'],
  29: ['EIO', 'an input/output error'],
  44: ['ENOENT', 'a file or folder is missing'],
  51: ['ENOSPC', 'no space left on the disk'],
  54: ['ENOTDIR', 'a file is where a folder should be'],
  63: ['EPERM', 'the operation is not permitted'],
  69: ['EROFS', 'the file system is read-only'],
};

export function dataDirFailure(err: unknown, where: string): Error {
  const errno = (err as { errno?: unknown })?.errno;
  const known = typeof errno === 'number' ? WASI_ERRNO[errno] : undefined;
  if (err instanceof Error && !known) return err;
  const why = known ? `${known[1]} (${known[0]})` : `${(err as { name?: string })?.name ?? 'error'} ${JSON.stringify(err)}`;
  return new Error(`cannot open the data folder ${where}: ${why}`, { cause: err });
}
