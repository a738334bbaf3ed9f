/**
 * The real server as separate processes: the data-folder lock, the CLI going through a running
 * server, and idempotency across two API processes sharing one PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../support/server.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['bin/counterpay.js', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

const order = { order_ref: 'ORD-9', amount: 1000, currency: 'EUR' };

describe('operator CLI on PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('manages merchants, stores and keys with one JSON object per command while no server runs', () => {
    const env = { DATA_DIR: dir };
    const created = cli(['merchant', 'create', '--name', 'Corner Books', '--json'], env);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ name: 'Corner Books', id: expect.stringMatching(/^mer_/), api_key: expect.stringMatching(/^cpk_/) });
    expect(cli(['merchant', 'list', '--json'], env).json().data.map((m: { name: string }) => m.name)).toContain('Corner Books');
    expect(cli(['store', 'create', '--name', 'Main St', '--json'], env).json()).toMatchObject({ name: 'Main St' });
    expect(cli(['store', 'list', '--json'], env).json().data).toHaveLength(1);
    const rotated = cli(['keys', 'rotate', '--json'], env).json();
    expect(rotated.current.kid).toBe(rotated.retired.kid + 1);
    expect(cli(['keys', 'list', '--json'], env).json().data.map((k: { state: string }) => k.state)).toEqual(['current', 'retired']);
  });

  it('says what is wrong: usage errors exit 2, bad values exit 1 with a JSON error', () => {
    const env = { DATA_DIR: dir };
    const usage = cli(['merchant', 'create'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing --name');
    const unknown = cli(['merchant', 'fly', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.json().error.message).toContain('unknown command: merchant fly');
    const empty = cli(['store', 'create', '--name', '  ', '--json'], env);
    expect(empty.code).toBe(1);
    expect(empty.json().error).toMatchObject({ code: 'validation-failed' });
  });

  it('goes through the running server instead of opening its data folder, and a second server is refused', async () => {
    const server = await startServer({ dataDir: dir });
    try {
      const created = cli(['merchant', 'create', '--name', 'Live Shop', '--json'], { DATA_DIR: dir });
      expect(created.code).toBe(0);
      expect(created.stderr).toMatch(/the server \(pid \d+\) holds .*the command runs through it/);
      const res = await fetch(`${server.url}/v1/vouchers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.json().api_key}`, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      expect(res.status).toBe(201);

      const second = await startServer({ dataDir: dir }).then(
        async (s) => { await s.stop(); return 'started'; },
        (err: Error) => err.message,
      );
      expect(second).toMatch(/in use by process \d+: another Counterpay server is running on it/);
    } finally {
      await server.stop();
    }
    // After the server stops, the CLI opens the folder itself and sees what the server wrote.
    const list = cli(['merchant', 'list', '--json'], { DATA_DIR: dir });
    expect(list.stderr).not.toContain('runs through it');
    expect(list.json().data.map((m: { name: string }) => m.name)).toContain('Live Shop');
  });
});

describe.runIf(postgresUrl)('two API processes on one PostgreSQL', () => {
  it('create exactly one voucher from 50 simultaneous requests with one Idempotency-Key', async () => {
    const db = await freshPostgresDatabase();
    const created = cli(['merchant', 'create', '--name', 'Twin Shop', '--json'], { DATABASE_URL: db.url });
    expect(created.code).toBe(0);
    const key = created.json().api_key;
    const servers = await Promise.all([startServer({ env: { DATABASE_URL: db.url } }), startServer({ env: { DATABASE_URL: db.url } })]);
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${servers[i % 2]!.url}/v1/vouchers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'twin' },
            body: JSON.stringify(order),
          }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const ids = new Set(await Promise.all(answers.filter((r) => r.status === 201).map(async (r) => (await r.json()).id)));
      expect(ids.size).toBe(1);
      const list = await (await fetch(`${servers[0]!.url}/v1/vouchers?limit=100`, { headers: { authorization: `Bearer ${key}` } })).json();
      expect(list.data).toHaveLength(1);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await db.drop();
    }
  });
});
