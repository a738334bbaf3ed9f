/**
 * DATABASE_URL with several hosts, as libpq writes it and as pg_auto_failover's `pg_autoctl show uri`
 * prints it (docs/operations.md):
 *
 *   postgres://counterpay@10.0.0.1:5432,10.0.0.2:5432/counterpay?target_session_attrs=read-write
 *
 * node-postgres connects to one host. Here each new pooled connection goes to the primary: the one
 * host last seen writable, or, when it is not known (at start, or after its connection failed), the
 * host found by asking every host at once whether it is in recovery. A connection that turns out to
 * be on a standby is closed and the search starts again, so after a failover the pool refills on
 * the new primary by itself; connections to the lost primary fail and leave the pool as they do.
 * While no primary is found, a connection fails with SQLSTATE 08001, and the request answers 503.
 */
import pg from 'pg';

export interface HostPort {
  host: string;
  port: number;
}

export interface MultiHostUrl {
  hosts: HostPort[];
  /** The URL with the first host only and no target_session_attrs: what node-postgres understands. */
  url: string;
  /** `read-write` or `primary`: only a writable server will do (the default with several hosts). */
  needsPrimary: boolean;
  /** The URL for one of the hosts (node-postgres takes host and port from a URL over any given beside it). */
  urlFor(host: HostPort): string;
}

const HOST = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** Splits a libpq-style URL's host list; null when it names one host and asks nothing of it (the plain driver does). */
export function parseMultiHostUrl(url: string): MultiHostUrl | null {
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/.exec(url);
  if (!m) return null;
  const [, scheme, userinfo = '', hostList = '', rest = ''] = m;
  const [pathPart, query = ''] = rest.split(/\?(.*)/s, 2) as [string, string?];
  const params = new URLSearchParams(query);
  const attrs = params.get('target_session_attrs');
  const hosts = hostList.split(',').map((h) => {
    const hm = HOST.exec(h);
    if (!hm) throw new Error(`DATABASE_URL: cannot read the host "${h}"`);
    return { host: hm[1]!.replace(/^\[|\]$/g, ''), port: hm[2] ? Number(hm[2]) : 5432 };
  });
  if (hosts.length < 2 && !attrs) return null;
  if (attrs && !['any', 'read-write', 'primary'].includes(attrs)) {
    throw new Error(`DATABASE_URL: target_session_attrs=${attrs} is not supported (use read-write)`);
  }
  params.delete('target_session_attrs');
  const search = params.toString();
  const urlFor = (h: HostPort) => `${scheme}${userinfo}${label(h)}${pathPart}${search ? `?${search}` : ''}`;
  return { hosts, url: urlFor(hosts[0]!), needsPrimary: attrs !== 'any', urlFor };
}

/** No host is the primary now (all down, or a failover is under way): SQLSTATE 08001, so 503 with Retry-After. */
export class NoPrimaryError extends Error {
  readonly code = '08001';
  constructor(tried: HostPort[], why: string) {
    super(`no writable primary among ${tried.map(label).join(', ')}: ${why}`);
    this.name = 'NoPrimaryError';
  }
}

export const label = (h: HostPort) => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`);

export class PrimaryLocator {
  private known: HostPort | undefined;
  private search: Promise<HostPort> | undefined;

  constructor(
    private readonly target: MultiHostUrl,
    private readonly config: Omit<pg.ClientConfig, 'connectionString' | 'host' | 'port'>,
    private readonly onChange: (line: string) => void = () => {},
  ) {}

  /** The primary to connect to: the known one, or the one a search finds. */
  primary(): Promise<HostPort> {
    if (this.known) return Promise.resolve(this.known);
    this.search ??= this.find().finally(() => {
      this.search = undefined;
    });
    return this.search;
  }

  /** The host's connection failed or it is not writable: look again before the next connection. */
  forget(host: HostPort): void {
    if (this.known && this.known.host === host.host && this.known.port === host.port) this.known = undefined;
  }

  private async find(): Promise<HostPort> {
    const answers = await Promise.all(this.target.hosts.map((h) => this.probe(h)));
    const found = answers.find((a) => a.writable) ?? (this.target.needsPrimary ? undefined : answers.find((a) => a.reachable));
    if (!found) throw new NoPrimaryError(this.target.hosts, answers.map((a) => `${label(a.host)} ${a.why}`).join('; '));
    if (!this.known || label(this.known) !== label(found.host)) this.onChange(`database primary: ${label(found.host)}`);
    this.known = found.host;
    return found.host;
  }

  private async probe(host: HostPort): Promise<{ host: HostPort; writable: boolean; reachable: boolean; why: string }> {
    const client = new pg.Client({ ...this.config, connectionString: this.target.urlFor(host) });
    client.on('error', () => {});
    try {
      await client.connect();
      const r = await client.query<{ standby: boolean }>('select pg_is_in_recovery() as standby');
      const standby = r.rows[0]?.standby !== false;
      return { host, writable: !standby, reachable: true, why: standby ? 'is a standby' : 'is the primary' };
    } catch (err) {
      return { host, writable: false, reachable: false, why: `cannot be reached (${(err as { code?: string }).code ?? (err as Error).message})` };
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * A node-postgres Client that connects to the locator's primary and, when only a primary will do,
 * checks that it still is one (as libpq does for target_session_attrs=read-write).
 */
export function locatingClient(locator: PrimaryLocator, needsPrimary: boolean): typeof pg.Client {
  return class LocatingClient extends pg.Client {
    // pg-pool calls connect(callback); the promise form is kept for everything else.
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): Promise<pg.Client> | undefined {
      const done = this.connectToPrimary().then(() => this as pg.Client);
      if (!callback) return done;
      const cb = callback as (err: Error | null, c?: pg.Client) => void;
      done.then(
        (client) => cb(null, client),
        (err: Error) => cb(err),
      );
      return undefined;
    }

    private primaryHost: HostPort | undefined;

    // A write refused as read-only (25006) on this connection: the server is no primary any more
    // (pg_auto_failover makes a primary it demotes read-only before it restarts it as a standby).
    // The locator looks again, and this connection is closed rather than given to the next request.
    override query(...args: unknown[]): never {
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) {
        result.catch((err: { code?: string }) => {
          if (err?.code !== '25006' || !this.primaryHost) return;
          locator.forget(this.primaryHost);
          (this as unknown as { _queryable: boolean })._queryable = false;
        });
      }
      return result as never;
    }

    private async connectToPrimary(): Promise<void> {
      const host = await locator.primary();
      this.primaryHost = host;
      const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
      self.host = self.connectionParameters.host = host.host;
      self.port = self.connectionParameters.port = host.port;
      try {
        await super.connect();
      } catch (err) {
        locator.forget(host);
        throw err;
      }
      if (!needsPrimary) return;
      const r = await (super.query as (text: string) => Promise<{ rows: { standby: boolean }[] }>)('select pg_is_in_recovery() as standby');
      if (r.rows[0]?.standby !== false) {
        locator.forget(host);
        await this.end().catch(() => {});
        throw new NoPrimaryError([host], `${label(host)} is a standby now`);
      }
    }
  };
}
