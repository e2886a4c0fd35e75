// The server-wide memory limit (--memory-limit) and the shares that statements and continuous queries may hold.
//
// Node dies with SIGABRT, taking every session with it, when V8's heap passes heap_size_limit. The limit sits below
// that ceiling so that one statement or query that outgrows its share fails alone (53200) while the process lives.

import { getHeapStatistics } from 'node:v8';

const MIB = 1024 * 1024;

/** Three quarters of the V8 heap ceiling: the rest is headroom for sessions, buffers and garbage not yet collected. */
export function defaultMemoryLimitMb(): number {
  return Math.floor((getHeapStatistics().heap_size_limit * 0.75) / MIB);
}

export interface MemoryLimits {
  /** All statements and continuous queries together. */
  readonly serverBytes: number;
  /** What one statement (a pull query, a COPY, an INSERT) may hold before it fails with 53200. */
  readonly statementBytes: number;
  /** What one continuous query's in-memory state may hold before it spills or fails that query alone. */
  readonly queryStateBytes: number;
}

/** A statement or query may take a quarter of the limit, so that a few at once still fit. */
export function memoryLimits(limitMb: number): MemoryLimits {
  const serverBytes = limitMb * MIB;
  return { serverBytes, statementBytes: Math.floor(serverBytes / 4), queryStateBytes: Math.floor(serverBytes / 4) };
}
