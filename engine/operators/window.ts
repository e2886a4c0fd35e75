// TUMBLE / HOP: appends window_start and window_end to each row (a HOP row once per window it falls in), and keeps
// the event-time watermark. The watermark before a row is (the largest event time among the rows before it) - delay,
// so lateness depends on arrival order only: a row below it is late, applied to no window, and reported. Deletes
// (weight -1) are never late: they undo rows that were applied.

import type { Data } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { dataFromVec } from '../columns/arrow';
import { batchFromData, columnData, rowsFromBatch, takeBatch } from '../columns/rows';
import { takeData } from '../columns/take';
import { BatchColumns } from '../expr/context';
import type { WindowNode } from '../plan';
import { NUMBER_CODEC, type StateTable, type StateTables } from '../state/table';
import { formatTimestamp } from '../values/datetime';
import { intervalMicros } from '../values/interval';
import { T } from '../types';
import { recordText, weightAt } from './changes';
import type { Operator, OperatorContext, OperatorOutput } from './operator';

/** The one row of an event clock's state table. */
const CLOCK_ROW = 0;

/** Largest event time seen and the watermark it implies, shared by the window and session operators. */
export class EventClock {
  maxSeen = -Infinity;
  /** The largest event time seen, as of the last epoch's end. */
  private readonly saved: StateTable<number>;

  constructor(readonly delay: number, tables: StateTables) {
    this.saved = tables('clock', NUMBER_CODEC);
  }

  get watermark(): number {
    return this.maxSeen - this.delay;
  }

  isLate(t: number): boolean {
    return t < this.watermark;
  }

  observe(t: number): void {
    if (t > this.maxSeen) this.maxSeen = t;
  }

  /** At the end of an epoch: saves the clock; returns the watermark to send downstream (null before any row). */
  flush(): number | null {
    if (this.maxSeen === -Infinity) return null;
    if (this.saved.get(CLOCK_ROW) !== this.maxSeen) this.saved.put(CLOCK_ROW, this.maxSeen);
    return this.watermark;
  }

  restored(): void {
    this.maxSeen = this.saved.get(CLOCK_ROW) ?? -Infinity;
  }
}

/** Reports row i of `batch` as late (or as having no event time). */
export function reportLate(ctx: OperatorContext, node: { input: { schema: WindowNode['schema'] } }, batch: ChangeBatch,
  i: number, time: number | null, clock: EventClock): void {
  const schema = node.input.schema;
  const row = rowsFromBatch(takeBatch(schema, batch.data, [i]), schema)[0];
  const wm = clock.watermark;
  const message = time === null
    ? 'event time is NULL'
    : `event time ${formatTimestamp(BigInt(time), true)} is below the watermark ${formatTimestamp(BigInt(wm), true)}`;
  ctx.late({ raw: recordText(row, schema), eventTime: time, watermark: wm, message });
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
    this.clock = new EventClock(node.time.delayMicros, ctx.tables);
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
        this.clock.observe(t);
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

  onWatermark(): void {
    // The window computes its own watermark from event times; upstream watermarks carry no more information.
  }

  flush(): void {
    const w = this.clock.flush();
    if (w !== null) this.out.emitWatermark(w);
  }

  endOfInput(): void {
    this.flush();
  }

  restored(): void {
    this.clock.restored();
  }

  stateBytes(): number {
    return 16;
  }
}
