/**
 * A merchant's API keys: several at a time, stored hashed, listed by prefix and last four; a
 * read-only key only reads; a rolled key works until its overlap ends (the harness's clock, no
 * sleeps) and then answers 401 api-key-expired; a revoked key stops at once with 401
 * api-key-revoked. Through the operator commands, on PGlite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import path from 'node:path';
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drivers, freshPostgresDatabase, postgresUrl } from '../support/databases.ts';
import { harness, harnessPerSuite } from '../support/harness.ts';
import { ROOT } from '../support/server.ts';
import { runCommand } from '../../api/operator/commands.ts';
import { openDatabase } from '../../api/db/client.ts';
import { hashApiKey } from '../../api/network/network.service.ts';

describe.each(drivers)('API keys on $name', (driver) => {
  const s = harnessPerSuite(driver);
  const cli = async (...argv: string[]) => (await runCommand(s.h.services, argv)).json as Record<string, unknown>;
  const status = async (key: string, method = 'GET', path = '/v1/vouchers', body?: unknown) => {
    const res = await s.h.req(method, path, body, { key });
    return { status: res.status, body: res.status === 200 || res.status === 201 ? null : ((await res.json()) as { type: string; detail: string }) };
  };
  const order = { order_ref: 'K-1', amount: 500, currency: 'EUR' };

  it('gives a new merchant a live and a test key, and lists keys by prefix and last four with their use', async () => {
    expect(s.h.keyA).toMatch(/^cpk_live_[0-9a-z]{32}$/);
    expect((await status(s.h.keyA)).status).toBe(200);
    const { data } = (await cli('merchant', 'key', 'list', '--merchant', s.h.merchantA)) as { data: Array<Record<string, unknown>> };
    expect(data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: `cpk_live_…${s.h.keyA.slice(-4)}`,
          mode: 'live',
          access: 'full',
          status: 'active',
          last_used_at: s.h.clock.now().toISOString(),
          expires_at: null,
        }),
        expect.objectContaining({ key: `cpk_test_…${s.h.testKeyA.slice(-4)}`, mode: 'test', access: 'full', status: 'active', last_used_at: null, expires_at: null }),
      ]),
    );
    expect(data).toHaveLength(2);
    // Stored hashed: the key's text is in no column of any key row.
    const rows = (await s.database.db.execute(sql`select row_to_json(k)::text as row from api_keys k`)) as unknown as { rows: Array<{ row: string }> };
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const { row } of rows.rows) {
      expect(row).not.toContain(s.h.keyA.slice(9));
      expect(row).not.toContain(s.h.testKeyA.slice(9));
    }
  });

  it('lets a read-only key read and refuses it anything that writes, changing nothing', async () => {
    const created = (await cli('merchant', 'key', 'create', '--merchant', s.h.merchantA, '--read-only')) as { api_key: string; access: string };
    expect(created.access).toBe('read_only');
    expect((await status(created.api_key)).status).toBe(200);
    const before = await s.h.countVouchers();
    const refused = await status(created.api_key, 'POST', '/v1/vouchers', order);
    expect(refused.status).toBe(403);
    expect(refused.body!.type).toMatch(/#api-key-read-only$/);
    expect(refused.body!.detail).toContain('may only read');
    expect(await s.h.countVouchers()).toBe(before);
  });

  it('keeps a rolled key working until the overlap ends and not a millisecond after; the new key works at once', async () => {
    const first = (await cli('merchant', 'key', 'create', '--merchant', s.h.merchantA)) as { id: string; api_key: string };
    const rolled = (await cli('merchant', 'key', 'roll', first.id, '--overlap', '2h')) as { api_key: string; replaced: { id: string; status: string; expires_at: string } };
    expect(rolled.replaced).toMatchObject({ id: first.id, status: 'expiring', expires_at: new Date(s.h.clock.now().getTime() + 7_200_000).toISOString() });
    expect((await status(rolled.api_key, 'POST', '/v1/vouchers', order)).status).toBe(201);
    s.h.clock.advance(7_200_000 - 1);
    expect((await status(first.api_key)).status).toBe(200);
    s.h.clock.advance(1);
    const ended = await status(first.api_key);
    expect(ended.status).toBe(401);
    expect(ended.body!.type).toMatch(/#api-key-expired$/);
    expect(ended.body!.detail).toContain('rolled');
    expect((await status(rolled.api_key)).status).toBe(200);
    // An ended key cannot be rolled again; nor can an overlap exceed 7 days.
    await expect(cli('merchant', 'key', 'roll', first.id)).rejects.toThrow(/expired/);
    const active = (await cli('merchant', 'key', 'create', '--merchant', s.h.merchantA)) as { id: string };
    await expect(cli('merchant', 'key', 'roll', active.id, '--overlap', '8d')).rejects.toThrow(/between 0 and 7 days/);
    expect((await cli('merchant', 'key', 'list', '--merchant', s.h.merchantA)).data).toContainEqual(expect.objectContaining({ id: active.id, status: 'active' }));
  });

  it('stops a revoked key at once with a problem that says it was revoked, not that it is unknown', async () => {
    const key = (await cli('merchant', 'key', 'create', '--merchant', s.h.merchantA)) as { id: string; api_key: string };
    expect((await status(key.api_key)).status).toBe(200);
    const revoked = await cli('merchant', 'key', 'revoke', key.id);
    expect(revoked).toMatchObject({ id: key.id, status: 'revoked', revoked_at: s.h.clock.now().toISOString() });
    const refused = await status(key.api_key);
    expect(refused.status).toBe(401);
    expect(refused.body!.type).toMatch(/#api-key-revoked$/);
    expect(refused.body!.detail).toContain('revoked');
    const unknown = await status(`${key.api_key.slice(0, -1)}A`);
    expect(unknown.status).toBe(401);
    expect(unknown.body!.type).toMatch(/#unauthenticated$/);
    // The merchant's other keys are untouched.
    expect((await status(s.h.keyA)).status).toBe(200);
  });

  it('answers a key or merchant that does not exist, and a bad overlap, with a precise error', async () => {
    await expect(cli('merchant', 'key', 'revoke', 'key_nothing')).rejects.toThrow(/no API key "key_nothing"/);
    await expect(cli('merchant', 'key', 'list', '--merchant', 'mer_nothing')).rejects.toThrow(/no merchant "mer_nothing"/);
    await expect(cli('merchant', 'key', 'create', '--merchant', 'mer_nothing')).rejects.toThrow(/no merchant/);
    const key = (await cli('merchant', 'key', 'create', '--merchant', s.h.merchantA)) as { id: string };
    await expect(cli('merchant', 'key', 'roll', key.id, '--overlap', 'soon')).rejects.toThrow(/30m, 24h or 7d/);
  });

  it('replaces every key of a merchant with one new key (merchant new-key)', async () => {
    const fresh = (await cli('merchant', 'new-key', s.h.merchantA)) as { api_key: string };
    expect((await status(fresh.api_key)).status).toBe(200);
    expect((await status(s.h.keyA)).body!.type).toMatch(/#api-key-revoked$/);
    // Another merchant's key never moves.
    expect((await status(s.h.keyB)).status).toBe(200);
  });
});

describe.skipIf(!postgresUrl)('API keys from before key management (migration 0005 on PostgreSQL)', () => {
  it('keeps a merchant’s one key working as a live full-access key, listed with its last four unknown', async () => {
    const fresh = await freshPostgresDatabase();
    const legacy = 'cpk_0123456789abcdefghjkmnpqrstvwxyz01234';
    try {
      // The schema as it was (migrations before 0005), with a merchant whose key is stored on its row.
      const migrations = readMigrationFiles({ migrationsFolder: path.join(ROOT, 'drizzle') });
      const before = migrations.slice(0, 5);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        await client.query('create table counterpay_migrations (hash text primary key, tag_millis bigint not null, applied_at timestamptz not null default now())');
        for (const m of before) {
          for (const statement of m.sql) if (statement.trim()) await client.query(statement);
          await client.query('insert into counterpay_migrations (hash, tag_millis) values ($1, $2)', [m.hash, m.folderMillis]);
        }
        await client.query(`insert into merchants (id, name, api_key_hash, created_at) values ('mer_legacy', 'Old Shop', $1, '2026-01-01T00:00:00Z')`, [hashApiKey(legacy)]);
      } finally {
        await client.end();
      }
      const database = await openDatabase({ databaseUrl: fresh.url });
      try {
        const h = await harness(database);
        expect((await h.req('GET', '/v1/vouchers', undefined, { key: legacy })).status).toBe(200);
        const { data } = (await runCommand(h.services, ['merchant', 'key', 'list', '--merchant', 'mer_legacy'])).json as { data: unknown[] };
        expect(data).toEqual([expect.objectContaining({ id: 'key_mer_legacy', key: 'cpk_…····', access: 'full', status: 'active', created_at: '2026-01-01T00:00:00.000Z' })]);
      } finally {
        await database.close();
      }
    } finally {
      await fresh.drop();
    }
  });
});
