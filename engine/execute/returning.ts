// RETURNING: the rows a write statement wrote (an INSERT's rows, an UPDATE's new rows, the rows a DELETE removed)
// projected through its RETURNING list, sent as a SELECT's rows under the statement's own command tag.

import { batchFromRows } from '../columns';
import { valueAt } from '../columns/vec';
import { BatchColumns, compileExpr } from '../expr';
import type { Returning } from '../statement';
import type { Schema, Value } from '../types';
import { statementContext, type Execution, type RowsResult } from './execution';

/** `written` (rows of the target's `schema`) through `returning`, tagged `${tag} ${written.length}`. */
export function returningRows(
  tag: string, returning: Returning, schema: Schema, written: readonly (readonly Value[])[], x: Execution,
): RowsResult {
  let rows: Value[][] = [];
  if (written.length > 0) {
    const view = new BatchColumns(batchFromRows(schema, written), schema);
    const context = statementContext(x);
    const columns = returning.exprs.map((e) => compileExpr(e).eval(view, context));
    rows = written.map((_, i) => columns.map((c) => valueAt(c, i)));
  }
  return { kind: 'rows', schema: returning.schema, rows, tag: () => `${tag} ${written.length}` };
}
