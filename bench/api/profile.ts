/**
 * `npm run bench -- profile`: where the server's CPU goes while it creates vouchers. Runs the real
 * server under `node --cpu-prof` on a fresh PostgreSQL database, loads POST /v1/vouchers with wrk
 * as the creation benchmark does, stops it, and prints its main thread's time by package and the
 * functions with the most self time (a text flame summary; the .cpuprofile files stay in the
 * printed folder for Chrome DevTools or speedscope). Not part of the default `npm run bench`.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../test/support/server.ts';
import { freshPostgresDatabase } from '../../test/support/databases.ts';
import { processCpuMicros } from '../cpu.ts';
import { fmt } from '../load.ts';
import { httpLoad } from '../wrk.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per node of the profile, in microseconds. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  return self;
}

/** Time not spent idle, in microseconds. */
function busyTime(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let busy = 0;
  for (const [id, t] of selfTimes(profile)) if (!idle.has(id)) busy += t;
  return busy;
}

const where = (url: string) => {
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/(api|core|web)\/[^/]+/.exec(url)?.[0];
  if (own) return own.slice(1);
  return url.startsWith('node:') ? 'node' : url === '' ? 'native' : 'other';
};

function summarise(profile: CpuProfile, top: number): string[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, t] of selfTimes(profile)) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += t;
    const pkg = functionName.startsWith('(') ? functionName : where(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/(api|core|web)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${k}`);
  return [`busy ${fmt(busy / 1000)} ms; by package (self time):`, ...rows(byPackage, 12), `functions with the most self time:`, ...rows(byFunction, top)];
}

export async function profileCreateVoucher(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-profile-'));
  const db = await freshPostgresDatabase();
  try {
    // `node --cpu-prof` writes the profile when the process exits; NODE_OPTIONS may not carry it.
    const server = await startServer({ env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '32' }, wrap: ['/bin/sh', '-c', `exec "$0" --cpu-prof --cpu-prof-dir="${dir}" "$@"`] });
    let line: string;
    try {
      const request = {
        url: `${server.url}/v1/vouchers`,
        method: 'POST' as const,
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ order_ref: 'PROFILE-1', amount: 4990, currency: 'EUR', items: [{ name: 'Mug', quantity: 2, unit_amount: 2495 }] }),
        connections: 32,
      };
      await httpLoad({ ...request, seconds: 2 });
      const before = processCpuMicros(server.process.pid!);
      const r = await httpLoad({ ...request, seconds: SECONDS });
      line = `profile, create voucher under load: ${fmt(r.rps)} req/s, server CPU ${fmt((processCpuMicros(server.process.pid!) - before) / (r.rps * SECONDS))} µs per voucher (the profiler itself adds some)`;
    } finally {
      await server.stop();
    }
    console.log(line);
    // The main thread's profile is the busiest (the module loader's thread works only at start).
    const profiles = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
    const main = profiles.sort((a, b) => busyTime(b) - busyTime(a))[0];
    if (!main) throw new Error(`the server wrote no CPU profile into ${dir}`);
    for (const l of summarise(main, 25)) console.log(l);
    console.log(`profiles: ${dir}`);
  } finally {
    await db.drop();
  }
}
