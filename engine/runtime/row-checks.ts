// Rows are checked whole before any is written, so a failed INSERT or COPY adds nothing.

import type { StreamDef, TableDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { Data, RecordBatch } from 'apache-arrow';
import { arrowTypeOf } from '../columns';
import { notNullViolation, relationOwner } from '../ingest/problems';

/**
 * A batch written into a stream or table must have the target's declared columns, of their Arrow types, no NULL
 * where not allowed and no string longer than its varchar(n).
 */
export function checkBatch(def: StreamDef | TableDef, batch: RecordBatch): void {
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
      const problem = notNullViolation(cols[i].name, relationOwner(def.kind, def.name));
      throw new SqlError(problem.code, problem.message);
    }
    const type = cols[i].type;
    if (type.name === 'varchar' && type.length !== undefined && hasLongerString(batch.data.children[i], type.length)) {
      throw new SqlError(SQLSTATE.string_data_right_truncation, `value too long for type character varying(${type.length})`);
    }
  }
}

/** Whether a Utf8 column holds a non-NULL value of more than `maxChars` characters (code points, as PostgreSQL). */
function hasLongerString(data: Data, maxChars: number): boolean {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  for (let i = 0; i < data.length; i++) {
    const start = offsets[i];
    const end = offsets[i + 1];
    // A character takes at least one byte, so most values are decided without counting.
    if (end - start <= maxChars || !data.getValid(i)) continue;
    let chars = 0;
    for (let b = start; b < end; b++) if ((bytes[b] & 0xc0) !== 0x80) chars++; // count all but continuation bytes
    if (chars > maxChars) return true;
  }
  return false;
}
