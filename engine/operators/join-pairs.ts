// The pairs a join step makes (engine/operators/join.ts): which rows of the other side a pushed row meets, a bounded
// number per step, and the joined rows built as one batch a column at a time.

import type { ChangeBatch } from '../batch';
import { batchFromData, columnData, dataFromValues } from '../columns/rows';
import { takeData } from '../columns/take';
import type { JoinNode } from '../plan';
import { SLICE_ROWS } from '../slices';
import type { Value } from '../types';
import type { Entry } from './join';

/** The join's sides as its inputs number them. */
const LEFT = 0;

/**
 * Pairs met in one step of a push: a quarter of a slice's worth of output rows (engine/slices.ts), so a step takes a
 * millisecond or two and the Pacer's budget, not one big step, decides when the event loop is given back. A row
 * whose bucket is bigger meets it in pieces.
 */
export const PAIRS_PER_STEP = SLICE_ROWS / 4;

/**
 * Where a push stands: its next row and, while that row meets its bucket in pieces, the rest of the bucket and the
 * matches so far.
 */
export interface Cursor {
  row: number;
  rest: Iterator<Entry> | null;
  matched: number;
}

/** A step's joined rows: the pushed row, the other side's entry and the sign (±1) of each, one per copy. */
export interface PairsOut {
  readonly rows: number[];
  readonly entries: Entry[];
  readonly signs: number[];
}

/** Takes pairs of row `row` with the entries left in `rest` until the step is full; true when `rest` ran out. */
export function meetPiece(rest: Iterator<Entry>, row: number, pairRow: number[], pairEntry: Entry[]): boolean {
  while (pairRow.length < PAIRS_PER_STEP) {
    const next = rest.next();
    if (next.done === true) return true;
    if (next.value.count === 0) continue;
    pairRow.push(row);
    pairEntry.push(next.value);
  }
  return false;
}

/** A pair of weight `weight` as that many ±1 rows (engine/batch.ts: weights are ±1 per row). */
export function addPair(out: PairsOut, row: number, e: Entry, weight: number): void {
  const sign = Math.sign(weight);
  for (let k = Math.abs(weight); k > 0; k--) {
    out.rows.push(row);
    out.entries.push(e);
    out.signs.push(sign);
  }
}

/**
 * The joined rows of `out` as one batch, built a column at a time: the pushed side's columns taken from its batch,
 * the other side's from its entries. Per-row arrays for every pair (a cross join makes millions) were most of a
 * step's garbage, and collecting it paused every session.
 */
export function pairBatch(node: JoinNode, side: number, batch: ChangeBatch, out: PairsOut): ChangeBatch {
  const m = out.rows.length;
  const indexes = Int32Array.from(out.rows);
  const pushedSchema = side === LEFT ? node.left.schema : node.right.schema;
  const otherSchema = side === LEFT ? node.right.schema : node.left.schema;
  const pushed = pushedSchema.map((_, c) => takeData(columnData(batch.data, c), indexes));
  const others = otherSchema.map((f, c) => {
    const values = new Array<Value>(m);
    for (let k = 0; k < m; k++) values[k] = out.entries[k].row[c];
    return dataFromValues(values, f.type);
  });
  const columns = side === LEFT ? [...pushed, ...others] : [...others, ...pushed];
  const allInserts = out.signs.every((w) => w === 1);
  return { data: batchFromData(node.schema, columns, m), diffs: allInserts ? null : Int32Array.from(out.signs) };
}
