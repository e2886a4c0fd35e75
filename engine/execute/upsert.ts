// INSERT ... ON CONFLICT on a table's primary key: the proposed rows whose key is new are inserted; one whose key
// exists is skipped (DO NOTHING) or turns into an update of the existing row (DO UPDATE SET ... WHERE ..., its
// expressions over the existing row and EXCLUDED, evaluated as a batch). It is one change of the table, made like an
// UPDATE's: at once, or inside a block into the block's draft (table-changes.ts modify).

import type { RecordBatch } from 'apache-arrow';
import { batchFromRows } from '../columns';
import { valueAt } from '../columns/vec';
import { SqlError, SQLSTATE } from '../errors';
import { BatchColumns, compileExpr } from '../expr';
import type { TableChange } from '../runtime/table-state';
import type { OnConflict } from '../statement';
import type { Schema, Value } from '../types';
import { command, statementContext, type Execution, type ExecutionResult, type Of } from './execution';
import { returningRows } from './returning';
import { modify } from './table-changes';

export async function insertOnConflict(
  s: Of<'insert'>, onConflict: OnConflict, batch: RecordBatch, x: Execution,
): Promise<ExecutionResult> {
  const table = x.runtime.writes.writableTable(s.target);
  const schema = table.def.columns;
  const proposed = x.runtime.writes.checkedRows(s.target, batch);
  const change = await modify(table, x, (rows) => resolve(rows, proposed, (row) => table.keyOf(row), onConflict, schema, x));
  if (s.returning === null) return command(`INSERT 0 ${change.inserts.length}`);
  return returningRows('INSERT 0', s.returning, schema, change.inserts, x);
}

function resolve(
  rows: readonly (readonly Value[])[], proposed: readonly (readonly Value[])[], keyOf: (row: readonly Value[]) => string,
  onConflict: OnConflict, schema: Schema, x: Execution,
): TableChange {
  const existing = new Map(rows.map((r) => [keyOf(r), r]));
  // In the order proposed (RETURNING's order, as in PostgreSQL): a new row, or the index of a conflict.
  const outcomes: (readonly Value[] | number)[] = [];
  const conflicts: { existing: readonly Value[]; excluded: readonly Value[] }[] = [];
  const proposedKeys = new Set<string>();
  for (const row of proposed) {
    const key = keyOf(row);
    if (proposedKeys.has(key)) {
      // A second row with a key this statement already inserted or updated: DO NOTHING skips it, as in PostgreSQL.
      if (onConflict.action === 'update') throw affectedTwice();
      continue;
    }
    proposedKeys.add(key);
    const old = existing.get(key);
    if (old === undefined) outcomes.push(row);
    else if (onConflict.action === 'update') outcomes.push(conflicts.push({ existing: old, excluded: row }) - 1);
  }
  const updated = onConflict.action === 'update' && conflicts.length > 0 ? updates(conflicts, onConflict, schema, x) : [];
  const inserts = outcomes.flatMap((o) => (typeof o === 'number' ? (updated[o] === null ? [] : [updated[o]!]) : [o]));
  return { deletes: conflicts.filter((_, i) => updated[i] !== null).map((c) => c.existing), inserts };
}

/**
 * DO UPDATE over the conflicting rows, as one batch of the existing rows' columns followed by EXCLUDED's: each
 * conflict's new row, or null where WHERE does not hold (the row stays as it is).
 */
function updates(
  conflicts: readonly { existing: readonly Value[]; excluded: readonly Value[] }[],
  onConflict: Extract<OnConflict, { action: 'update' }>, schema: Schema, x: Execution,
): (Value[] | null)[] {
  const pairSchema: Schema = [...schema, ...schema.map((f) => ({ ...f, name: `excluded.${f.name}` }))];
  const view = new BatchColumns(batchFromRows(pairSchema, conflicts.map((c) => [...c.existing, ...c.excluded])), pairSchema);
  const context = statementContext(x);
  const where = onConflict.where === null ? null : compileExpr(onConflict.where).eval(view, context);
  const values = onConflict.assignments.map((a) => ({ column: a.column, vec: compileExpr(a.value).eval(view, context) }));
  return conflicts.map((c, i) => {
    if (where !== null && valueAt(where, i) !== true) return null;
    const row = [...c.existing];
    for (const v of values) row[v.column] = valueAt(v.vec, i);
    return row;
  });
}

function affectedTwice(): SqlError {
  return new SqlError(SQLSTATE.cardinality_violation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
    hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
  });
}
