// A Kafka stream's watermark, as Flink keeps it: one per partition (the largest event time read from it minus the
// WATERMARK FOR delay), and the stream's is the minimum over its partitions, so partitions that interleave in
// time (each in order) make no row late. A partition with no new message for `idle_timeout` stops holding the
// watermark back until it has data again; a partition never heard from holds it back until then too. When every
// partition is idle the topic is quiet, and the watermark is the least of what the partitions have read.
//
// The watermark goes into each log entry the source writes (engine/runtime/stream-watermarks.ts), and when only the
// passing of time moves it (a partition fell idle) the source writes an entry of no rows that carries it. The
// stream's watermark never goes back: after a restart it goes on from the last entry's, and the partitions' own
// maxima start again from what they read next.

import type { RecordBatch } from 'apache-arrow';
import type { RelationStore, StreamDef } from '../catalog';
import { BatchColumns } from '../expr/context';
import { laterOf, recoverClock } from '../runtime/stream-watermarks';
import type { Schema } from '../types';

interface PartitionClock {
  /** The largest event time read from the partition since the source started. */
  latest: number;
  /** When (ms, wall clock) its last message was read, or the source started. */
  heardAtMs: number;
}

export class PartitionWatermarks {
  private readonly partitions = new Map<number, PartitionClock>();
  private readonly startedAtMs: number;

  private constructor(
    private readonly schema: Schema,
    private readonly column: number,
    private readonly delayMicros: number,
    private readonly idleTimeoutMs: number,
    /** The stream's watermark as of its last durable entry. */
    private durable: number | undefined,
    private readonly now: () => number,
  ) {
    this.startedAtMs = now();
  }

  /** The watermarks of stream `def` (null when it declares none), going on from its log's last entry. */
  static async open(
    store: RelationStore, id: number, def: StreamDef, schema: Schema, idleTimeoutMs: number, now: () => number = Date.now,
  ): Promise<PartitionWatermarks | null> {
    const wm = def.watermark;
    if (wm === null) return null;
    const clock = await recoverClock(store, id, def);
    const column = def.columns.findIndex((c) => c.name === wm.column);
    return new PartitionWatermarks(schema, column, wm.delayMicros, idleTimeoutMs, clock.current, now);
  }

  /** The topic's partitions, each holding the watermark back until it is read from or falls idle. */
  knowPartitions(partitions: Iterable<number>): void {
    for (const p of partitions) {
      if (!this.partitions.has(p)) this.partitions.set(p, { latest: -Infinity, heardAtMs: this.startedAtMs });
    }
  }

  /**
   * The stream's watermark once `rows` (decoded, the stream's columns) are read; `partitionOf(i)` is row i's
   * partition and `heard` every partition a message came from (also those whose messages were all bad).
   */
  after(rows: RecordBatch, partitionOf: (row: number) => number, heard: Iterable<number>): number | undefined {
    const at = this.now();
    this.knowPartitions(heard);
    for (const p of heard) this.partitions.get(p)!.heardAtMs = at;
    const times = new BatchColumns(rows, this.schema).column(this.column);
    if (times.kind !== 'num') throw new Error('engine: a watermark column is not a timestamp');
    for (let i = 0; i < times.length; i++) {
      if (times.nulls !== null && times.nulls[i] === 1) continue;
      const clock = this.partitions.get(partitionOf(i))!;
      if (times.values[i] > clock.latest) clock.latest = times.values[i];
    }
    return this.current(at);
  }

  /** The watermark now, when time alone has moved it past the durable one (a partition fell idle); else null. */
  advancedByIdleness(): number | null {
    const w = this.current(this.now());
    return w !== undefined && (this.durable === undefined || w > this.durable) ? w : null;
  }

  /** An entry carrying `watermark` is durable. */
  reached(watermark: number | undefined): void {
    this.durable = laterOf(this.durable, watermark);
  }

  /**
   * The minimum over the partitions that hold the watermark back, never below the durable watermark: those heard
   * from within the idle timeout; when every partition is idle (the topic is quiet), those that were ever read from.
   */
  private current(atMs: number): number | undefined {
    const all = [...this.partitions.values()];
    let holding = all.filter((clock) => atMs - clock.heardAtMs < this.idleTimeoutMs);
    if (holding.length === 0) holding = all.filter((clock) => clock.latest > -Infinity);
    if (holding.length === 0) return this.durable;
    // A partition heard from with no event time yet holds it back entirely.
    const min = holding.reduce((least, clock) => Math.min(least, clock.latest), Infinity);
    return min === -Infinity ? this.durable : laterOf(this.durable, min - this.delayMicros);
  }
}
