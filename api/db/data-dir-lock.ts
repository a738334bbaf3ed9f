/**
 * One process at a time in a PGlite data folder. PGlite itself does not refuse a second opener,
 * and two writers corrupt the folder silently, so the server and the CLI take this lock first.
 * The lock is a file created with O_EXCL holding the owner's pid; a lock whose process is gone
 * (a crash, SIGKILL) is stale and is taken over.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface DataDirLock {
  release(): void;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data folder ${dataDir} is in use by process ${pid}`);
  }
}

export const lockPath = (dataDir: string) => path.join(dataDir, 'counterpay.lock');

/** The pid holding the folder, or null when nobody (alive) does. */
export function lockHolder(dataDir: string): number | null {
  try {
    const pid = Number(JSON.parse(readFileSync(lockPath(dataDir), 'utf8')).pid);
    return Number.isInteger(pid) && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const owner = JSON.parse(readFileSync(file, 'utf8')).pid;
          if (owner === process.pid) rmSync(file);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      continue; // released between our open and read
    }
    let pid = NaN;
    try {
      pid = Number(JSON.parse(content).pid);
    } catch {
      /* a torn write from a crash: treat as stale */
    }
    if (Number.isInteger(pid) && isAlive(pid)) throw new DataDirBusyError(dataDir, pid);
    // Stale: move it aside only if it is still the same stale file, then try again.
    try {
      if (readFileSync(file, 'utf8') === content) {
        const aside = `${file}.stale-${process.pid}`;
        renameSync(file, aside);
        rmSync(aside, { force: true });
      }
    } catch {
      /* someone else took it over first */
    }
  }
  throw new Error(`could not lock the data folder ${dataDir}`);
}
