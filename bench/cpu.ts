/**
 * CPU time a process has used so far, user and system, in microseconds, from /proc/<pid>/stat
 * (Linux). Read before and after a load run, it gives the server's CPU per request: a figure that
 * survives a noisy machine better than requests per second do.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

export function processCpuMicros(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after it.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
}
