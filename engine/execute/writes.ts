// INSERT and COPY FROM: rows into a stream or a table, as one Arrow batch per statement. Inside a transaction block
// the block holds them until COMMIT; outside, the statement commits them by itself (runtime/commit.ts either way).

import type { RecordBatch } from 'apache-arrow';
import { batchFromRows } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import { command, type CopyFromInput, type Execution, type ExecutionResult, type Of } from './execution';

/** Resolves with how many rows went in (or are held for COMMIT). */
async function write(x: Execution, relation: string, batch: RecordBatch): Promise<number> {
  if (x.transaction !== null) return x.transaction.hold(relation, batch);
  return x.runtime.insertBatch(relation, batch);
}

export async function insert(s: Of<'insert'>, x: Execution): Promise<ExecutionResult> {
  const n = await write(x, s.target, await x.runtime.pullBatch(s.source, x.params));
  return command(`INSERT 0 ${n}`);
}

export async function copyFrom(s: Of<'copy_from'>, x: Execution): Promise<CopyFromInput> {
  const def = x.runtime.def(s.target);
  if (!def || (def.kind !== 'stream' && def.kind !== 'table')) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${s.target}" does not exist`);
  }
  return {
    kind: 'copy_in', name: s.target, columns: def.columns, dataColumns: s.columns, format: s.format, header: s.header,
    delimiter: s.delimiter, nullString: s.null,
    // The COPY reader hands rows today; they become one batch of the target's columns here.
    insert: (rows) => write(x, s.target, batchFromRows(def.columns, rows)),
  };
}
