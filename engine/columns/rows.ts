// RecordBatches from and to rows of canonical Values (the server's results, INSERT rows, tests), and the batch-level
// moves operators make: take rows, concatenate batches.

import { Data, makeData, RecordBatch, type Schema as ArrowSchema, Struct } from 'apache-arrow';
import type { Schema, SqlType, Value } from '../types';
import { arrowSchemaOf, arrowTypeOf, dataFromVec, packBits, vecFromData } from './arrow';
import { concatData, takeData } from './take';
import { numberToBigInt, valueAt, vecFromValues, type Vec } from './vec';

/** Column i of a batch as one Arrow Data (a RecordBatch column is always a single chunk). */
export function columnData(batch: RecordBatch, i: number): Data {
  return batch.data.children[i];
}

export function batchFromData(schema: Schema, columns: readonly Data[], length: number): RecordBatch {
  const arrowSchema = arrowSchemaOf(schema);
  const data = makeData({ type: new Struct(arrowSchema.fields), length, nullCount: 0, children: columns as Data[] });
  return recordBatchOf(arrowSchema, data);
}

/**
 * A RecordBatch of `schema` over `data`, keeping `schema` itself. Arrow's constructor rebuilds the schema of every
 * batch it makes (Schema.assign clones each field and merges its metadata), which was a third of the CPU of encoding
 * a small INSERT, and the new object defeats every cache keyed by the schema object (arrowSchemaOf above, the
 * encoded IPC schema messages of codecs/arrow-stream.ts). The rebuild exists to pad columns shorter than the batch
 * with nulls; when every column has the batch's length there is nothing to pad and the constructor is skipped.
 */
function recordBatchOf(schema: ArrowSchema, data: Data<Struct>): RecordBatch {
  if (data.children.some((c) => c.length !== data.length)) return new RecordBatch(schema, data);
  const batch = Object.create(RecordBatch.prototype) as RecordBatch;
  return Object.assign(batch, { schema, data, _metadata: new Map<string, string>() });
}

export function batchFromVecs(schema: Schema, vecs: readonly Vec[], length: number): RecordBatch {
  return batchFromData(schema, vecs.map(dataFromVec), length);
}

export function emptyBatch(schema: Schema): RecordBatch {
  return batchFromRows(schema, []);
}

/** A batch of `schema` holding `rows` (canonical Values, engine/types.ts). */
export function batchFromRows(schema: Schema, rows: readonly (readonly Value[])[]): RecordBatch {
  const cols = schema.map((f, c) => dataFromValues(rows.map((r) => r[c]), f.type));
  return batchFromData(schema, cols, rows.length);
}

const INT64_TYPES = new Set(['int8', 'timestamp', 'timestamptz']);

/** One Arrow column from canonical Values; int8 and timestamps keep every bit of their bigint. */
export function dataFromValues(values: readonly Value[], type: SqlType): Data {
  if (!INT64_TYPES.has(type.name)) return dataFromVec(vecFromValues(values, type));
  const n = values.length;
  const out = new BigInt64Array(n);
  const nulls = new Uint8Array(n);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      nulls[i] = 1;
      nullCount++;
    } else {
      out[i] = typeof v === 'bigint' ? v : numberToBigInt(Number(v));
    }
  }
  return makeData({
    type: arrowTypeOf(type), length: n, nullCount,
    nullBitmap: nullCount > 0 ? packBits(nulls, n, true) : undefined, data: out,
  } as never);
}

/** One column as canonical Values; int8 and timestamps come exactly from their int64 bits. */
export function valuesFromData(data: Data, type: Schema[number]['type']): Value[] {
  const n = data.length;
  const raw = data.values as unknown;
  if (raw instanceof BigInt64Array && (type.name === 'int8' || type.name === 'timestamp' || type.name === 'timestamptz')) {
    const vec = vecFromData(data, type);
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) out[i] = vec.nulls !== null && vec.nulls[i] === 1 ? null : raw[i];
    return out;
  }
  const vec = vecFromData(data, type);
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) out[i] = valueAt(vec, i);
  return out;
}

/** The rows of a batch as canonical Values, in `schema`'s column types. */
export function rowsFromBatch(batch: RecordBatch, schema: Schema): Value[][] {
  const n = batch.numRows;
  const columns = schema.map((f, c) => valuesFromData(columnData(batch, c), f.type));
  const rows = new Array<Value[]>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<Value>(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = columns[c][i];
    rows[i] = row;
  }
  return rows;
}

export function takeBatch(schema: Schema, batch: RecordBatch, indexes: ArrayLike<number>): RecordBatch {
  const cols = schema.map((_, c) => takeData(columnData(batch, c), indexes));
  return batchFromData(schema, cols, indexes.length);
}

export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  const nonEmpty = batches.filter((b) => b.numRows > 0);
  if (nonEmpty.length === 0) return emptyBatch(schema);
  if (nonEmpty.length === 1) return nonEmpty[0];
  let length = 0;
  for (const b of nonEmpty) length += b.numRows;
  const cols = schema.map((_, c) => concatData(nonEmpty.map((b) => columnData(b, c))));
  return batchFromData(schema, cols, length);
}

export { numberToBigInt };
