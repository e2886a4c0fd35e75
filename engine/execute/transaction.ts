// Transaction blocks. Inside BEGIN ... COMMIT, INSERT and COPY rows are checked when their statement runs and held
// here as Arrow batches; COMMIT writes them all, for every stream and table, in one atomic write (runtime/commit.ts);
// ROLLBACK (or a closed connection) drops them. Statements that change the catalog or rewrite table rows cannot run
// inside a block (25001), as in Materialize: Sluice has no way to undo them on ROLLBACK, and running them outside the
// transaction would surprise.
//
// A SELECT inside a block reads committed data: it does not see the block's own pending rows.

import type { RecordBatch } from 'apache-arrow';
import { SqlError, SQLSTATE } from '../errors';
import type { RelationWrite } from '../runtime/commit';
import type { Runtime } from '../runtime/runtime';

export class Transaction {
  private writes: RelationWrite[] = [];

  constructor(private readonly runtime: Runtime) {}

  /** Checks rows for `relation` as their statement runs, and holds them for COMMIT; returns how many. */
  hold(relation: string, batch: RecordBatch): number {
    this.runtime.checkWrite(relation, batch);
    this.writes.push({ relation, batch });
    return batch.numRows;
  }

  /** Writes everything held in one atomic write, after checking it all again; nothing is written if a check fails. */
  commit(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    return this.runtime.commitWrites(writes);
  }

  rollback(): void {
    this.writes = [];
  }
}

/** For statements that cannot be part of a transaction block. */
export function refuseInBlock(transaction: Transaction | null, what: string): void {
  if (transaction === null) return;
  throw new SqlError(SQLSTATE.active_sql_transaction, `${what} cannot run inside a transaction block`, {
    hint: 'Run it outside BEGIN ... COMMIT; inside a block Sluice accepts SELECT, INSERT and COPY.',
  });
}
