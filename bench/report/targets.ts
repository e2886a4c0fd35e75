// Issue 14's targets ("Targets" in the issue), printed beside each figure they apply to. A target is data: the text
// the report shows and the check that says whether the figures printed beside it meet it. A check never runs on a
// missing figure: no figure, no verdict.

import type { PathName } from '../sluice/target';

export interface Target {
  readonly text: string;
  /** Whether the Sluice figure meets the target, given PostgreSQL's figure from the same run (null: not run). */
  readonly met: (sluice: number, postgres: number | null) => boolean | null;
}

const atLeast = (n: number, label: string): Target => ({ text: `≥ ${label}`, met: (s) => s >= n });
const atMost = (n: number, label: string): Target => ({ text: `≤ ${label}`, met: (s) => s <= n });
const timesPostgres = (k: number): Target => ({
  text: k === 1 ? '≥ PostgreSQL' : `≥ ${k}× PostgreSQL`,
  met: (s, p) => (p === null ? null : s >= k * p),
});

export const TARGETS = {
  copyAggRate: timesPostgres(3),
  copyAggPeakRss: atMost(200 * 1024 * 1024, '200 MB for 1 M rows, flat for 10 M'),
  smallInsertRate: timesPostgres(1),
  selectOneP99: atMost(50, '50 ms'),
  /** Each CREATE about as long as the first ones: the last 100 within 1.5× the first 100. */
  lastCreates: (firstMs: number): Target => ({ text: `≈ first 100 (≤ ${(1.5 * firstMs).toFixed(1)} ms)`, met: (s) => s <= 1.5 * firstMs }),
  /** "Within a few trigger intervals": three. */
  reachAll: (triggerMs: number): Target => atMost(3 * triggerMs, `3 trigger intervals (${3 * triggerMs} ms)`),
} as const;

/** Nexmark freshness p99, ms, "at half the maximal throughput" (the default --fresh-share 0.5). */
export function freshnessTargetMs(triggerMs: number): number {
  return triggerMs + 100;
}

/** Nexmark events/s per core the issue asks for on a path, or null where it names none. */
export function nexmarkPerCoreTarget(query: string, path: PathName): number | null {
  if (path === 'kafka') return 150_000;
  const fast = ['q0', 'q1', 'q2'].includes(query);
  if (path === 'copy') return fast ? 500_000 : null;
  if (fast) return 1_000_000;
  return ({ q5: 400_000, q7: 300_000 } as Record<string, number>)[query] ?? null;
}

/** The issue asks at least 3× PostgreSQL's events/s per core on q1, q2, q5 and q7. */
export function nexmarkVsPostgresTarget(query: string): number | null {
  return ['q1', 'q2', 'q5', 'q7'].includes(query) ? 3 : null;
}
