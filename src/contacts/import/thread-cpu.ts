/**
 * CPU time of the calling thread, so an import can say what each of its threads cost (the
 * writer, the parse workers). Node 20 has no per-thread CPU clock (`process.cpuUsage` is the
 * whole process's), but on Linux each worker thread is an OS thread whose counters
 * /proc/thread-self/stat gives, in clock ticks of 10 ms. Elsewhere: null.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of the calling thread so far, or null where unknown. */
export function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // The command name (field 2) may hold spaces; the fields after it do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
