// TUMBLE / HOP: appends window_start and window_end to each row (a HOP row once per window it falls in). Its input's
// watermark is the source stream's (engine/runtime/stream-watermarks.ts), given as each log entry is read: a row below
// the watermark of the entries before its own is late, applied to no window, and reported. Deletes (weight -1) are
// never late: they undo rows that were applied.

import type { Data } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { dataFromVec } from '../columns/arrow';
import { batchFromData, columnData, rowsFromBatch, takeBatch } from '../columns/rows';
import { takeData } from '../columns/take';
import { BatchColumns } from '../expr/context';
import type { EventTime, WindowNode } from '../plan';
import { formatTimestamp } from '../values/datetime';
import { intervalMicros } from '../values/interval';
import { T, type Schema, type Value } from '../types';
import { recordText, weightAt } from './changes';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

/**
 * The event-time watermark of a window or session operator, shared by both: the input's, as the DAG delivers it
 * (as soon as a log entry has been read, so lateness is decided per entry), passed downstream only at an epoch's end,
 * when windows close. A time column that is not the source's watermark column has none: nothing is late, nothing
 * closes. Nothing to store: a restarted DAG delivers its inputs' watermarks again before the first epoch.
 */
export class EventClock {
  watermark = -Infinity;
  private readonly applies: boolean;

  constructor(time: EventTime) {
    this.applies = time.watermarkDelayMicros !== null;
  }

  isLate(t: number): boolean {
    return t < this.watermark;
  }

  advance(micros: number): void {
    if (this.applies && micros > this.watermark) this.watermark = micros;
  }

  /** At the end of an epoch: the watermark to send downstream (null before there is one). */
  flush(): number | null {
    return this.watermark === -Infinity ? null : this.watermark;
  }
}

/** Reports row i of `batch` as late (or as having no event time). */
export function reportLate(ctx: OperatorContext, node: { input: { schema: WindowNode['schema'] } }, batch: ChangeBatch,
  i: number, time: number | null, clock: EventClock): void {
  const schema = node.input.schema;
  reportLateRow(ctx, rowsFromBatch(takeBatch(schema, batch.data, [i]), schema)[0], schema, time, clock.watermark);
}

/** Reports `row` (of `schema`) as late: its event time is NULL or below `watermark`. */
export function reportLateRow(ctx: OperatorContext, row: readonly Value[], schema: Schema, time: number | null, watermark: number): void {
  const message = time === null
    ? 'event time is NULL'
    : `event time ${formatTimestamp(BigInt(time), true)} is below the watermark ${formatTimestamp(BigInt(watermark), true)}`;
  ctx.late({ raw: recordText(row, schema), eventTime: time, watermark, message });
}

export class WindowOperator implements Operator {
  private readonly size: number;
  private readonly slide: number;
  private readonly clock: EventClock;

  constructor(private readonly node: WindowNode, private readonly ctx: OperatorContext, private readonly out: OperatorOutput) {
    const w = node.window;
    this.size = intervalMicros(w.size, 'window size');
    this.slide = w.kind === 'hop' ? intervalMicros(w.slide, 'hop slide') : this.size;
    if (this.size <= 0 || this.slide <= 0) throw new Error('engine: window size and slide must be positive');
    this.clock = new EventClock(node.time);
  }

  push(_input: number, batch: ChangeBatch): void {
    const n = batch.data.numRows;
    if (n === 0) return;
    const schema = this.node.input.schema;
    const time = new BatchColumns(batch.data, schema).column(this.node.time.column);
    if (time.kind !== 'num') throw new Error('engine: window time column is not a timestamp');
    const perRow = Math.ceil(this.size / this.slide);
    const rows: number[] = [];
    const starts: number[] = [];
    for (let i = 0; i < n; i++) {
      const isNull = time.nulls !== null && time.nulls[i] === 1;
      const t = time.values[i];
      if (weightAt(batch, i) > 0) {
        if (isNull || this.clock.isLate(t)) {
          reportLate(this.ctx, this.node, batch, i, isNull ? null : t, this.clock);
          continue;
        }
      } else if (isNull) {
        continue;
      }
      const last = Math.floor(t / this.slide) * this.slide;
      for (let k = perRow - 1; k >= 0; k--) {
        const start = last - k * this.slide;
        if (start + this.size > t) {
          rows.push(i);
          starts.push(start);
        }
      }
    }
    if (rows.length === 0) return;
    // A TUMBLE with no late row keeps every row once, in order: its columns pass through as they are.
    const everyRow = perRow === 1 && rows.length === n;
    const idx = Int32Array.from(rows);
    const cols: Data[] = schema.map((_, c) => (everyRow ? columnData(batch.data, c) : takeData(columnData(batch.data, c), idx)));
    const startVals = Float64Array.from(starts);
    const endVals = startVals.map((s) => s + this.size);
    cols.push(dataFromVec({ kind: 'num', type: T.timestamptz, length: idx.length, nulls: null, values: startVals }));
    cols.push(dataFromVec({ kind: 'num', type: T.timestamptz, length: idx.length, nulls: null, values: endVals }));
    const diffs = batch.diffs === null || everyRow ? batch.diffs : Int32Array.from(idx, (i) => batch.diffs![i]);
    this.out.emit({ data: batchFromData(this.node.schema, cols, idx.length), diffs });
  }

  onWatermark(micros: number): void {
    this.clock.advance(micros);
  }

  flush(): void {
    const w = this.clock.flush();
    if (w !== null) this.out.emitWatermark(w);
  }

  endOfInput(): void {
    this.flush();
  }

  restored(): void {
    // No state of its own: the DAG delivers the input's watermark again.
  }

  stateBytes(): number {
    return 0;
  }
}
