/**
 * A running server on PGlite owns the data folder; the CLI must not open it a second time.
 * So the server listens on a Unix socket in the data folder (mode 0600: only its owner may talk
 * to it) and runs operator commands for the CLI there, over HTTP/1.1.
 */
import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Services } from '../context.ts';
import { describeFailure, runCommand } from './commands.ts';

export const socketPath = (dataDir: string) => path.join(path.resolve(dataDir), 'counterpay.sock');

export function startAdminSocket(services: Services, dataDir: string): Promise<http.Server> {
  const file = socketPath(dataDir);
  rmSync(file, { force: true }); // left by a crash; we hold the folder lock, so it is ours to replace
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let answer: unknown;
    try {
      const { argv } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv: string[] };
      answer = { ok: true, result: await runCommand(services, argv), pid: process.pid };
    } catch (err) {
      answer = { ok: false, error: describeFailure(err), pid: process.pid };
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      chmodSync(file, 0o600);
      resolve(server);
    });
  });
}

/** Sends argv to a running server; null when no server answers on the socket. */
export function sendToServer(
  dataDir: string,
  argv: string[],
): Promise<{ ok: boolean; result?: { json: Record<string, unknown>; text: string }; error?: { code: string; message: string; usage: boolean }; pid: number } | null> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socketPath(dataDir), method: 'POST', path: '/run', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end(JSON.stringify({ argv }));
  });
}
