// Estimated bytes of what a statement holds, for StatementMemory: cheap (no walk over a batch's values), and on the
// high side where it guesses, since the limit exists to fail before V8's heap ceiling does.

import type { Data, RecordBatch } from 'apache-arrow';
import type { Value } from '../types';

/** Per row of a batch: the weight (diffs) and the struct's share. */
const BATCH_ROW_OVERHEAD = 8;
/** A JS array of values: its header, plus a slot and a boxed number per value. */
const ROW_OVERHEAD = 64;
const VALUE_BYTES = 16;

/** One column's bytes in a batch, counting only this view's rows (a slice shares its parent's buffers). */
function columnBytes(data: Data): number {
  const n = data.length;
  const offsets = data.valueOffsets as Int32Array | undefined;
  if (offsets !== undefined && offsets.length > data.offset + n) {
    return 4 * n + (offsets[data.offset + n] - offsets[data.offset]);
  }
  const values = data.values as { BYTES_PER_ELEMENT?: number } | undefined;
  return n * Math.max(1, values?.BYTES_PER_ELEMENT ?? 8) * Math.max(1, data.stride);
}

export function batchBytes(batch: RecordBatch): number {
  let bytes = batch.numRows * BATCH_ROW_OVERHEAD;
  for (const child of batch.data.children) bytes += columnBytes(child);
  return bytes;
}

/** A row kept as JS values (a join's side): its array, and each string's characters at two bytes. */
export function rowBytes(row: readonly Value[]): number {
  let bytes = ROW_OVERHEAD + row.length * VALUE_BYTES;
  for (const v of row) if (typeof v === 'string') bytes += 2 * v.length;
  return bytes;
}
