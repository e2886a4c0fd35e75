// Generated events, already in the form an ingest path sends, with running counts per stream so that the
// benchmark knows how many input rows a query must have consumed once batch k is in.

import { nexmarkConfig } from './nexmark/config';
import { NexmarkGenerator } from './nexmark/generator';
import { type EventBatch, STREAM_NAMES, type StreamName } from './nexmark/schema';

export interface Chunk<E> {
  readonly encoded: E;
  readonly events: number;
  /** Rows per stream in this chunk. */
  readonly rows: Readonly<Record<StreamName, number>>;
}

export class Workload {
  private readonly generator: NexmarkGenerator;

  constructor(seed: number, rate: number) {
    this.generator = new NexmarkGenerator(nexmarkConfig({ seed, rate }));
  }

  /** The next `events` events in chunks of `perChunk`, each encoded at once so the raw batch can be dropped. */
  chunks<E>(events: number, perChunk: number, encode: (b: EventBatch) => E): Chunk<E>[] {
    const out: Chunk<E>[] = [];
    for (let done = 0; done < events; done += perChunk) {
      const batch = this.generator.nextBatch(Math.min(perChunk, events - done));
      out.push({ encoded: encode(batch), events: batch.count, rows: rowsOf(batch) });
    }
    return out;
  }
}

function rowsOf(b: EventBatch): Record<StreamName, number> {
  return Object.fromEntries(STREAM_NAMES.map((s) => [s, b[s].length])) as Record<StreamName, number>;
}

/** Input rows of a query reading `reads` in these chunks. */
export function inputRows(chunks: readonly Chunk<unknown>[], reads: readonly StreamName[]): number {
  let n = 0;
  for (const c of chunks) for (const s of reads) n += c.rows[s];
  return n;
}
