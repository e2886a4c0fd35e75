// INSERT and COPY FROM: rows into a stream or a table. Inside a transaction block the block holds them until COMMIT;
// outside, the statement commits them by itself (runtime/commit.ts). A COPY into a stream outside a block holds
// nothing: each decoded batch is staged on disk at once and the end commits them all (runtime/staged-write.ts), so
// its memory stays flat however big it is. Its `write` resolves once the chunk's batches are staged, which keeps the
// connection from reading faster than the disk takes them.

import type { RecordBatch } from 'apache-arrow';
import { CopyDecoder } from '../ingest';
import { batchFromRows, rowsFromBatch } from '../columns/rows';
import { returningRows } from './returning';
import { insertOnConflict } from './upsert';
import { recordsCopy } from './records-copy';
import type { StreamDef, TableDef } from '../catalog';
import { valuesRows } from '../operators/values';
import type { PlanNode } from '../plan';
import { SqlError, SQLSTATE } from '../errors';
import { batchBytes } from '../memory/sizes';
import { yieldAfterBigStep } from '../slices';
import { command, statementContext, type CopyFromInput, type Execution, type ExecutionResult, type Of } from './execution';

/** Resolves with how many rows went in (or are held for COMMIT). */
async function write(x: Execution, relation: string, batch: RecordBatch): Promise<number> {
  if (x.transaction !== null) return x.transaction.hold(relation, batch);
  return x.runtime.writes.insertBatch(relation, batch);
}

/** A COPY's batches: held one by one inside a block, else committed together, so the COPY is all or nothing. */
async function writeAll(x: Execution, relation: string, batches: readonly RecordBatch[]): Promise<number> {
  if (x.transaction !== null) return batches.reduce((n, b) => n + x.transaction!.hold(relation, b), 0);
  await x.runtime.writes.commitWrites(batches.map((batch) => ({ relation, batch })));
  return batches.reduce((n, b) => n + b.numRows, 0);
}

export async function insert(s: Of<'insert'>, x: Execution): Promise<ExecutionResult> {
  const batch = await sourceBatch(s.source, x);
  await yieldAfterBigStep(batchBytes(batch), x.signal);
  if (s.onConflict !== null) return insertOnConflict(s, s.onConflict, batch, x);
  const n = await write(x, s.target, batch);
  if (s.returning === null) return command(`INSERT 0 ${n}`);
  // The write resolved the target as a stream or a table: its declared columns are the batch's.
  const schema = (x.runtime.def(s.target) as StreamDef | TableDef).columns;
  return returningRows('INSERT 0', s.returning, schema, rowsFromBatch(batch, schema), x);
}

/**
 * The rows an INSERT writes. INSERT ... VALUES, the common small statement, is evaluated straight into the batch:
 * the same rows a pull query over the VALUES would give (inserts only, nothing to consolidate), without building
 * and running a DAG for them.
 */
async function sourceBatch(source: PlanNode, x: Execution): Promise<RecordBatch> {
  if (source.kind === 'values') return batchFromRows(source.schema, valuesRows(source, statementContext(x)));
  return x.runtime.pullBatch(source, statementContext(x), x.signal);
}

export async function copyFrom(s: Of<'copy_from'>, x: Execution): Promise<CopyFromInput> {
  const def = x.runtime.def(s.target);
  if (!def || (def.kind !== 'stream' && def.kind !== 'table')) {
    throw new SqlError(SQLSTATE.undefined_table, `relation "${s.target}" does not exist`);
  }
  // JSON lines, and every COPY into a stream fed over HTTP, go record by record under the stream's on_error.
  if (s.format === 'json' || def.options.connector === 'http') {
    if (def.kind !== 'stream') throw new SqlError(SQLSTATE.feature_not_supported, 'COPY FROM STDIN (FORMAT json) goes into streams only');
    return recordsCopy(s, def, x);
  }
  const decoder = new CopyDecoder({
    name: s.target, targetKind: def.kind, columns: def.columns, dataColumns: s.columns, format: s.format, header: s.header,
    delimiter: s.delimiter, nullString: s.null, zone: x.zone,
  });
  const shape = { kind: 'copy_in', format: s.format, columnCount: s.columns.length } as const;
  if (x.transaction !== null || def.kind !== 'stream') {
    // Every row is held until the end (all or nothing), counted against the statement's memory share.
    const memory = x.runtime.statementMemory();
    const held: RecordBatch[] = [];
    return {
      ...shape,
      write: (chunk) => {
        decoder.write(chunk);
        for (const batch of decoder.takeBatches()) {
          memory.hold(batchBytes(batch), 'COPY rows');
          held.push(batch);
        }
      },
      end: () => writeAll(x, s.target, [...held, ...decoder.end()]),
      abort: () => decoder.abort(),
    };
  }
  const staged = x.runtime.writes.stagedStreamWrite(s.target);
  /** Runs a step of the COPY; on failure the staged rows are deleted before the error reaches the client. */
  const orDiscard = async <R>(step: () => Promise<R>): Promise<R> => {
    try {
      return await step();
    } catch (e) {
      decoder.abort();
      await staged.discard();
      throw e;
    }
  };
  return {
    ...shape,
    write: (chunk) => orDiscard(async () => {
      decoder.write(chunk);
      for (const batch of decoder.takeBatches()) await staged.add(batch);
    }),
    end: () => orDiscard(async () => {
      for (const batch of decoder.end()) await staged.add(batch);
      return staged.commit();
    }),
    abort: () => {
      decoder.abort();
      void staged.discard();
    },
  };
}
