/**
 * The real server as separate processes: the data-folder lock, the CLI going through a running
 * server, and idempotency across two API processes sharing one PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, startServer } from '../support/server.ts';
import { scratchDir } from '../support/scratch.ts';
import { freshPostgresDatabase, postgresUrl } from '../support/databases.ts';

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['bin/counterpay.js', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

const order = { order_ref: 'ORD-9', amount: 1000, currency: 'EUR' };

describe('operator CLI on PGlite', () => {
  // Made when the tests start (not when the file is read), and removed when the file ends.
  let dir = '';
  beforeAll(() => {
    dir = scratchDir('cli');
  });

  it('manages merchants, stores and keys with one JSON object per command while no server runs', () => {
    const env = { DATA_DIR: dir };
    const created = cli(['merchant', 'create', '--name', 'Corner Books', '--json'], env);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ name: 'Corner Books', id: expect.stringMatching(/^mer_/), api_key: expect.stringMatching(/^cpk_/) });
    expect(
      cli(['merchant', 'list', '--json'], env)
        .json()
        .data.map((m: { name: string }) => m.name),
    ).toContain('Corner Books');
    expect(cli(['store', 'create', '--name', 'Main St', '--json'], env).json()).toMatchObject({ name: 'Main St' });
    expect(
      cli(['store', 'list', '--json'], env)
        .json()
        .data.map((s: { name: string }) => s.name),
    ).toContain('Main St');
    const rotated = cli(['keys', 'rotate', '--json'], env).json();
    expect(rotated.current.kid).toBe(rotated.retired.kid + 1);
    expect(
      cli(['keys', 'list', '--json'], env)
        .json()
        .data.map((k: { state: string }) => k.state),
    ).toEqual(['current', 'retired']);
  });

  it("makes enrolment codes, sets a store's offline limits and lists tills", () => {
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
      const { serverConnection, TestTill } = await import('../support/till.ts');
      const till = await TestTill.enrol(serverConnection(server.url), code);
      expect(
        cli(['device', 'list', '--json'], { DATA_DIR: dir })
          .json()
          .data.map((d: { id: string }) => d.id),
      ).toContain(till.id);
      expect(cli(['device', 'revoke', till.id, '--json'], { DATA_DIR: dir }).json()).toMatchObject({ id: till.id });
      expect(
        cli(['device', 'list', '--json'], { DATA_DIR: dir })
          .json()
          .data.find((d: { id: string }) => d.id === till.id).status,
      ).toBe('revoked');

      const second = await startServer({ dataDir: dir }).then(
        async (s) => {
          await s.stop();
          return 'started';
        },
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

describe('npm start, as a user runs and stops it', () => {
  /** Runs `npm start` in its own process group on a scratch folder; resolves once it listens. */
  async function npmStart(dir: string, port: number) {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    // npm may end before the server it started: "exited" is when every process that holds the
    // output is gone (npm and the server), which is when the data folder is free again.
    const exited = Promise.all([new Promise((resolve) => child.once('exit', resolve)), new Promise((resolve) => child.stdout!.once('close', resolve))]).then(() => child.exitCode);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen within 120 s:\n${out}`)), 120_000);
      child.stdout!.on('data', () => {
        if (!/listening on/.test(out)) return;
        clearTimeout(timer);
        resolve();
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${out}`));
      });
    });
    return { child, exited, output: () => out };
  }

  it('stops the server when npm start gets SIGTERM or Ctrl-C, builds the web app only when it changed, and shows how to get the demo key again', async () => {
    const dir = scratchDir('npm-start');
    const port = await freePort();
    const first = await npmStart(dir, port);
    expect(first.output()).toMatch(/Demo merchant API key: cpk_/);
    // SIGTERM to the process the user started (npm's own pid), as `kill <pid>` does.
    // npm passes the signal on to the server and, once it has stopped, ends by the same signal.
    process.kill(first.child.pid!, 'SIGTERM');
    await first.exited;
    expect(first.output()).toContain('SIGTERM: stopping');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    // The folder's lock went with the server: the next start works, with no build, and says how
    // to get a new demo key since the first one is never shown again.
    const second = await npmStart(dir, port);
    expect(second.output()).toContain('web app is up to date (no build needed)');
    expect(second.output()).not.toMatch(/Demo merchant API key/);
    expect(second.output()).toContain('npx counterpay merchant new-key mer_demo');
    // Ctrl-C in a terminal sends SIGINT to the whole foreground process group.
    process.kill(-second.child.pid!, 'SIGINT');
    await second.exited;
    expect(second.output(), second.output()).toContain('SIGINT: stopping');

    const key = cli(['merchant', 'new-key', 'mer_demo', '--json'], { DATA_DIR: dir });
    expect(key.code).toBe(0);
    expect(key.json()).toMatchObject({ id: 'mer_demo', api_key: expect.stringMatching(/^cpk_/) });
    expect(cli(['merchant', 'new-key', 'mer_nope', '--json'], { DATA_DIR: dir }).json().error.code).toBe('not-found');

    // The new key works and the old one no longer does.
    const third = await npmStart(dir, port);
    try {
      const oldKey = /Demo merchant API key: (\S+)/.exec(first.output())![1]!;
      const get = (k: string) => fetch(`http://127.0.0.1:${port}/v1/vouchers`, { headers: { authorization: `Bearer ${k}` } }).then((r) => r.status);
      expect(await get(key.json().api_key)).toBe(200);
      expect(await get(oldKey)).toBe(401);
    } finally {
      process.kill(third.child.pid!, 'SIGTERM');
      await third.exited;
    }
  });
});

describe('data at rest and production mode', () => {
  it('keeps the data folder private: 0700 folders and 0600 files, an existing folder tightened at start', async () => {
    const { chmodSync, mkdirSync, statSync, writeFileSync, readdirSync } = await import('node:fs');
    const dir = path.join(scratchDir('modes'), 'data');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    writeFileSync(path.join(dir, 'left-over'), 'x', { mode: 0o666 });
    chmodSync(path.join(dir, 'left-over'), 0o666);
    const walk = (p: string): string[] => [p, ...(statSync(p).isDirectory() ? readdirSync(p).flatMap((e) => walk(path.join(p, e))) : [])];
    const modes = () =>
      walk(dir)
        .map((p) => ({ p, info: statSync(p) }))
        .filter(({ info }) => info.isDirectory() || info.isFile())
        .map(({ p, info }) => [p.slice(dir.length) || '/', (info.mode & 0o777).toString(8), info.isDirectory() ? '700' : '600']);
    const server = await startServer({ dataDir: dir });
    try {
      // While it runs, the folder is closed to everyone else and what was there at start is tightened.
      expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
      expect((statSync(path.join(dir, 'left-over')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await server.stop();
    }
    for (const [p, mode, want] of modes()) expect(mode, p).toBe(want);
  });

  it('refuses to start in production without SIGNING_KEY_SECRET, and with it seeds no demo data and prints no key or code', async () => {
    const refused = await startServer({ env: { NODE_ENV: 'production' } }).then(
      async (s) => {
        await s.stop();
        return 'started';
      },
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/SIGNING_KEY_SECRET: required with NODE_ENV=production/);
    const server = await startServer({ env: { NODE_ENV: 'production', SIGNING_KEY_SECRET: 'a production secret of some length' } });
    try {
      expect(server.output()).not.toMatch(/Demo merchant API key|Demo till enrolment code|cpk_/);
      expect(
        cli(['merchant', 'list', '--json'], { DATA_DIR: server.dataDir, NODE_ENV: 'production', SIGNING_KEY_SECRET: 'a production secret of some length' }).json().data,
      ).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('configuration', () => {
  it('checks every setting at start, the delivery ones too when this process runs no worker', async () => {
    const refused = await startServer({ env: { WORKER: 'off', SMTP_URL: 'ftp://mail.example' } }).then(
      async (s) => {
        await s.stop();
        return 'started';
      },
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/failed to start: Invalid configuration:\n\s+SMTP_URL/);
  });
});

describe('HTTPS', () => {
  it('serves TLS directly when TLS_CERT and TLS_KEY are set', async () => {
    const dir = scratchDir('tls');
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert],
      { encoding: 'utf8' },
    );
    expect(made.status).toBe(0);
    const server = await startServer({ env: { TLS_CERT: cert, TLS_KEY: key } });
    try {
      expect(server.output()).toMatch(/listening on https:\/\//);
      const https = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${server.url.replace('http:', 'https:')}/healthz`, { rejectUnauthorized: false }, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await server.stop();
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
