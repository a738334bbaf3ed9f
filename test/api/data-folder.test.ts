/**
 * A data folder the server cannot use says why at start, in words, and the server exits 1
 * instead of printing "[object Object]" (PGlite's file errors are not Errors). The full disk is a
 * tmpfs this test mounts and fills; it is unmounted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirFailure } from '../../api/db/client.ts';
import { ROOT } from '../support/server.ts';

// Under CI=true this must run (a tier that cannot run fails); elsewhere it needs root to mount.
const canMount = process.env.CI === 'true' || process.getuid?.() === 0;

describe('a data folder the server cannot use', () => {
  it('names an Emscripten file error in words', () => {
    expect(dataDirFailure({ name: 'ErrnoError', errno: 51 }, '/data').message).toBe('cannot open the data folder /data: no space left on the disk (ENOSPC)');
    expect(dataDirFailure({ name: 'ErrnoError', errno: 999 }, '/data').message).toBe('cannot open the data folder /data: ErrnoError {"name":"ErrnoError","errno":999}');
    const own = new Error('EACCES: permission denied');
    expect(dataDirFailure(own, '/data')).toBe(own);
  });

  it.runIf(canMount)(
    'says the disk is full at start, and exits 1',
    () => {
      const mount = mkdtempSync(path.join(os.tmpdir(), 'counterpay-full-'));
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]).status).toBe(0);
      try {
        mkdirSync(path.join(mount, 'data'));
        try {
          // Leaves less room than PGlite needs and more than the lock file does.
          writeFileSync(path.join(mount, 'fill'), Buffer.alloc(2_000_000));
        } catch {
          /* full: that is the point */
        }
        const r = spawnSync(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: path.join(mount, 'data'), PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '' },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`failed to start: cannot open the data folder ${path.join(mount, 'data')}: no space left on the disk (ENOSPC)`);
        expect(r.stderr).not.toContain('[object Object]');
      } finally {
        spawnSync('umount', [mount]);
        rmSync(mount, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
