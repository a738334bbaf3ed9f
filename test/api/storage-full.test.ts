/**
 * PGlite on a small disk (a tmpfs this test mounts): filled while merchants create vouchers, the
 * server answers 503 `storage-full` with Retry-After instead of freezing, /healthz says so with the
 * free space, reads go on, SIGTERM still stops it, writes resume by themselves when space returns,
 * and every voucher that was acknowledged (201) is there afterwards.
 *
 * Twice: with the free-space margin (writes refused before the disk is full), and with no margin
 * (DATA_DIR_MIN_FREE_MB=0), where the disk really fills and PostgreSQL's "disk full" (53100) is what
 * stops writes, before PGlite's next WAL flush could hang.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.ts';

// Under CI=true this must run (a tier that cannot run fails); elsewhere it needs root to mount.
const canMount = process.env.CI === 'true' || process.getuid?.() === 0;
const MB = 1024 * 1024;

describe.runIf(canMount)('PGlite on a disk that fills up', () => {
  for (const { margin, leave } of [
    { margin: 64, leave: 66 },
    { margin: 0, leave: 2 },
  ]) {
    it(`refuses writes with 503 and recovers when space returns (margin ${margin} MB)`, async () => {
      const mount = mkdtempSync(path.join(os.tmpdir(), 'counterpay-small-'));
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount]).status).toBe(0);
      try {
        const server = await startServer({ dataDir: path.join(mount, 'data'), env: { WORKER: 'off', DATA_DIR_MIN_FREE_MB: String(margin) } });
        const free = () => {
          const s = statfsSync(mount);
          return s.bavail * s.bsize;
        };
        const fill = path.join(mount, 'fill');
        writeFileSync(fill, Buffer.alloc(Math.max(0, free() - leave * MB)));
        const api = (method: string, url: string, body?: unknown, key?: string) =>
          fetch(`${server.url}${url}`, {
            method,
            headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
        const acknowledged: string[] = [];
        let refused: Response | undefined;
        for (let i = 0; !refused && i < 20_000; i++) {
          const res = await api('POST', '/v1/vouchers', { order_ref: `FULL-${i}`, amount: 1000 + i, currency: 'EUR' }, `full-${i}`);
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
          else refused = res;
        }
        expect(refused?.status).toBe(503);
        expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(refused!.headers.get('content-type')).toBe('application/problem+json');
        expect(await refused!.json()).toMatchObject({ type: '/docs/problems#storage-full', status: 503 });
        expect(acknowledged.length).toBeGreaterThan(0);

        // Not frozen: health answers (503, read-only, with the figures), reads work, writes keep being refused.
        const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        expect(health.status).toBe(503);
        const body = (await health.json()) as { status: string; detail: string; storage: { free_bytes: number; min_free_bytes: number } };
        expect(body).toMatchObject({ status: 'read-only', database: 'pglite', storage: { min_free_bytes: margin * MB } });
        expect(body.detail).toMatch(/writes are refused until \d+ MB is free, reads go on/);
        expect((await api('GET', `/v1/vouchers/${acknowledged.at(-1)}`)).status).toBe(200);
        expect((await api('POST', '/v1/vouchers', { order_ref: 'FULL-again', amount: 1, currency: 'EUR' }, 'full-again')).status).toBe(503);
        const log = server.output();
        expect(log).toMatch(/embedded database: (only \d+ MB is free|the disk holding the data folder is full)/);
        expect(log).not.toMatch(/unexpected error|Failed query|params:/);

        // Space returns: writes resume without a restart, and every acknowledged voucher is there.
        rmSync(fill);
        let after: Response | undefined;
        while (after?.status !== 201) {
          after = await api('POST', '/v1/vouchers', { order_ref: 'FULL-after', amount: 500, currency: 'EUR' }, 'full-after');
          if (after.status !== 201) {
            expect(after.status).toBe(503);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        for (const id of [acknowledged[0]!, acknowledged.at(-1)!]) expect((await api('GET', `/v1/vouchers/${id}`)).status).toBe(200);

        // SIGTERM stops it cleanly; on the next start every acknowledged voucher is still there.
        const exited = new Promise<number | null>((r) => server.process.once('exit', (code) => r(code)));
        server.process.kill('SIGTERM');
        expect(await exited).toBe(0);
        const again = await startServer({ dataDir: path.join(mount, 'data'), env: { WORKER: 'off' } });
        try {
          let found = 0;
          for (let from = 0; from < acknowledged.length; from += 50) {
            const ids = acknowledged.slice(from, from + 50);
            const answers = await Promise.all(ids.map((id) => fetch(`${again.url}/v1/vouchers/${id}`, { headers: { authorization: `Bearer ${server.apiKey}` } })));
            found += answers.filter((r) => r.status === 200).length;
          }
          expect(found).toBe(acknowledged.length);
        } finally {
          await again.stop();
        }
      } finally {
        spawnSync('umount', ['-l', mount]);
        rmSync(mount, { recursive: true, force: true });
      }
    }, 240_000);
  }
});
