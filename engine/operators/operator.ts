// The operator contract. One operator per plan node; one or two inputs (joins have two). The same operator runs a
// continuous query epoch by epoch (push changes, watermarks, flush at every epoch's end) and a pull query (push
// everything, then endOfInput). Operators hold their state in memory and hand the changed keys to the runtime at
// every snapshot; the runtime makes them durable with the epoch.

import type { ChangeBatch } from '../batch';
import type { EvalContext } from '../expr/context';

export interface OperatorOutput {
  emit(batch: ChangeBatch): void;
  /** Event time below which no more rows will come out of this operator (µs since the epoch). */
  emitWatermark(micros: number): void;
}

/** A row refused because its event time is below the watermark (or NULL): counted, sent to dead letters. */
export interface LateRow {
  /** The row as PostgreSQL record text, e.g. (1,acme,12.5,"2026-01-01 10:00:03+00"). */
  readonly raw: string;
  /** Its event time in µs, or null when NULL. */
  readonly eventTime: number | null;
  readonly watermark: number;
  readonly message: string;
}

export interface OperatorContext {
  /** Parameters and now(); the runtime updates nowMicros at the start of every epoch. */
  readonly eval: EvalContext;
  readonly mode: 'incremental' | 'batch';
  late(row: LateRow): void;
}

/** State keys changed since the last snapshot: bytes, or null for a deleted key. */
export type StateDelta = Map<string, Uint8Array | null>;

export interface Operator {
  /** Applies one batch of changes arriving on input `input` (0, or 1 for a join's right side). */
  push(input: number, batch: ChangeBatch): void;
  /** The watermark of input `input` advanced to `micros`. */
  watermark(input: number, micros: number): void;
  /** End of an epoch: emit what the epoch changed (aggregates emit per epoch, not per batch). */
  flush(): void;
  /** Batch mode: no more input. Flushes, closes every window and emits what remains. */
  endOfInput(): void;
  snapshot(): StateDelta;
  restore(entries: Iterable<[string, Uint8Array]>): void;
  stateBytes(): number;
}

/** Watermark bookkeeping for operators with several inputs: the output watermark is the minimum over inputs. */
export class WatermarkMerger {
  private readonly marks: (number | null)[];
  private last = -Infinity;

  constructor(inputs: number) {
    this.marks = new Array(inputs).fill(null);
  }

  /** Records input i's watermark; returns the merged watermark when it advanced, else null. */
  update(input: number, micros: number): number | null {
    const prev = this.marks[input];
    if (prev !== null && micros <= prev) return null;
    this.marks[input] = micros;
    let min = Infinity;
    for (const m of this.marks) {
      if (m === null) return null;
      if (m < min) min = m;
    }
    if (min <= this.last) return null;
    this.last = min;
    return min;
  }
}

/** Base for operators without state: filter, project, union. */
export abstract class StatelessOperator implements Operator {
  private readonly merger: WatermarkMerger;

  constructor(protected readonly out: OperatorOutput, inputs = 1) {
    this.merger = new WatermarkMerger(inputs);
  }

  abstract push(input: number, batch: ChangeBatch): void;

  watermark(input: number, micros: number): void {
    const w = this.merger.update(input, micros);
    if (w !== null) this.out.emitWatermark(w);
  }
  flush(): void {}
  endOfInput(): void {}
  snapshot(): StateDelta {
    return new Map();
  }
  restore(): void {}
  stateBytes(): number {
    return 0;
  }
}
