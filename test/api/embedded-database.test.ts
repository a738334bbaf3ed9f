/**
 * The embedded database in its own thread (api/db/embedded.ts): a statement that never returns
 * cannot hold the server. The watchdog stops the engine, what was in flight fails as unavailable
 * (503 in the API), what waited behind it does not hang, and a new engine opens the folder with
 * every committed row. `pg_sleep(3600)` stands in for PGlite's endless WAL flush on a full disk:
 * both keep the engine's thread busy and never answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, EmbeddedUnavailableError } from '../../api/db/embedded.ts';
import { isDatabaseUnavailable, isStorageFull, unavailableReason } from '../../api/db/unavailable.ts';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-embedded-'));
  folders.push(dir);
  return dir;
}
async function until(db: EmbeddedPostgres, state: string): Promise<void> {
  while (db.status().state !== state) await new Promise((r) => setTimeout(r, 50));
}

describe('the embedded database', () => {
  it('answers statements and transactions with the driver’s result and error shapes', async () => {
    const db = await EmbeddedPostgres.open({});
    try {
      await db.query('create table t (id int primary key, at timestamptz not null default now())');
      const inserted = await db.query('insert into t (id) values ($1), ($2) returning id', [1, 2]);
      expect(inserted.rows).toEqual([{ id: 1 }, { id: 2 }]);
      expect(inserted.affectedRows).toBe(2);
      // Timestamps stay text (Drizzle parses them itself); array rows on request.
      const read = await db.query('select id, at from t order by id', [], { rowMode: 'array' });
      expect(read.rows[0]).toEqual([1, expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)]);
      // A failed statement keeps its SQLSTATE and constraint; a throwing transaction rolls back.
      const dup = await db.query('insert into t (id) values (1)').catch((e) => e);
      expect(dup).toMatchObject({ code: '23505', constraint: 't_pkey' });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('insert into t (id) values (3)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await db.query('select count(*)::int as n from t')).rows).toEqual([{ n: 2 }]);
      expect(db.status().state).toBe('ready');
    } finally {
      await db.close();
    }
  });

  it('stops a stuck engine, fails what was in flight and what waited, and reopens the folder with every committed row', async () => {
    const dir = scratch();
    const lines: string[] = [];
    const db = await EmbeddedPostgres.open({ dataDir: path.join(dir, 'pglite'), checkDir: dir, watchdogMs: 1000, checkEveryMs: 100, log: (l) => lines.push(l) });
    try {
      await db.query('create table t (id int primary key)');
      await db.transaction(async (tx) => {
        await tx.query('insert into t values (1)');
        await tx.query('insert into t values (2)');
      });
      const stuck = db.query('select pg_sleep(3600)').catch((e) => e);
      const behind = db.query('insert into t values (3)').catch((e) => e);
      for (const err of [await stuck, await behind]) {
        expect(err).toBeInstanceOf(EmbeddedUnavailableError);
        expect(isDatabaseUnavailable(err)).toBe(true);
        expect(isStorageFull(err)).toBe(false);
        expect(unavailableReason(err)).toMatch(/has not answered for \d+ s/);
      }
      expect(['restarting', 'ready']).toContain(db.status().state);
      await until(db, 'ready');
      expect((await db.query('select id from t order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
      expect(lines[0]).toMatch(/^embedded database: the engine has not answered for \d+ s; statements in flight answered 503, restarting when the disk has room$/);
      expect(lines).toContain('embedded database: open again (recovered from its WAL)');
    } finally {
      await db.close();
    }
  });

  it('refuses writes below its free-space margin and keeps serving reads', async () => {
    const dir = scratch();
    // A margin no disk here meets: read-only from the first check on.
    const db = await EmbeddedPostgres.open({ dataDir: path.join(dir, 'pglite'), checkDir: dir, minFreeBytes: Number.MAX_SAFE_INTEGER, log: () => {} });
    try {
      expect(db.status()).toMatchObject({ state: 'read-only', minFreeBytes: Number.MAX_SAFE_INTEGER, freeBytes: expect.any(Number) });
      expect(db.status().detail).toMatch(
        /^only \d+ MB is free on the disk holding the data folder \(the margin is \d+ MB\); writes are refused until \d+ MB is free, reads go on$/,
      );
      expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      const write = await db.query('create table t (id int)').catch((e) => e);
      expect(write).toBeInstanceOf(EmbeddedUnavailableError);
      expect(isStorageFull(write)).toBe(true);
      const inTx = await db.transaction((tx) => tx.query('create table t (id int)')).catch((e) => e);
      expect(isStorageFull(inTx)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('says why a folder cannot be opened', async () => {
    const dir = scratch();
    const file = path.join(dir, 'not-a-folder');
    (await import('node:fs')).writeFileSync(file, '');
    const err = await EmbeddedPostgres.open({ dataDir: path.join(file, 'pglite'), log: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ errno: expect.any(Number) });
  });
});
