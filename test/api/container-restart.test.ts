/**
 * A container's server is pid 1 of its own PID namespace, and so is its replacement after a crash.
 * Killed with SIGKILL, the server leaves its data-folder lock behind naming pid 1; the restarted
 * server, pid 1 again, must see that the lock's process is gone (another start time) and start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.ts';

const CONTAINER = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGTERM'];
// Under CI=true this must run (a tier that cannot run fails); elsewhere it needs unshare and root.
const canUnshare = process.env.CI === 'true' || spawnSync(CONTAINER[0]!, [...CONTAINER.slice(1), 'true']).status === 0;

describe.runIf(canUnshare)('a server restarted in a fresh PID namespace after kill -9', () => {
  it('starts again as pid 1 on the folder its killed predecessor (also pid 1) still names in its lock', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'counterpay-container-'));
    try {
      const first = await startServer({ dataDir, wrap: CONTAINER });
      const lock = JSON.parse(readFileSync(path.join(dataDir, 'counterpay.lock'), 'utf8'));
      expect(lock.pid).toBe(1);
      // SIGKILL the namespace's pid 1 (the server); unshare exits with it.
      const inside = Number(readFileSync(`/proc/${first.process.pid}/task/${first.process.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
      const gone = new Promise((resolve) => first.process.once('exit', resolve));
      process.kill(inside, 'SIGKILL');
      await gone;
      expect(JSON.parse(readFileSync(path.join(dataDir, 'counterpay.lock'), 'utf8')).pid).toBe(1);

      const second = await startServer({ dataDir, wrap: CONTAINER });
      try {
        expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
        expect(second.output()).not.toContain('in use by process');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
