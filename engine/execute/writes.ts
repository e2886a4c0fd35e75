// INSERT and COPY FROM: rows into a stream or a table, as one Arrow batch per statement. Inside a transaction block
// the block holds them until COMMIT; outside, the statement commits them by itself (runtime/commit.ts either way).

import type { RecordBatch } from 'apache-arrow';
import { CopyDecoder } from '../ingest';
import { SqlError, SQLSTATE } from '../errors';
import { command, type CopyFromInput, type Execution, type ExecutionResult, type Of } from './execution';

/** Resolves with how many rows went in (or are held for COMMIT). */
async function write(x: Execution, relation: string, batch: RecordBatch): Promise<number> {
  if (x.transaction !== null) return x.transaction.hold(relation, batch);
  return x.runtime.insertBatch(relation, batch);
}

/** A COPY's batches: held one by one inside a block, else committed together, so the COPY is all or nothing. */
async function writeAll(x: Execution, relation: string, batches: readonly RecordBatch[]): Promise<number> {
  if (x.transaction !== null) return batches.reduce((n, b) => n + x.transaction!.hold(relation, b), 0);
  await x.runtime.commitWrites(batches.map((batch) => ({ relation, batch })));
  return batches.reduce((n, b) => n + b.numRows, 0);
}

export async function insert(s: Of<'insert'>, x: Execution): Promise<ExecutionResult> {
  const n = await write(x, s.target, await x.runtime.pullBatch(s.source, x.params, x.signal));
  return command(`INSERT 0 ${n}`);
}

export async function copyFrom(s: Of<'copy_from'>, x: Execution): Promise<CopyFromInput> {
  const def = x.runtime.def(s.target);
  if (!def || (def.kind !== 'stream' && def.kind !== 'table')) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${s.target}" does not exist`);
  }
  const decoder = new CopyDecoder({
    name: s.target, targetKind: def.kind, columns: def.columns, dataColumns: s.columns, format: s.format, header: s.header,
    delimiter: s.delimiter, nullString: s.null,
  });
  return {
    kind: 'copy_in', format: s.format, columnCount: s.columns.length,
    write: (chunk) => decoder.write(chunk),
    end: () => writeAll(x, s.target, decoder.end()),
    abort: () => decoder.abort(),
  };
}
