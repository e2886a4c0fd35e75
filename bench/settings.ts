// The benchmark's knobs, from the command line (main.ts parses them).

export interface BenchSettings {
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
  readonly postgres: boolean;
  readonly jsonFile: string | null;
}

export const DEFAULT_SETTINGS: BenchSettings = {
  queries: ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8', 'q11'],
  paths: ['inproc', 'copy', 'kafka'],
  events: 100_000,
  rate: 10_000,
  seed: 1,
  batchEvents: 10_000,
  triggerMs: 100,
  freshSeconds: 2,
  freshShare: 0.5,
  postgres: true,
  jsonFile: null,
};
