/**
 * One process at a time in a PGlite data folder. PGlite itself does not refuse a second opener,
 * and two writers corrupt the folder silently, so the server and the CLI take this lock first.
 * The lock is a file created with O_EXCL naming its owner: the pid, the moment that process
 * started (Linux /proc/<pid>/stat, in clock ticks since boot) and the boot's id. A lock whose
 * process is gone (a crash, SIGKILL) is stale and is taken over. A pid alone can be reused —
 * a restarted container's server is pid 1 again, the very pid in the lock — so the lock is held
 * only while a process with that pid *and that start time* runs on the same boot. (Off Linux,
 * where /proc is absent, the pid alone decides. Two containers sharing one data folder at the
 * same time are not told apart: do not share a PGlite folder; use PostgreSQL.)
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
    return holderOf(readFileSync(lockPath(dataDir), 'utf8'));
  } catch {
    return null;
  }
}

/** What the lock file says of its owner. */
interface Owner {
  pid: number;
  /** Its start time, clock ticks after boot (null off Linux). */
  started?: string | null;
  boot?: string | null;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat), or null. */
export function processStart(pid: number): string | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19] ?? null;
}

const bootId = () => readOrNull('/proc/sys/kernel/random/boot_id');

function ownIdentity(): Owner {
  return { pid: process.pid, started: processStart(process.pid), boot: bootId() };
}

/** The owner's pid while the very process that wrote the lock still runs; null when the lock is stale or unreadable. */
function holderOf(content: string): number | null {
  let owner: Owner;
  try {
    owner = JSON.parse(content);
  } catch {
    return null; // a torn write from a crash
  }
  if (!Number.isInteger(owner.pid)) return null;
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return null; // written before this machine booted
  if (!isAlive(owner.pid)) return null;
  if (owner.started) {
    const started = processStart(owner.pid);
    if (started !== null && started !== owner.started) return null; // the pid was reused by another process
  }
  return owner.pid;
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
      writeSync(fd, JSON.stringify({ ...ownIdentity(), since: new Date().toISOString() }));
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
    const pid = holderOf(content);
    if (pid !== null) throw new DataDirBusyError(dataDir, pid);
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
