// What the benchmark needs from a Sluice it measures, whichever way events reach it: run SQL, turn generated
// batches into the form the ingest path sends (before the clock starts), send them, and say how much CPU and
// memory the process running Sluice uses.

import type { Value } from '../../engine/types';
import type { CpuClock } from '../measure/cpu';
import type { RssProbe } from '../measure/memory';
import type { EventBatch, StreamName } from '../nexmark/schema';

export type PathName = 'inproc' | 'copy' | 'kafka';

export const PATH_NAMES: readonly PathName[] = ['inproc', 'copy', 'kafka'];

export interface SluiceTarget<Encoded = unknown> {
  readonly path: PathName;
  /** How events get in, for the report: "runtime.writes.insertBatch (Arrow)", "COPY FROM STDIN over TCP", ... */
  readonly ingestMethod: string;
  /** Runs one statement; returns its rows (none for DDL). Throws an error with `code` (SQLSTATE) on failure. */
  sql(text: string): Promise<Value[][]>;
  /** The WITH (...) clause that makes a stream read this path's source, or '' for INSERT/COPY-fed streams. */
  streamOptions(stream: StreamName): string;
  /** Converts a generated batch to what `ingest` sends; runs before the clock starts. */
  encode(batch: EventBatch, streams: readonly StreamName[]): Encoded;
  ingest(encoded: Encoded): Promise<void>;
  /** Set when the source drops input that waits too long: ingest stays at most this many input rows ahead. */
  readonly maxUnconsumedRows?: number;
  /** Messages the source dropped before they could be consumed (Kafka: the partitions' low offsets). */
  droppedMessages?(): Promise<number>;
  /** Checks that the path carries events end to end; resolves the reason when it does not. */
  probe?(): Promise<string | null>;
  readonly cpu: CpuClock;
  readonly rss: RssProbe;
  close(): Promise<void>;
}

/** An error as the benchmark reports it: SQLSTATE (when there is one) and message. */
export interface StatementFailure {
  readonly code: string | null;
  readonly message: string;
}

/** A path that exists but does not carry events yet: reported as "not supported", like a 0A000. */
export class PathNotSupported extends Error {}

export function failureOf(e: unknown): StatementFailure {
  const code = (e as { code?: unknown }).code;
  return {
    code: typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null,
    message: e instanceof Error ? e.message : String(e),
  };
}
