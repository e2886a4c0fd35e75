// Watermarks are a property of the source (docs/sql.md "Time"): a stream that declares WATERMARK FOR gets its
// watermark computed where rows are ingested, before any query's filter, as the largest event time ingested so far
// minus the delay, and each log entry carries the watermark as of itself (engine/codecs/change-batch.ts). Queries
// read it from their input logs, so every query over a stream, and every restart, agrees on which rows are late.
//
// A clock moves only when an entry carrying its watermark is durable: a COPY that is discarded, or a write that
// fails, leaves no trace in later entries. Two writes encoded at once may reach the log in the other order, so an
// entry's watermark can be below an earlier one's; readers keep the largest seen (engine/dag.ts), so the log still
// decides, the same way for everyone.

import type { RecordBatch } from 'apache-arrow';
import type { RelationStore, StreamDef } from '../catalog';
import { changeBatchWatermark } from '../codecs/change-batch';
import { BatchColumns } from '../expr/context';
import type { Schema } from '../types';

/** One stream's watermark: where its event-time column is, its delay, and the watermark of its durable entries. */
export class StreamClock {
  constructor(
    /** The stream's declared columns. */
    private readonly columns: Schema,
    /** Index of the event-time column among them. */
    private readonly column: number,
    private readonly delayMicros: number,
    private durableWatermark: number | undefined,
  ) {}

  /** The watermark the stream's durable entries reached; undefined before any event time. */
  get current(): number | undefined {
    return this.durableWatermark;
  }

  /**
   * The watermark once `batch` (the stream's declared columns) is ingested after the durable entries and after
   * `since` (an earlier chunk of the same entry, for a COPY staged in chunks).
   */
  after(batch: RecordBatch, since: number | undefined = this.durableWatermark): number | undefined {
    const times = new BatchColumns(batch, this.columns).column(this.column);
    if (times.kind !== 'num') throw new Error('engine: a watermark column is not a timestamp');
    let max = -Infinity;
    for (let i = 0; i < times.length; i++) {
      if (times.nulls !== null && times.nulls[i] === 1) continue;
      if (times.values[i] > max) max = times.values[i];
    }
    return laterOf(since, max === -Infinity ? undefined : max - this.delayMicros);
  }

  /** An entry carrying `watermark` is durable. */
  reached(watermark: number | undefined): void {
    this.durableWatermark = laterOf(this.durableWatermark, watermark);
  }
}

/** The clocks of the streams fed by INSERT and COPY, each recovered from its log's last entry when first needed. */
export class StreamWatermarks {
  private readonly clocks = new Map<number, Promise<StreamClock>>();

  constructor(private readonly store: RelationStore) {}

  /** The clock of stream `id`; null when the stream declares no watermark (it has no lateness). */
  async of(id: number, def: StreamDef): Promise<StreamClock | null> {
    if (def.watermark === null) return null;
    let clock = this.clocks.get(id);
    if (clock === undefined) {
      clock = recoverClock(this.store, id, def);
      this.clocks.set(id, clock);
    }
    return clock;
  }
}

/** A clock that goes on from the watermark of the stream's last stored entry. */
export async function recoverClock(store: RelationStore, id: number, def: StreamDef): Promise<StreamClock> {
  const wm = def.watermark;
  if (wm === null) throw new Error(`engine: stream ${def.name} declares no watermark`);
  const column = def.columns.findIndex((c) => c.name === wm.column);
  if (column < 0) throw new Error(`engine: watermark column ${wm.column} of stream ${def.name} is not one of its columns`);
  const last = store.lastSeq(id);
  let watermark: number | undefined;
  if (last >= store.firstSeq(id)) {
    // A staged entry comes as several parts: the last one's watermark is the entry's.
    for await (const part of store.readLog(id, last - 1n, last)) watermark = changeBatchWatermark(part.bytes);
  }
  return new StreamClock(def.columns, column, wm.delayMicros, watermark);
}

export function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
