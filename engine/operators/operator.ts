// The operator contract. One operator per plan node; one or two inputs (joins have two). The same operator runs a
// continuous query epoch by epoch (push changes, watermarks, flush at every epoch's end) and a pull query (push
// everything, then endOfInput). Operators implement these hooks; the runner (engine/dag.ts) owns the hard parts:
// it merges the watermarks of an operator's inputs, and it makes the operator's state tables durable with every
// epoch and loads them back before the first one.

import type { ChangeBatch } from '../batch';
import type { EvalContext } from '../expr/context';
import type { StatementMemory } from '../memory/statement';
import type { RecordStates, StateTables } from '../state/table';

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
  /** Creates this operator's state tables (in its constructor): the runner snapshots and restores them. */
  readonly tables: StateTables;
  /** Registers state the operator encodes itself (a columnar store), snapshotted and restored like a table. */
  readonly records: RecordStates;
  /** A pull query's: what its operators buffer is counted against the statement's memory share (53200 past it). */
  readonly memory?: StatementMemory;
}

export interface Operator {
  /** Applies one batch of changes arriving on input `input` (0, or 1 for a join's right side). */
  push(input: number, batch: ChangeBatch): void;
  /**
   * The same as push, in bounded steps, for an operator whose output can be far larger than its input (a join: one
   * row may meet thousands): each step emits its part, and a pull query's runner hands that on and may yield to the
   * event loop before the next step. Running every step is push().
   */
  pushSteps?(input: number, batch: ChangeBatch): Iterable<void>;
  /** The watermark of the operator's inputs (the minimum over them) advanced to `micros`. */
  onWatermark(micros: number): void;
  /** End of an epoch: emit what the epoch changed (aggregates emit per epoch, not per batch). */
  flush(): void;
  /**
   * The same as flush, in bounded steps, for an operator whose flush can touch every group it holds: each step
   * emits its part, and the runner may yield to the event loop between steps (engine/slices.ts). Running every
   * step is flush().
   */
  flushSteps?(): Iterable<void>;
  /** Batch mode: no more input. Flushes, closes every window and emits what remains. */
  endOfInput(): void;
  /**
   * The same as endOfInput, in bounded steps, for an operator whose end of input does work that grows with its input
   * (a sort): the runner hands each step's output on and may yield to the event loop between steps.
   */
  endOfInputSteps?(): Iterable<void>;
  /** The runner loaded the state tables, before the first epoch: rebuild what is derived from them. */
  restored(): void;
  stateBytes(): number;
}

/** Base for operators without state: filter, project, union, and the pull-query-only sort and limit. */
export abstract class StatelessOperator implements Operator {
  constructor(protected readonly out: OperatorOutput) {}

  abstract push(input: number, batch: ChangeBatch): void;

  /** Rows pass through as they come, so the input's watermark holds for the output too. */
  onWatermark(micros: number): void {
    this.out.emitWatermark(micros);
  }
  flush(): void {}
  endOfInput(): void {}
  restored(): void {}
  stateBytes(): number {
    return 0;
  }
}

/** Runs every step of a stepwise hook at once (push from pushSteps). */
export function runSteps(steps: Iterable<void>): void {
  const it = steps[Symbol.iterator]();
  while (it.next().done !== true);
}
