/**
 * One database suite, two drivers (docs/architecture.md §9.5): every
 * database test runs on in-memory PGlite and, when DATABASE_URL is set, on PostgreSQL, each test
 * file in a database of its own. Under CI=true, PostgreSQL is required: a tier that cannot run fails.
 */
import pg from 'pg';
import { openDatabase, type Database } from '../../api/db/client.ts';

export interface Driver {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

export const postgresUrl = process.env.DATABASE_URL;

if (process.env.CI === 'true' && !postgresUrl) {
  throw new Error('CI=true but DATABASE_URL is not set: the PostgreSQL tier cannot run (.ci/run sets it)');
}

/** Creates an empty database on the PostgreSQL server and returns its URL and a dropper. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `counterpay_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const base = process.env.DATABASE_URL!;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const drivers: Driver[] = [
  { name: 'pglite', open: () => openDatabase({ memory: true }) },
  ...(postgresUrl
    ? [
        {
          name: 'postgres' as const,
          open: async () => {
            const fresh = await freshPostgresDatabase();
            const database = await openDatabase({ databaseUrl: fresh.url, poolSize: 20 });
            return {
              ...database,
              close: async () => {
                await database.close();
                await fresh.drop();
              },
            };
          },
        },
      ]
    : []),
];
