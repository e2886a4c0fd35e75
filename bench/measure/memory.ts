// Resident memory: sampled for this process, or read from /proc/PID/status for another (VmHWM is the kernel's own
// high-water mark, VmRSS the current size).

import { readFileSync } from 'node:fs';

export type RssProbe = () => number;

export const ownRss: RssProbe = () => process.memoryUsage.rss();

export function processRss(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): RssProbe {
  return () => {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
}

/** Keeps the largest value a probe returned while sampling. */
export class PeakSampler {
  peak = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly probe: RssProbe) {}

  start(everyMs = 50): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    this.peak = Math.max(this.peak, this.probe());
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peak;
  }
}
