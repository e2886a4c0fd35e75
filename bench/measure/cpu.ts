// CPU time, to turn throughput into throughput per core: this process's (user + system, all threads, so
// LevelDB's background threads count too) or another process's, from /proc/PID/stat (utime + stime, in clock
// ticks of 1/100 s on Linux).

import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

export type CpuClock = () => number;

/** Seconds of CPU this process has used. */
export const ownCpuSeconds: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Seconds of CPU process `pid` has used (0 once it is gone). */
export function processCpuSeconds(pid: number): CpuClock {
  return () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return 0;
    }
  };
}

/** Sums the CPU of several processes (PostgreSQL runs a backend per connection plus helpers). */
export function sumCpu(clocks: readonly CpuClock[]): CpuClock {
  return () => clocks.reduce((s, c) => s + c(), 0);
}
