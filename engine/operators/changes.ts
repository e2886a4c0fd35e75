// Helpers over ChangeBatches shared by the operators.

import type { RecordBatch } from 'apache-arrow';
import type { ChangeBatch } from '../batch';
import { batchFromRows, takeBatch } from '../columns/rows';
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

/** A row as PostgreSQL record text: (1,acme,,"a b"), for dead letters. */
export function recordText(row: readonly Value[], schema: Schema): string {
  const parts = row.map((v, i) => {
    if (v === null) return '';
    const s = formatValue(v, schema[i].type);
    return s === '' || /[",()\\\s]/.test(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s;
  });
  return `(${parts.join(',')})`;
}
