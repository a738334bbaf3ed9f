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
    expect(cli(['store', 'list', '--json'], env).json().data.map((s: { name: string }) => s.name)).toContain('Main St');
    const rotated = cli(['keys', 'rotate', '--json'], env).json();
    expect(rotated.current.kid).toBe(rotated.retired.kid + 1);
    expect(cli(['keys', 'list', '--json'], env).json().data.map((k: { state: string }) => k.state)).toEqual(['current', 'retired']);
  });

  it('makes enrolment codes, sets a store\'s offline limits and lists tills', () => {
    const env = { DATA_DIR: dir };
    const store = cli(['store', 'create', '--name', 'Yen Store', '--currency', 'JPY', '--json'], env).json();
    expect(store.currency).toBe('JPY');
    const code = cli(['device', 'enroll-code', '--store', store.id, '--json'], env).json();
    expect(code).toMatchObject({ code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/), store: { id: store.id } });
    const limits = cli(['store', 'set-limits', store.id, '--max-voucher', '30000', '--max-offline-hours', '48', '--json'], env).json();
    expect(limits.lease).toMatchObject({ currency: 'JPY', max_voucher_amount: 30000, max_offline_seconds: 172800, max_unsynced_count: 100 });
    expect(cli(['device', 'list', '--json'], env).json()).toEqual({ object: 'list', data: [] });
    const unknown = cli(['device', 'revoke', 'dev_nope', '--json'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.json().error.code).toBe('not-found');
    const badLimit = cli(['store', 'set-limits', store.id, '--max-count', 'ten', '--json'], env);
    expect(badLimit.code).toBe(1);
    expect(badLimit.json().error.message).toContain('--max-count must be a whole number');
    expect(cli(['device', 'enroll-code', '--store', 'sto_nope', '--json'], env).json().error.code).toBe('not-found');
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

      // A till enrols with a code the CLI made through the server, and the CLI can revoke it.
      const code = cli(['device', 'enroll-code', '--store', cli(['store', 'list', '--json'], { DATA_DIR: dir }).json().data[0].id, '--json'], { DATA_DIR: dir }).json().code;
      const { TestTill } = await import('../support/till.ts');
      const till = await TestTill.enrol((method, p, body, headers = {}) => fetch(server.url + p, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }), code);
      expect(cli(['device', 'list', '--json'], { DATA_DIR: dir }).json().data.map((d: { id: string }) => d.id)).toContain(till.id);
      expect(cli(['device', 'revoke', till.id, '--json'], { DATA_DIR: dir }).json()).toMatchObject({ id: till.id });
      expect(cli(['device', 'list', '--json'], { DATA_DIR: dir }).json().data.find((d: { id: string }) => d.id === till.id).status).toBe('revoked');

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

describe('HTTPS', () => {
  it('serves TLS directly when TLS_CERT and TLS_KEY are set', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    const server = await startServer({ env: { TLS_CERT: cert, TLS_KEY: key } });
    try {
      expect(server.output()).toMatch(/listening on https:\/\//);
      const https = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${server.url.replace('http:', 'https:')}/healthz`, { rejectUnauthorized: false }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
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
