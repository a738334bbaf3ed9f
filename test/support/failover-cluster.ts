/**
 * A pg_auto_failover cluster from Debian's packages (postgresql-15-auto-failover), built in a
 * scratch folder on loopback ports for a drill: a monitor and two PostgreSQL nodes with synchronous
 * replication, tuned to fail over in seconds as docs/operations.md describes. Everything runs as the
 * `postgres` user (PostgreSQL refuses root), each node in its own process group so that a drill can
 * SIGKILL a node's postmaster alone, or the whole node (its keeper too, as when a machine is lost).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './server.ts';

const BIN = '/usr/lib/postgresql/15/bin';
export const PG_AUTOCTL = '/usr/bin/pg_autoctl';
const RUNUSER = '/usr/sbin/runuser';

/** The drill runs where pg_auto_failover is installed and this process may act as `postgres`. */
export function canBuildCluster(): boolean {
  return existsSync(PG_AUTOCTL) && process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status === 0;
}

/** The monitor's failure detection, tuned from its defaults (5 s checks, 20 s unhealthy, 30 s demote). */
const MONITOR_SETTINGS = {
  'pgautofailover.health_check_period': '1000',
  'pgautofailover.health_check_timeout': '1000',
  'pgautofailover.health_check_max_retries': '1',
  'pgautofailover.health_check_retry_delay': '500',
  'pgautofailover.node_considered_unhealthy_timeout': '3000',
  // Longer than a node's own network_partition_timeout (4 s): a primary cut off from the monitor
  // and its standby demotes itself before the monitor promotes the standby.
  'pgautofailover.primary_demote_timeout': '6000',
};

export interface NodeState {
  name: string;
  port: number;
  reported: string;
  assigned: string;
}

interface Member {
  name: string;
  port: number;
  pgdata: string;
  process?: ChildProcess;
  log: string;
}

export class FailoverCluster {
  private readonly members: Member[] = [];
  private monitor!: Member;

  private constructor(readonly dir: string) {}

  /** Monitor and two nodes, the second a synchronous standby of the first. */
  static async create(): Promise<FailoverCluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-ha-'));
    chownSync(dir, uid('postgres'), gid('postgres'));
    const cluster = new FailoverCluster(dir);
    const t0 = Date.now();
    const step = (what: string) => process.env.DRILL_VERBOSE && console.log(`cluster: ${what} at ${Date.now() - t0} ms`);
    try {
      const [m, a, b] = [await freePort(), await freePort(), await freePort()];
      cluster.monitor = { name: 'monitor', port: m, pgdata: path.join(dir, 'monitor'), log: '' };
      cluster.autoctl(['create', 'monitor', '--pgdata', cluster.monitor.pgdata, '--pgport', String(m), '--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl']);
      // Loopback only (the monitor's own default is every address).
      cluster.autoctl(['config', 'set', '--pgdata', cluster.monitor.pgdata, 'postgresql.listen_addresses', '127.0.0.1']);
      cluster.run(cluster.monitor);
      step('monitor created');
      await cluster.waitFor(async () => (await cluster.sql(m, 'pg_auto_failover', 'select 1 as ok')).length === 1, 'the monitor to start');
      for (const [k, v] of Object.entries(MONITOR_SETTINGS)) await cluster.sql(m, 'pg_auto_failover', `alter system set ${k} = ${v}`);
      await cluster.sql(m, 'pg_auto_failover', 'select pg_reload_conf()');
      for (const [i, port] of [a, b].entries()) {
        const node: Member = { name: `node${i + 1}`, port, pgdata: path.join(dir, `node${i + 1}`), log: '' };
        cluster.members.push(node);
        cluster.run(node, [
          'create',
          'postgres',
          '--pgdata',
          node.pgdata,
          '--pgport',
          String(port),
          '--hostname',
          '127.0.0.1',
          '--listen',
          '127.0.0.1',
          '--auth',
          'trust',
          '--no-ssl',
          '--dbname',
          'counterpay',
          '--name',
          node.name,
          '--monitor',
          cluster.monitorUri,
          '--run',
        ]);
        // A standby's base backup waits for a checkpoint on the primary: ask for one rather than wait minutes.
        await cluster.waitFor(async () => {
          const states = await cluster.states();
          const me = states.find((s) => s.name === node.name);
          if (i === 1 && me?.reported !== 'secondary') await cluster.sql(a, 'counterpay', 'checkpoint').catch(() => {});
          return me?.reported === (i === 0 ? 'single' : 'secondary') || (i === 0 && me?.reported === 'wait_primary');
        }, `${node.name} to join`);
        step(`${node.name} joined`);
      }
      for (const node of cluster.members) {
        cluster.autoctl(['config', 'set', '--pgdata', node.pgdata, 'timeout.network_partition_timeout', '4']);
        cluster.autoctl(['reload', '--pgdata', node.pgdata]);
      }
      await cluster.waitFor(async () => (await cluster.primary()) !== undefined && (await cluster.synchronous()), 'synchronous replication');
      return cluster;
    } catch (err) {
      await cluster.destroy();
      throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
    }
  }

  get monitorUri(): string {
    return `postgres://autoctl_node@127.0.0.1:${this.monitor.port}/pg_auto_failover?sslmode=disable`;
  }

  /** DATABASE_URL for Counterpay: both nodes, the writable one wanted (as `pg_autoctl show uri` prints it). */
  get databaseUrl(): string {
    return `postgres://postgres@${this.members.map((n) => `127.0.0.1:${n.port}`).join(',')}/counterpay?target_session_attrs=read-write&sslmode=disable`;
  }

  async states(): Promise<NodeState[]> {
    const rows = await this.sql<{ nodename: string; nodeport: number; reportedstate: string; goalstate: string }>(
      this.monitor.port,
      'pg_auto_failover',
      'select nodename, nodeport, reportedstate::text, goalstate::text from pgautofailover.node order by nodeid',
    ).catch(() => []);
    return rows.map((r) => ({ name: r.nodename, port: r.nodeport, reported: r.reportedstate, assigned: r.goalstate }));
  }

  /** The node the monitor has as primary (reported and assigned). */
  async primary(): Promise<Member | undefined> {
    const p = (await this.states()).find((s) => ['primary', 'wait_primary', 'single'].includes(s.reported) && s.reported === s.assigned);
    return p && this.members.find((m) => m.name === p.name);
  }

  /** Whether the primary waits for a standby before it acknowledges a commit. */
  async synchronous(): Promise<boolean> {
    const p = await this.primary();
    if (!p) return false;
    const rows = await this.sql<{ names: string; state: string }>(
      p.port,
      'counterpay',
      "select current_setting('synchronous_standby_names') as names, coalesce((select sync_state from pg_stat_replication limit 1), '') as state",
    ).catch(() => []);
    return Boolean(rows[0]?.names) && ['sync', 'quorum'].includes(rows[0]!.state);
  }

  /** The primary's current WAL position (null while there is no primary). */
  async currentLsn(): Promise<string | null> {
    const p = await this.primary();
    if (!p) return null;
    const rows = await this.sql<{ lsn: string }>(p.port, 'counterpay', 'select pg_current_wal_lsn()::text as lsn').catch(() => []);
    return rows[0]?.lsn ?? null;
  }

  /**
   * Whether the synchronous standby has flushed the primary's WAL up to `lsn`. What a primary
   * acknowledged in `wait_primary` (no standby: docs/operations.md §8) is on two machines only
   * from then on; commits after synchronous replication is back wait for it themselves.
   */
  async standbyFlushed(lsn: string): Promise<boolean> {
    const p = await this.primary();
    if (!p) return false;
    const rows = await this.sql<{ ok: boolean }>(
      p.port,
      'counterpay',
      "select coalesce(bool_or(flush_lsn >= $1::pg_lsn), false) as ok from pg_stat_replication where sync_state in ('sync', 'quorum')",
      [lsn],
    ).catch(() => []);
    return rows[0]?.ok === true;
  }

  /** SIGKILL the node's postmaster only: its keeper is left to restart it. */
  killPostmaster(node: Member): number {
    const pid = Number(readFileSync(path.join(node.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** SIGKILL the whole node, keeper and PostgreSQL: the machine is gone. */
  killNode(node: Member): void {
    const child = node.process;
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    // The postmaster may outlive its keeper's process group if it had restarted it: kill it too.
    try {
      this.killPostmaster(node);
    } catch {
      /* already gone */
    }
    node.process = undefined;
  }

  /** Start a killed node's keeper again: it rejoins, as a standby if another node was promoted. */
  restartNode(node: Member): void {
    this.run(node, ['run', '--pgdata', node.pgdata]);
  }

  node(name: string): Member {
    return this.members.find((m) => m.name === name)!;
  }

  logs(): string {
    return [this.monitor, ...this.members]
      .filter(Boolean)
      .map((m) => `--- ${m.name}\n${m.log.split('\n').slice(-30).join('\n')}`)
      .join('\n');
  }

  async destroy(): Promise<void> {
    for (const m of [...this.members, this.monitor].filter(Boolean)) {
      if (m.process?.pid && m.process.exitCode === null) {
        try {
          process.kill(-m.process.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      try {
        this.killPostmaster(m);
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    rmSync(this.dir, { recursive: true, force: true });
  }

  async sql<T>(port: number, database: string, text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end().catch(() => {});
    }
  }

  async waitFor(check: () => Promise<boolean>, what: string, limitMs = 120_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < limitMs) {
      if (await check().catch(() => false)) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: `${BIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
      PG_CONFIG: `${BIN}/pg_config`,
      XDG_CONFIG_HOME: path.join(this.dir, 'config'),
      XDG_DATA_HOME: path.join(this.dir, 'share'),
      XDG_RUNTIME_DIR: path.join(this.dir, 'run'),
      HOME: this.dir,
    };
  }

  private autoctl(args: string[]): string {
    const r = spawnSync(RUNUSER, ['-u', 'postgres', '--', PG_AUTOCTL, ...args], { env: this.env(), encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`pg_autoctl ${args.slice(0, 2).join(' ')} failed: ${r.error?.message ?? r.stderr}`);
    return r.stdout;
  }

  private run(member: Member, args = ['run', '--pgdata', member.pgdata]): void {
    const child = spawn(RUNUSER, ['-u', 'postgres', '--', PG_AUTOCTL, ...args], { env: this.env(), cwd: this.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (member.log += d));
    child.stderr!.on('data', (d) => (member.log += d));
    member.process = child;
  }
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}

/** One PostgreSQL 15 of its own (initdb in a scratch folder, loopback port), to stop and start in a drill. */
export class ScratchPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<ScratchPostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-pg-'));
    chownSync(dir, uid('postgres'), gid('postgres'));
    const db = new ScratchPostgres(dir, await freePort());
    db.pgctl(['initdb', '-o', '--auth=trust --no-sync -U postgres']);
    db.start();
    return db;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.pgctl(['start', '-w', '-l', path.join(this.dir, 'log'), '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir}`]);
  }

  /** Crash stop (`-m immediate`): what a killed server or a lost machine looks like to clients. */
  crash(): void {
    this.pgctl(['stop', '-m', 'immediate', '-w']);
  }

  destroy(): void {
    spawnSync(RUNUSER, ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', path.join(this.dir, 'data'), 'stop', '-m', 'immediate']);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgctl(args: string[]): void {
    const r = spawnSync(RUNUSER, ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', path.join(this.dir, 'data'), ...args], { encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`pg_ctl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
  }
}
