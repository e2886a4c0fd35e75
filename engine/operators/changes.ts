// Helpers over ChangeBatches shared by the operators.

import type { RecordBatch } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { batchFromRows, concatBatches, takeBatch } from '../columns/rows';
import { BatchColumns } from '../expr/context';
import { exactCodecFor, RowKeyer, type Key } from '../state/keys';
import type { Schema, Value } from '../types';
import { formatValue } from '../text';

/** The weight of row i: +1 unless the batch says otherwise. */
export const weightAt = (b: ChangeBatch, i: number): number => (b.diffs === null ? 1 : b.diffs[i]);

/** Rows `indexes` of a change batch, weights included. */
export function takeChanges(schema: Schema, b: ChangeBatch, indexes: Int32Array): ChangeBatch {
  if (indexes.length === b.data.numRows) return b;
  const diffs = b.diffs === null ? null : Int32Array.from(indexes, (i) => b.diffs![i]);
  return { data: takeBatch(schema, b.data, indexes), diffs };
}

/** Rows with weights as a ChangeBatch; all-+1 weights become null. */
export function changesFromRows(schema: Schema, rows: readonly (readonly Value[])[], weights: readonly number[]): ChangeBatch {
  let outRows = rows;
  let outWeights = weights;
  // Weights are ±1 per row (engine/batch.ts): a row counted n times goes out n times.
  if (weights.some((w) => w !== 1 && w !== -1)) {
    const r: (readonly Value[])[] = [];
    const w: number[] = [];
    rows.forEach((row, i) => {
      const sign = Math.sign(weights[i]);
      for (let k = 0; k < Math.abs(weights[i]); k++) {
        r.push(row);
        w.push(sign);
      }
    });
    outRows = r;
    outWeights = w;
  }
  const data: RecordBatch = batchFromRows(schema, outRows);
  const allInserts = outWeights.every((w) => w === 1);
  return { data, diffs: allInserts ? null : Int32Array.from(outWeights) };
}

/**
 * What remains of change batches once every delete cancels one inserted copy of the same row: the inserted rows that
 * survive, in input order, as one batch. Two rows are the same when every column holds the same value, with NULL
 * only the same as NULL (NaN is a value, equal to NaN, as in PostgreSQL).
 */
export function consolidateBatches(schema: Schema, batches: readonly ChangeBatch[]): RecordBatch {
  const all = concatBatches(schema, batches.map((b) => b.data));
  if (batches.every((b) => b.diffs === null)) return all;
  const weights = new Int32Array(all.numRows);
  let at = 0;
  for (const b of batches) {
    if (b.diffs === null) weights.fill(1, at, at + b.data.numRows);
    else weights.set(b.diffs, at);
    at += b.data.numRows;
  }
  const view = new BatchColumns(all, schema);
  const cols = schema.map((_, c) => view.column(c));
  // Rows that cancel are the same row as shown: 0.00 does not cancel 0, nor -0 cancel 0.
  const keyer = new RowKeyer(schema.map((f) => f.type), exactCodecFor);
  const keys: Key[] = Array.from(weights, (_, i) => keyer.key(cols, i));
  const net = new Map<Key, number>();
  keys.forEach((k, i) => net.set(k, (net.get(k) ?? 0) + weights[i]));
  // The first inserted copies of a row survive, as many as its net weight.
  const live: number[] = [];
  keys.forEach((k, i) => {
    if (weights[i] <= 0) return;
    const left = net.get(k)!;
    if (left <= 0) return;
    live.push(i);
    net.set(k, left - 1);
  });
  return takeBatch(schema, all, Int32Array.from(live));
}

/** A row as PostgreSQL record text: (1,acme,,"a b"), for dead letters. */
export function recordText(row: readonly Value[], schema: Schema): string {
  const parts = row.map((v, i) => {
    if (v === null) return '';
    const s = formatValue(v, schema[i].type);
    return s === '' || /[",()\\\s]/.test(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s;
  });
  return `(${parts.join(',')})`;
}
