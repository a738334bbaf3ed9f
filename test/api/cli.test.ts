/**
 * Every command of README's "The operator CLI" table, run as an operator runs it: `node
 * bin/counterpay.js …` on a PGlite data folder, once with no server running (the CLI opens the
 * folder itself) and once while a server holds the folder (the CLI sends the command over the
 * admin socket and says so on stderr). Also: what the CLI prints from the data cannot drive the
 * terminal (control characters come out escaped).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, startServer, type RunningServer } from '../support/server.ts';
import { scratchDir } from '../support/scratch.ts';
import { COMMAND_NAMES, resolveCommand } from '../../api/operator/commands.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as the one JSON object it must be. */
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the command it ran, whose shapes the CLI's own types give.
  json(): any;
}

/** The CLI as a separate process (asynchronously, so that a server started by this file keeps having its output read). */
function cli(args: string[], dataDir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/counterpay.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
}

/** `counterpay worker` until it says it runs, then SIGTERM; or until it exits by itself (a refusal). */
function worker(dataDir: string, extra: string[] = []): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; started: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/counterpay.js', 'worker', ...extra], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!started && /\[counterpay worker\] running \(pid \d+\)/.test(stderr)) {
        started = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, started });
    });
  });
}

/** The command names in README's CLI table: the leading lower-case words of each `syntax` in its first column. */
function readmeTable(): Array<{ syntax: string; name: string }> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## The operator CLI\n')[1]!.split('\n## ')[0]!;
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const firstColumn = row.split(/(?<!\\)\|/)[1]!; // `\|` is a pipe inside a cell
    return [...firstColumn.matchAll(/`([^`]+)`/g)].map(([, syntax]) => {
      const words: string[] = [];
      for (const word of syntax!.split(' ')) {
        if (!/^[a-z][a-z-]*$/.test(word)) break;
        words.push(word);
      }
      return { syntax: syntax!.replace(/\\\|/g, '|'), name: words.join(' ') };
    });
  });
}
const README_COMMANDS = [...new Set(readmeTable().map((c) => c.name))].sort();

const DAY_MS = 86_400_000;
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A business day that is over whenever the tests run (never a fixed calendar date). */
const PAST_DAY = utcDate(Date.now() - 3 * DAY_MS);

// Names stored with control characters in them: an ANSI clear-screen and cursor-home, an OSC
// window-title sequence ended by BEL, and the one-character C1 CSI (which JSON.stringify leaves raw).
const MERCHANT_NAME = 'Shop \u001b[2J\u001b[H cleared';
const STORE_NAME = 'Kiosk \u001b]0;owned\u0007 \u009b31m red';
const escaped = (text: string) => text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const rawControl = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u; // any control character but \t and \n

/**
 * What the CLI cannot make by itself, written into the folder before any CLI or server opens it:
 * a merchant and a store whose names hold control characters (stored by an older version, or
 * through a path that did not check them), and a remittance and a payout posted during PAST_DAY,
 * so that settling that day makes statements (what the CLI posts is posted now, after the day).
 */
async function seed(dataDir: string) {
  const { openDatabase } = await import('../../api/db/client.ts');
  const { networkRepository } = await import('../../api/network/network.repository.ts');
  const { LedgerService } = await import('../../api/ledger/ledger.service.ts');
  const database = await openDatabase({ dataDir });
  try {
    await networkRepository.insertMerchant(database.db, { id: 'mer_escape', name: MERCHANT_NAME });
    await networkRepository.insertStore(database.db, { id: 'sto_escape', name: STORE_NAME, currency: 'EUR' });
    const ledger = new LedgerService(database.db, { now: () => new Date(`${PAST_DAY}T12:00:00Z`) });
    await ledger.remittance('sto_escape', 5000, 'EUR', 'seeded');
    await ledger.payout('mer_escape', 3000, 'EUR', 'seeded');
  } finally {
    await database.close();
  }
}

describe('the CLI and README agree', () => {
  it("knows every command in README's table, and only those, and resolves each syntax as written", () => {
    expect(README_COMMANDS).toEqual([...COMMAND_NAMES].sort());
    for (const { syntax, name } of readmeTable()) {
      const argv = syntax.replace(/[[\]]/g, '').split(' ');
      expect(resolveCommand(argv).name, syntax).toBe(name);
    }
    expect(resolveCommand(['settle', '--date', PAST_DAY])).toEqual({ name: 'settle', args: ['--date', PAST_DAY] });
    expect(resolveCommand(['statement', 'show', 'stm_1', '--csv'])).toEqual({ name: 'statement show', args: ['stm_1', '--csv'] });
    expect(() => resolveCommand(['merchant'])).toThrow('merchant needs one of: create');
    expect(() => resolveCommand(['settle-all'])).toThrow('unknown command: settle-all');
  });
});

const modes = [
  { mode: 'with no server running', viaServer: false },
  { mode: 'through a running server', viaServer: true },
] as const;

describe.each(modes)('every operator command, $mode', ({ viaServer }) => {
  let dir = '';
  let server: RunningServer | undefined;
  /** The commands this mode ran: at the end, every one in README's table. */
  const ran = new Set<string>();
  const my = { merchant: '', apiKey: '', store: '', statements: [] as Array<{ id: string; party: { kind: string; id: string } }> };

  beforeAll(async () => {
    dir = scratchDir(viaServer ? 'cli-via-server' : 'cli-alone');
    await seed(dir);
    if (viaServer) server = await startServer({ dataDir: dir });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** One CLI run; it must say it went through the server exactly when one runs. */
  async function run(...args: string[]): Promise<Run> {
    ran.add(resolveCommand(args.filter((a) => a !== '--json')).name);
    const r = await cli(args, dir);
    expect(/the server \(pid \d+\) holds .*; the command runs through it\./.test(r.stderr), `counterpay ${args.join(' ')}\n${r.stderr}`).toBe(viaServer);
    return r;
  }
  /** A run that must succeed with one JSON object on stdout. */
  async function ok(...args: string[]) {
    const r = await run(...args, '--json');
    expect(r.code, `counterpay ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    return r.json();
  }
  /** A run that must fail with the given exit code and a JSON error. */
  async function fails(code: number, ...args: string[]) {
    const r = await run(...args, '--json');
    expect(r.code, `counterpay ${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(code);
    const { error } = r.json();
    expect(error).toEqual({ code: expect.any(String), message: expect.any(String) });
    return error as { code: string; message: string };
  }

  it('user create, list and sign-in-link: a console operator from the command line, with a link that signs in once', async () => {
    const made = await ok('user', 'create', '--operator', '--email', 'Night.Ops@Example.com');
    expect(made).toEqual({ id: expect.stringMatching(/^usr_/), email: 'night.ops@example.com', operator: true, created: true });
    expect(await ok('user', 'create', '--email', 'night.ops@example.com')).toMatchObject({ id: made.id, operator: true, created: false });
    const list = await ok('user', 'list');
    expect(list.data).toEqual(expect.arrayContaining([{ id: made.id, email: 'night.ops@example.com', operator: true, created_at: expect.any(String) }]));
    const link = await ok('user', 'sign-in-link', '--email', 'night.ops@example.com');
    expect(link.url).toMatch(/\/console\/sign-in#token=[0-9a-z]{52}$/);
    expect((await fails(1, 'user', 'sign-in-link', '--email', 'nobody@example.com')).code).toBe('not-found');
    expect((await fails(1, 'user', 'create', '--email', 'not an address')).code).toBe('validation-failed');
    expect((await fails(2, 'user', 'create')).code).toBe('usage');
  });

  it('merchant create, list and new-key: the API key is shown once, and the old one is replaced', async () => {
    const created = await ok('merchant', 'create', '--name', 'Corner Books');
    expect(created).toEqual({
      id: expect.stringMatching(/^mer_/),
      name: 'Corner Books',
      api_key: expect.stringMatching(/^cpk_live_/),
      test_api_key: expect.stringMatching(/^cpk_test_/),
    });
    my.merchant = created.id;

    const list = await ok('merchant', 'list');
    expect(list.object).toBe('list');
    expect(list.data).toEqual(expect.arrayContaining([{ id: created.id, name: 'Corner Books', created_at: expect.any(String) }, expect.objectContaining({ id: 'mer_escape' })]));

    const renewed = await run('merchant', 'new-key', created.id);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toContain(`New API keys for merchant ${created.id} (Corner Books); its other keys no longer work.`);
    my.apiKey = /live: (cpk_live_\S+)/.exec(renewed.stdout)![1]!;
    expect(renewed.stdout).toMatch(/test: cpk_test_\S+/);
    expect(my.apiKey).not.toBe(created.api_key);

    // Key management: a read-only key, rolled with an overlap, then the new key revoked.
    const extra = await ok('merchant', 'key', 'create', '--merchant', created.id, '--read-only');
    expect(extra).toEqual({ id: expect.stringMatching(/^key_/), merchant_id: created.id, mode: 'live', access: 'read_only', api_key: expect.stringMatching(/^cpk_live_/) });
    const testKey = await ok('merchant', 'key', 'create', '--merchant', created.id, '--test');
    expect(testKey).toMatchObject({ mode: 'test', access: 'full', api_key: expect.stringMatching(/^cpk_test_/) });
    const rolled = await ok('merchant', 'key', 'roll', extra.id, '--overlap', '1h');
    expect(rolled).toMatchObject({ access: 'read_only', replaced: { id: extra.id, status: 'expiring' } });
    const revoked = await ok('merchant', 'key', 'revoke', rolled.id);
    expect(revoked).toMatchObject({ id: rolled.id, status: 'revoked' });
    const keys = await ok('merchant', 'key', 'list', '--merchant', created.id);
    expect(keys.data.map((k: { id: string; status: string }) => [k.id, k.status])).toEqual(
      expect.arrayContaining([
        [extra.id, 'expiring'],
        [rolled.id, 'revoked'],
      ]),
    );
    expect(await fails(1, 'merchant', 'key', 'roll', extra.id, '--overlap', '8d')).toMatchObject({ code: 'validation-failed' });
  }, 300_000);

  it('merchant set-fees and set-notify', async () => {
    expect(await ok('merchant', 'set-fees', my.merchant, '--basis-points', '300', '--fixed', '10')).toEqual({ id: my.merchant, fee_basis_points: 300, fee_fixed: 10 });
    expect(await ok('merchant', 'set-notify', my.merchant, '--channels', 'email,sms')).toEqual({ id: my.merchant, default_notify: ['email', 'sms'] });
    const none = await run('merchant', 'set-notify', my.merchant, '--channels', 'none');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(`Merchant ${my.merchant} sends vouchers by no channel unless a request says otherwise.\n`);
  }, 300_000);

  it('store create, list, set-limits and set-commission', async () => {
    const store = await ok('store', 'create', '--name', 'Main St', '--currency', 'EUR');
    expect(store).toEqual({ id: expect.stringMatching(/^sto_/), name: 'Main St', currency: 'EUR', created_at: expect.any(String) });
    my.store = store.id;
    expect((await ok('store', 'list')).data.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([store.id, 'sto_escape']));
    const limits = await ok('store', 'set-limits', store.id, '--max-voucher', '30000', '--max-count', '50', '--max-offline-hours', '48');
    expect(limits).toMatchObject({ store: { id: store.id }, lease: { currency: 'EUR', max_voucher_amount: 30000, max_unsynced_count: 50, max_offline_seconds: 172_800 } });
    expect(await ok('store', 'set-commission', store.id, '--basis-points', '150')).toEqual({ id: store.id, commission_basis_points: 150 });
    expect(await ok('store', 'set-payout-code', store.id, '--above', '5000')).toEqual({ id: store.id, currency: 'EUR', payout_code_above: 5000 });
    expect(await ok('store', 'set-payout-code', store.id, '--above', 'none')).toEqual({ id: store.id, currency: 'EUR', payout_code_above: null });
    expect(await fails(2, 'store', 'set-payout-code', store.id)).toMatchObject({ code: 'usage' });
    // Where it is and when it is open, for the store directory.
    const placed = await ok(
      'store',
      'set-address',
      store.id,
      '--street',
      'Torstraße 1',
      '--postal-code',
      '10119',
      '--city',
      'Berlin',
      '--country',
      'DE',
      '--lat',
      '52.5291',
      '--lng',
      '13.401',
      '--brand',
      'Main',
    );
    expect(placed).toMatchObject({ id: store.id, brand: 'Main', address: { street: 'Torstraße 1', postal_code: '10119', city: 'Berlin', country: 'DE' }, listed: true });
    expect(await ok('store', 'set-hours', store.id, '--week', 'mon-fri 08:00-20:00, sat 22:00-02:00', '--time-zone', 'Europe/Berlin')).toMatchObject({
      time_zone: 'Europe/Berlin',
      hours: { mon: [{ opens: '08:00', closes: '20:00' }], sat: [{ opens: '22:00', closes: '02:00' }], sun: [] },
    });
    expect(await ok('store', 'close-on', store.id, '--date', '2099-12-25')).toMatchObject({ id: store.id });
    expect(await ok('store', 'open-on', store.id, '--date', '2099-12-25')).toMatchObject({ closed_on: [] });
    expect(await ok('store', 'pause', store.id)).toMatchObject({ accepting: false, open_now: false });
    expect(await ok('store', 'resume', store.id)).toMatchObject({ accepting: true });
    expect(await fails(1, 'store', 'set-hours', store.id, '--week', 'someday 08:00-09:00')).toMatchObject({ code: 'validation-failed' });
    // No till has closed a shift here yet; a date that is no date is refused.
    expect(await ok('shift', 'list', '--date', '2026-01-01', '--store', store.id)).toEqual({ object: 'shift_day', date: '2026-01-01', data: [], stores: [] });
    expect(await fails(1, 'shift', 'list', '--date', '2026-13-01')).toMatchObject({ code: 'validation-failed' });
  }, 300_000);

  it('device enroll-code, list and revoke', async () => {
    const code = await ok('device', 'enroll-code', '--store', my.store);
    expect(code).toMatchObject({ code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/), store: { id: my.store }, expires_at: expect.any(String) });
    if (!server) {
      // No till can enrol without the server.
      expect(await ok('device', 'list')).toEqual({ object: 'list', data: [] });
      expect(await fails(1, 'device', 'revoke', 'dev_nope')).toMatchObject({ code: 'not-found' });
      return;
    }
    // A till enrols over the API with the code the CLI made.
    const { serverConnection, TestTill } = await import('../support/till.ts');
    const till = await TestTill.enrol(serverConnection(server.url), code.code, 'Front till');
    const listed = await ok('device', 'list');
    expect(listed.data.find((d: { id: string }) => d.id === till.id)).toMatchObject({ id: till.id, store_id: my.store, name: 'Front till', status: 'active', flags: [] });
    const text = await run('device', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^id\s+store_id\s+name\s+status\s+last_seen_at\s+collections\s+flags$/);
    expect(text.stdout).toMatch(new RegExp(`\\n${till.id} +${my.store} +Front till +active .* ok\\n`));
    expect(await ok('device', 'revoke', till.id)).toMatchObject({ id: till.id });
    expect((await ok('device', 'list')).data.find((d: { id: string }) => d.id === till.id).status).toBe('revoked');
  }, 300_000);

  it('refund pay: only a collection owed back to the shopper, and only once', async () => {
    expect(await fails(1, 'refund', 'pay', '--collection', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 'not-found' });
    const nobody = '00000000-0000-4000-8000-000000000001';
    expect(await fails(1, 'review', 'accept', nobody)).toMatchObject({ code: 'not-found' });
    expect(await fails(1, 'review', 'refund', nobody)).toMatchObject({ code: 'not-found' });
    expect(await fails(1, 'review', 'write-off', nobody, '--reason', 'lost')).toMatchObject({ code: 'not-found' });
    expect(await ok('review', 'list')).toMatchObject({ object: 'list' });
    if (!server) return; // collections come from tills, which need the server
    const { serverConnection, TestTill } = await import('../support/till.ts');
    const till = await TestTill.enrol(serverConnection(server.url), (await ok('device', 'enroll-code', '--store', my.store)).code);
    const voucher = async () => {
      const res = await fetch(`${server!.url}/v1/vouchers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${my.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ order_ref: 'ORD-CLI', amount: 1000, currency: 'EUR' }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { token: string };
    };
    const [accepted, mismatch] = await till.outcomes([await till.record((await voucher()).token, 1000), await till.record((await voucher()).token, 900)]);
    expect([accepted!.outcome, mismatch!.outcome]).toEqual(['accepted', 'mismatch']);
    expect(await ok('refund', 'pay', '--collection', mismatch!.id!)).toMatchObject({
      object: 'refund',
      status: 'paid',
      reason: 'mismatch',
      collection_id: mismatch!.id,
      amount: 900,
      currency: 'EUR',
      till_id: null,
    });
    expect(await fails(1, 'refund', 'pay', '--collection', mismatch!.id!)).toMatchObject({ code: 'refund-already-paid' });
    expect(await fails(1, 'refund', 'pay', '--collection', accepted!.id!)).toMatchObject({ code: 'refund-not-owed' });

    // The mismatch waits in the review queue; its refund was paid above, so only "refund" can close it.
    expect((await ok('review', 'list')).data.map((c: { id: string }) => c.id)).toContain(mismatch!.id);
    expect(await fails(1, 'review', 'accept', mismatch!.id!)).toMatchObject({ code: 'review-not-possible' });
    expect(await fails(2, 'review', 'write-off', mismatch!.id!)).toMatchObject({ code: 'usage' });
    expect(await fails(1, 'review', 'write-off', mismatch!.id!, '--reason', 'counted twice')).toMatchObject({ code: 'review-not-possible' });
    expect(await ok('review', 'refund', mismatch!.id!, '--by', 'ops')).toMatchObject({ decision: 'refund', decided_by: 'ops', collection_id: mismatch!.id });
    expect((await ok('review', 'list')).data.map((c: { id: string }) => c.id)).not.toContain(mismatch!.id);
  }, 300_000);

  it('webhook create and list (a loopback URL)', async () => {
    // Nothing listens there and no event it subscribes to happens in this file: nothing is delivered.
    const url = `http://127.0.0.1:${await freePort()}/hooks`;
    const created = await ok('webhook', 'create', '--merchant', my.merchant, '--url', url, '--events', 'voucher.canceled,voucher.expired');
    expect(created).toMatchObject({
      id: expect.stringMatching(/^we_/),
      object: 'webhook_endpoint',
      url,
      events: ['voucher.canceled', 'voucher.expired'],
      status: 'enabled',
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(await ok('webhook', 'list', '--merchant', my.merchant)).toEqual({
      object: 'list',
      data: [{ id: created.id, object: 'webhook_endpoint', url, events: ['voucher.canceled', 'voucher.expired'], status: 'enabled', created_at: expect.any(String) }],
    });
    const text = await run('webhook', 'list', '--merchant', my.merchant);
    expect(text.stdout.split('\n')[0]).toMatch(/^id\s+status\s+url\s+events$/);
    expect(text.stdout).toContain(`${url}  voucher.canceled,voucher.expired`);
  }, 300_000);

  it('settle --date a past day makes the statements once; statement show traces their lines, also as CSV', async () => {
    const first = await run('settle', '--date', PAST_DAY);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(`Settled ${PAST_DAY}: 2 statement(s)`);

    const again = await ok('settle', '--date', PAST_DAY);
    expect(again).toMatchObject({ object: 'settlement_run', business_date: PAST_DAY, created: false });
    expect(again.statements).toEqual([
      expect.objectContaining({ object: 'statement', business_date: PAST_DAY, party: { kind: 'merchant', id: 'mer_escape' }, currency: 'EUR', transactions: 1, amount: -3000 }),
      expect.objectContaining({ object: 'statement', business_date: PAST_DAY, party: { kind: 'store', id: 'sto_escape' }, currency: 'EUR', transactions: 1, amount: -5000 }),
    ]);
    for (const st of again.statements) expect(first.stdout).toContain(`${st.id}  ${st.party.kind} ${st.party.id}`);
    my.statements = again.statements;

    const today = utcDate(Date.now());
    expect(await fails(1, 'settle', '--date', today)).toMatchObject({ code: 'validation-failed', message: expect.stringContaining('is not over yet') });

    const store = my.statements.find((s) => s.party.kind === 'store')!;
    const shown = await ok('statement', 'show', store.id);
    expect(shown).toMatchObject({ id: store.id, party: { kind: 'store', id: 'sto_escape' }, amount: -5000 });
    expect(shown.lines).toEqual([expect.objectContaining({ kind: 'remittance', collection_id: null, net: -5000 })]);

    const csv = await run('statement', 'show', store.id, '--csv');
    expect(csv.code).toBe(0);
    const rows = csv.stdout.replace(/\n$/, '').split('\r\n');
    expect(rows[0]).toBe('transaction_id,kind,collection_id,refund_id,voucher_id,order_ref,collected_at,posted_at,currency,gross,fee,commission,net,memo');
    expect(rows[1]).toMatch(new RegExp(`^${shown.lines[0].transaction_id},remittance,.*,EUR,.*,-50\\.00,remittance from store sto_escape \\(seeded\\)$`));
    expect(rows[2]).toMatch(/^total,.*,EUR,.*-50\.00,to remit to the operator$/);
    expect(rows).toHaveLength(3);
    const csvJson = await ok('statement', 'show', store.id, '--csv');
    expect(csvJson).toEqual({ id: store.id, csv: `${rows.join('\r\n')}\r\n` });
  }, 300_000);

  it('remittance record, payout record and ledger balances', async () => {
    expect(await ok('remittance', 'record', '--store', my.store, '--amount', '1200', '--currency', 'EUR', '--reference', 'BANK-1')).toEqual({
      object: 'ledger_transaction',
      id: expect.any(String),
      kind: 'remittance',
      store_id: my.store,
      amount: 1200,
      currency: 'EUR',
    });
    expect(await ok('payout', 'record', '--merchant', my.merchant, '--amount', '800', '--currency', 'EUR')).toEqual({
      object: 'ledger_transaction',
      id: expect.any(String),
      kind: 'payout',
      merchant_id: my.merchant,
      amount: 800,
      currency: 'EUR',
    });
    const usage = await run('remittance', 'record', '--store', my.store, '--amount', '1200');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give --store, --amount and --currency');

    const balances = await ok('ledger', 'balances');
    expect(balances.object).toBe('list');
    const accounts = balances.data as Array<{ account: string; currency: string; balance: number }>;
    for (const a of accounts) expect(a).toEqual({ account: expect.any(String), currency: expect.any(String), balance: expect.any(Number) });
    expect(accounts.map((a) => a.account)).toEqual(
      expect.arrayContaining([`store:${my.store}`, `merchant:${my.merchant}`, 'store:sto_escape', 'merchant:mer_escape', 'operator:bank']),
    );
    // Double entry: every currency's postings sum to zero.
    expect(accounts.filter((a) => a.currency === 'EUR').reduce((sum, a) => sum + a.balance, 0)).toBe(0);
    if (!server) expect(accounts.find((a) => a.account === `store:${my.store}`)!.balance).toBe(-1200);
  }, 300_000);

  it('keys list, rotate and withdraw', async () => {
    const before = (await ok('keys', 'list')).data as Array<{ kid: number; state: string }>;
    expect(before.filter((k) => k.state === 'current')).toHaveLength(1);
    const rotated = await ok('keys', 'rotate');
    expect(rotated).toMatchObject({ current: { kid: expect.any(Number), state: 'current' }, retired: { state: 'retired' } });
    expect(rotated.current.kid).toBe(rotated.retired.kid + 1);
    const withdrawn = await run('keys', 'withdraw', '--kid', String(rotated.retired.kid));
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.stdout).toBe(`Key ${rotated.retired.kid} is withdrawn: its tokens no longer verify. Key ${rotated.current.kid} signs new vouchers.\n`);
    const after = (await ok('keys', 'list')).data as Array<{ kid: number; state: string }>;
    expect(after.find((k) => k.kid === rotated.retired.kid)!.state).toBe('withdrawn');
    expect(after.find((k) => k.kid === rotated.current.kid)!.state).toBe('current');
  }, 300_000);

  it('worker: runs until SIGTERM on a free folder; says plainly why not while the server holds it', async () => {
    ran.add('worker');
    if (!server) {
      const extra = await worker(dir, ['--now']);
      expect(extra.code).toBe(2);
      expect(extra.stderr).toContain('worker takes no arguments, got --now');
      const w = await worker(dir);
      expect(w.started, w.stderr).toBe(true);
      expect(w.code, w.stderr).toBe(0);
      expect(w.stderr).toMatch(/\[counterpay worker\] running \(pid \d+\); stop with Ctrl-C\n(.*\n)*\[counterpay worker\] stopped\n$/);
      // It let go of the folder: the next command opens it.
      expect((await ok('keys', 'list')).object).toBe('list');
    } else {
      const w = await worker(dir);
      expect(w.started).toBe(false);
      expect(w.code).toBe(1);
      expect(w.stderr).toContain(`counterpay: the server (pid ${server.process.pid}) holds ${dir} and runs the outbox worker itself; extra workers need PostgreSQL (DATABASE_URL)`);
      const j = await worker(dir, ['--json']);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'data-dir-busy', message: expect.stringContaining('runs the outbox worker itself') } });
    }
  }, 300_000);

  it('prints control characters from the data escaped, in tables and messages; JSON keeps the names exact', async () => {
    const merchants = await run('merchant', 'list');
    expect(merchants.code).toBe(0);
    expect(merchants.stdout).toMatch(/\nmer_escape +Shop \\u001b\[2J\\u001b\[H cleared +\d{4}-/);
    expect(merchants.stdout).toContain('Shop \\u001b[2J\\u001b[H cleared');
    expect(merchants.stdout).not.toMatch(rawControl);
    // Columns stay straight: each row's created_at starts where the header's does.
    const lines = merchants.stdout.trimEnd().split('\n');
    const column = lines[0]!.indexOf('created_at');
    for (const line of lines.slice(1)) expect(line.slice(column), line).toMatch(/^\d{4}-\d\d-\d\dT/);

    const stores = await run('store', 'list');
    expect(stores.stdout).toContain(escaped(STORE_NAME));
    expect(stores.stdout).toContain('Kiosk \\u001b]0;owned\\u0007 \\u009b31m red');
    expect(stores.stdout).not.toMatch(rawControl);

    const renewed = await run('merchant', 'new-key', 'mer_escape');
    expect(renewed.stdout).toContain(`New API keys for merchant mer_escape (${escaped(MERCHANT_NAME)}); its other keys no longer work.`);
    expect(renewed.stdout).not.toMatch(rawControl);

    const json = await run('store', 'list', '--json');
    expect(json.stdout).not.toMatch(rawControl); // C1 controls too, which JSON.stringify leaves raw
    expect(json.stdout).toContain('\\u009b');
    expect(json.json().data.find((s: { id: string }) => s.id === 'sto_escape').name).toBe(STORE_NAME);

    // An error message quoting what the operator typed is escaped the same way.
    const typed = await cli(['\u001b[2Jmerchant', 'list'], dir);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain('counterpay: unknown command: \\u001b[2Jmerchant list');
    expect(typed.stderr).not.toMatch(rawControl);
  }, 300_000);

  it("ran every command of README's table", () => {
    expect([...ran].sort()).toEqual(README_COMMANDS);
  });
});
