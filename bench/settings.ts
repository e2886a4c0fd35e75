// The benchmark's knobs, from the command line (main.ts parses them).

/** The workloads `--workloads` picks from: Nexmark (the query table) and issue 14's scenarios (bench/workloads/). */
export type WorkloadName = 'nexmark' | 'copy-agg' | 'small-inserts' | 'liveness' | 'many-queries';

export const WORKLOAD_NAMES: readonly WorkloadName[] = ['nexmark', 'copy-agg', 'small-inserts', 'liveness', 'many-queries'];

export interface BenchSettings {
  readonly workloads: readonly WorkloadName[];
  readonly queries: readonly string[];
  readonly paths: readonly string[];
  /** Events (all kinds) in the throughput phase of each run. */
  readonly events: number;
  /** Event-time rate of the generator, events/s: spaces event times, not the wall-clock pace. */
  readonly rate: number;
  readonly seed: number;
  /** Events per ingest batch in the throughput phase. */
  readonly batchEvents: number;
  /** trigger_interval of the continuous queries, ms. */
  readonly triggerMs: number;
  /** Length of the paced freshness phase, s (0 skips it). */
  readonly freshSeconds: number;
  /** The freshness phase runs at this share of the throughput just measured. */
  readonly freshShare: number;
  /** Rows COPYed by the copy-agg and liveness workloads (10 M by hand checks that memory stays flat). */
  readonly copyRows: number;
  /** How long the small-inserts workload keeps its 4 connections inserting, s. */
  readonly insertSeconds: number;
  /** Continuous queries created by the many-queries workload. */
  readonly manyQueries: number;
  readonly postgres: boolean;
  readonly jsonFile: string | null;
}

/** No statement of the benchmark takes minutes; one that does is a hung server, and fails its run rather than hang. */
export const STATEMENT_TIMEOUT_MS = 300_000;

export const DEFAULT_SETTINGS: BenchSettings = {
  workloads: WORKLOAD_NAMES,
  queries: ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8', 'q11'],
  paths: ['inproc', 'copy', 'kafka'],
  events: 100_000,
  rate: 10_000,
  seed: 1,
  batchEvents: 10_000,
  triggerMs: 100,
  freshSeconds: 2,
  freshShare: 0.5,
  copyRows: 1_000_000,
  insertSeconds: 5,
  manyQueries: 1000,
  postgres: true,
  jsonFile: null,
};
