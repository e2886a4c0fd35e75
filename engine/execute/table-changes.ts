// UPDATE and DELETE: the table's matching rows found by evaluating the predicate over them as a batch, the new
// values computed the same way; the table applies the change (deletes and inserts) as one log entry, or inside a
// transaction block the block's working copy of the table takes it until COMMIT (transaction.ts).

import { batchFromRows } from '../columns';
import { valueAt } from '../columns/vec';
import { BatchColumns, compileExpr } from '../expr';
import type { Expr } from '../plan';
import type { Schema, Value } from '../types';
import { command, statementContext, type Execution, type ExecutionResult, type Of } from './execution';
import { returningRows } from './returning';
import type { TableChange, TableState } from '../runtime/table-state';

export async function update(s: Of<'update'>, x: Execution): Promise<ExecutionResult> {
  const table = x.runtime.writes.writableTable(s.table);
  const schema = table.def.columns;
  const change = await modify(table, x, (rows) => {
    const matching = matchingRows(rows, schema, s.predicate, x);
    if (matching.length === 0) return { deletes: [], inserts: [] };
    const view = new BatchColumns(batchFromRows(schema, matching), schema);
    const updated = matching.map((r) => [...r]);
    for (const a of s.assignments) {
      const vec = compileExpr(a.value).eval(view, statementContext(x));
      for (let i = 0; i < updated.length; i++) updated[i][a.column] = valueAt(vec, i);
    }
    return { deletes: matching, inserts: updated };
  });
  if (s.returning === null) return command(`UPDATE ${change.inserts.length}`);
  return returningRows('UPDATE', s.returning, schema, change.inserts, x);
}

export async function deleteRows(s: Of<'delete'>, x: Execution): Promise<ExecutionResult> {
  const table = x.runtime.writes.writableTable(s.table);
  const schema = table.def.columns;
  const change = await modify(table, x, (rows) => ({ deletes: matchingRows(rows, schema, s.predicate, x), inserts: [] }));
  if (s.returning === null) return command(`DELETE ${change.deletes.length}`);
  return returningRows('DELETE', s.returning, schema, change.deletes, x);
}

/** The change made now, or inside a block to the block's draft of the table. */
export async function modify(
  table: TableState, x: Execution, change: (rows: readonly (readonly Value[])[]) => TableChange,
): Promise<TableChange> {
  return x.transaction === null ? table.modify(change) : x.transaction.draftOf(table).modify(change);
}

function matchingRows(
  rows: readonly (readonly Value[])[], schema: Schema, predicate: Expr | null, x: Execution,
): (readonly Value[])[] {
  if (!predicate) return [...rows];
  if (rows.length === 0) return [];
  const view = new BatchColumns(batchFromRows(schema, rows), schema);
  const vec = compileExpr(predicate).eval(view, statementContext(x));
  return rows.filter((_, i) => valueAt(vec, i) === true);
}
