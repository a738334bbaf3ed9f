/**
 * HTTP load from wrk (a C client, as pgbench is for the database) so that the load generator
 * takes as little of the 2 cores as the baseline's does. Falls back to bench/load.ts (Node fetch)
 * when wrk is not installed (`apt-get install wrk`), and says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from './load.ts';

export interface HttpLoad {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  client: 'wrk' | 'node-fetch';
}

const hasWrk = () => spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;

const ms = (text: string | undefined) => {
  const m = /([\d.]+)(us|ms|s|m)\b/.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as const)[m[2] as 'us' | 'ms' | 's' | 'm'];
};

export async function httpLoad(opts: {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  seconds: number;
  connections: number;
}): Promise<HttpLoad> {
  if (!hasWrk()) {
    const r = await load({ seconds: opts.seconds, concurrency: opts.connections, send: () => fetch(opts.url, { method: opts.method, headers: opts.headers, body: opts.body }) });
    return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, client: 'node-fetch' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-wrk-'));
  const script = path.join(dir, 'request.lua');
  const lua = [
    `wrk.method = ${JSON.stringify(opts.method)}`,
    ...(opts.body ? [`wrk.body = ${JSON.stringify(opts.body)}`] : []),
    ...Object.entries(opts.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
  ];
  writeFileSync(script, `${lua.join('\n')}\n`);
  const r = spawnSync('wrk', ['-t2', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', '-s', script, opts.url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  if (!/99%/.test(r.stdout)) process.stderr.write(`wrk printed no latency distribution:\n${r.stdout}\n${r.stderr}\n`);
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0) +
    Number(
      /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
        .exec(r.stdout)
        ?.slice(1)
        .reduce((a, b) => a + Number(b), 0) ?? 0,
    );
  return { rps, p50: ms(/^\s*50%\s+(\S+)/m.exec(r.stdout)?.[1]), p99: ms(/^\s*99%\s+(\S+)/m.exec(r.stdout)?.[1]), errors, client: 'wrk' };
}
