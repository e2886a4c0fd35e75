// A columnar batch in the engine's own form, for the in-process path: an Arrow RecordBatch built straight from the
// columns (the generator's Float64Arrays and string arrays are already the engine's Vec forms).

import type { RecordBatch } from 'apache-arrow';
import { batchFromVecs, type Vec } from '../../engine/columns';
import { T, type Field } from '../../engine/types';
import { type ColumnBatch, type ColumnType, STREAM_COLUMNS, type StreamName } from '../nexmark/schema';

const SQL_TYPE = { int8: T.int8, text: T.text, timestamptz: T.timestamptz } as const satisfies Record<ColumnType, unknown>;

const schemas = new Map<StreamName, Field[]>();

/** The declared columns of a stream as engine Fields (one object per stream: the engine caches Arrow schemas by it). */
export function engineSchema(stream: StreamName): Field[] {
  let schema = schemas.get(stream);
  if (schema === undefined) {
    schema = STREAM_COLUMNS[stream].map((c) => ({
      name: c.name,
      type: SQL_TYPE[c.type],
      nullable: !(c.name === 'date_time' || (c.name === 'id' && stream === 'person')),
    }));
    schemas.set(stream, schema);
  }
  return schema;
}

export function arrowBatch(batch: ColumnBatch): RecordBatch {
  const schema = engineSchema(batch.stream);
  const vecs = batch.columns.map((col, c): Vec => col instanceof Float64Array
    ? { kind: 'num', type: schema[c].type, length: batch.length, nulls: null, values: col }
    : { kind: 'str', type: schema[c].type, length: batch.length, nulls: null, values: col });
  return batchFromVecs(schema, vecs, batch.length);
}
