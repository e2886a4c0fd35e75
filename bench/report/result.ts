// One row of the report: a query run on one system through one ingest path.

export type RunStatus = 'ok' | 'not supported' | 'error' | 'skipped';

export interface BenchResult {
  readonly system: 'sluice' | 'postgres';
  readonly query: string;
  readonly path: string;
  status: RunStatus;
  /** Why it did not run, or how it was run. */
  note: string;
  events: number;
  /** Wall time from the first event sent until the result reflected the last one. */
  seconds: number | null;
  eventsPerSecond: number | null;
  /** CPU seconds of the process(es) doing the database work over the same span. */
  cpuSeconds: number | null;
  eventsPerCoreSecond: number | null;
  /** Ingest-to-visible latency, ms, measured in a paced phase (see docs/performance.md). */
  p50Ms: number | null;
  p99Ms: number | null;
  freshnessSamples: number;
  /** The paced rate of the freshness phase, events/s. */
  freshnessRate: number | null;
  peakRssBytes: number | null;
  stateBytes: number | null;
  /** Issue 14's targets for this row (Sluice only; null where the issue names none). */
  targetPerCore: number | null;
  targetP99Ms: number | null;
  /** Set when the ingest path itself (not this query) does not work yet. */
  pathUnsupported?: boolean;
}

export function emptyResult(system: BenchResult['system'], query: string, path: string): BenchResult {
  return {
    system, query, path, status: 'ok', note: '', events: 0, seconds: null, eventsPerSecond: null, cpuSeconds: null,
    eventsPerCoreSecond: null, p50Ms: null, p99Ms: null, freshnessSamples: 0, freshnessRate: null, peakRssBytes: null,
    stateBytes: null, targetPerCore: null, targetP99Ms: null,
  };
}
