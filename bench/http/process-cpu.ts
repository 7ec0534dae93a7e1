// CPU time used by a set of processes (user + system, every thread), read
// from /proc/PID/stat. vs-etcd divides it by the writes acknowledged, so the
// two systems can be compared per write as well as per second: on this
// machine both are bound by the same two cores, shared with the load tool.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime. */
function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicksPerSecond();

/** CPU seconds used so far by one process, or null once it is gone (or off Linux). */
function cpuSeconds(pid: number): number | null {
  try {
    // The command name may hold spaces: the fields start after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5): utime and stime; here counted from field 3.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Call `stop()` after the measured stretch: the CPU seconds the processes used in it, or null if one went away. */
export function startCpuMeter(pids: readonly number[]): { stop(): number | null } {
  const before = pids.map(cpuSeconds);
  return {
    stop: () => {
      let total = 0;
      for (const [i, pid] of pids.entries()) {
        const start = before[i];
        const end = cpuSeconds(pid);
        if (start === null || start === undefined || end === null) return null;
        total += end - start;
      }
      return total;
    },
  };
}
