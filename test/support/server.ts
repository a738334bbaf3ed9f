/**
 * Starts the real Counterpay server as a child process on a free loopback port, with its own
 * data folder (PGlite) or the given DATABASE_URL, and returns its URL and the demo API key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServer {
  url: string;
  /** The demo merchant's key, printed on first start (null when the database was not empty). */
  apiKey: string;
  /** The demo merchant's test-mode key (`cpk_test_…`), printed with it. */
  testApiKey: string;
  /** A one-time till enrolment code for the demo store (printed at every non-production start). */
  enrolCode: string;
  dataDir: string;
  /** The PostgreSQL it runs on, or undefined for PGlite in dataDir. */
  databaseUrl?: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(
  opts: {
    env?: Record<string, string>;
    dataDir?: string;
    keepDataDir?: boolean;
    /** A command the server runs under, such as `unshare --pid --fork --mount-proc` (a container's PID namespace). */
    wrap?: string[];
    /**
     * The host name of its PUBLIC_URL (it listens on 127.0.0.1 either way). `localhost` for passkeys:
     * WebAuthn takes no IP address as its relying party; the browser maps the name to 127.0.0.1.
     */
    host?: '127.0.0.1' | 'localhost';
  } = {},
): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'counterpay-'));
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: url, ...opts.env };
  if (!opts.env?.DATABASE_URL) delete env.DATABASE_URL;
  const command = [...(opts.wrap ?? []), process.execPath, '--import', 'tsx', 'api/main.ts'];
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  try {
    await started;
  } catch (err) {
    // A server that did not start leaves no folder behind either (a test may expect the refusal).
    if (child.exitCode === null) child.kill('SIGKILL');
    if (!opts.dataDir && !opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const apiKey = /Demo merchant API key: (\S+)/.exec(out)?.[1] ?? '';
  const testApiKey = /Demo merchant test-mode API key: (\S+)/.exec(out)?.[1] ?? '';
  const enrolCode = /Demo till enrolment code: (\S+)/.exec(out)?.[1] ?? '';
  return {
    url,
    apiKey,
    testApiKey,
    enrolCode,
    dataDir,
    databaseUrl: opts.env?.DATABASE_URL,
    process: child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (!opts.dataDir && !opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
