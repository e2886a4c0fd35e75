// Rows are checked whole before any is written, so a failed INSERT or COPY adds nothing.

import type { StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { Value } from '../types';
import type { RecordBatch } from 'apache-arrow';
import { arrowTypeOf } from '../columns';

export function checkRows(def: StreamDef | TableDef, rows: readonly (readonly Value[])[]): void {
  const cols = def.columns;
  for (const row of rows) {
    if (row.length !== cols.length) {
      throw new Error(`row of ${row.length} values for ${def.name} with ${cols.length} columns`);
    }
    for (let i = 0; i < cols.length; i++) {
      const v = row[i];
      const c = cols[i];
      if (v === null) {
        if (!c.nullable) {
          throw new SqlError(SQLSTATE.not_null_violation,
            `null value in column "${c.name}" of ${def.kind === 'stream' ? 'stream' : 'relation'} "${def.name}" violates not-null constraint`);
        }
      } else if (c.type.name === 'varchar' && c.type.length !== undefined && typeof v === 'string' && [...v].length > c.type.length) {
        throw new SqlError(SQLSTATE.string_data_right_truncation, `value too long for type character varying(${c.type.length})`);
      }
    }
  }
}

/** A columnar batch must have the target's declared columns, of their Arrow types, and no NULL where not allowed. */
export function checkBatchShape(def: StreamDef | TableDef, batch: RecordBatch): void {
  const cols = def.columns;
  const fields = batch.schema.fields;
  if (fields.length !== cols.length) {
    throw new SqlError(SQLSTATE.datatype_mismatch, `a batch for "${def.name}" must have its ${cols.length} columns, it has ${fields.length}`);
  }
  for (let i = 0; i < cols.length; i++) {
    const want = arrowTypeOf(cols[i].type);
    if (String(fields[i].type) !== String(want)) {
      throw new SqlError(SQLSTATE.datatype_mismatch,
        `column "${cols[i].name}" of "${def.name}" needs Arrow type ${String(want)}, the batch has ${String(fields[i].type)}`);
    }
    if (!cols[i].nullable && batch.data.children[i].nullCount > 0) {
      throw new SqlError(SQLSTATE.not_null_violation,
        `null value in column "${cols[i].name}" of "${def.name}" violates not-null constraint`);
    }
  }
}
