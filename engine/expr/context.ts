// What a compiled expression reads: the columns of one batch (decoded lazily, once per batch) and the statement's
// parameters, clock and time zone.

import type { RecordBatch } from 'apache-arrow';
import { vecFromData } from '../columns/arrow';
import { takeVec, type Vec } from '../columns/vec';
import type { Schema, Value } from '../types';
import { UTC_ZONE, type TimeZone } from '../values/timezone';

export interface EvalContext {
  /** $1..$n bound values (0-based). */
  readonly params: readonly Value[];
  /** now(): the start of the current micro-batch (pull query: of the statement), µs since the epoch. */
  readonly nowMicros: number;
  /**
   * The session's TimeZone in a statement (a timestamptz prints, truncates and casts there), UTC in a continuous
   * query, which outlives the session that created it. Given at execution, never in a plan: plans are shared.
   */
  readonly zone: TimeZone;
}

export const DEFAULT_EVAL_CONTEXT: EvalContext = { params: [], nowMicros: 0, zone: UTC_ZONE };

/** The input rows of an evaluation. */
export interface BatchView {
  readonly length: number;
  column(index: number): Vec;
}

/** The columns of a RecordBatch, each converted to a Vec on first use and kept for the batch's lifetime. */
export class BatchColumns implements BatchView {
  readonly length: number;
  private readonly cache: (Vec | undefined)[];

  constructor(private readonly batch: RecordBatch, private readonly schema: Schema) {
    this.length = batch.numRows;
    this.cache = new Array(schema.length);
  }

  column(index: number): Vec {
    let v = this.cache[index];
    if (v === undefined) {
      v = vecFromData(this.batch.data.children[index], this.schema[index].type);
      this.cache[index] = v;
    }
    return v;
  }
}

/** Columns given as Vecs already (e.g. a join's combined row, an aggregate's outputs). */
export class VecColumns implements BatchView {
  constructor(private readonly vecs: readonly Vec[], readonly length: number) {}
  column(index: number): Vec {
    return this.vecs[index];
  }
}

/**
 * Some rows of another view. CASE branches and the right side of AND / OR run on the rows that need them only, so
 * `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero.
 */
export class SubsetView implements BatchView {
  readonly length: number;
  private readonly cache = new Map<number, Vec>();

  constructor(private readonly parent: BatchView, private readonly rows: Int32Array) {
    this.length = rows.length;
  }

  column(index: number): Vec {
    let v = this.cache.get(index);
    if (v === undefined) {
      v = takeVec(this.parent.column(index), this.rows);
      this.cache.set(index, v);
    }
    return v;
  }
}
