// Transaction blocks. Inside BEGIN ... COMMIT, INSERT and COPY rows are checked when their statement runs and held
// here as Arrow batches; an UPDATE or DELETE changes the block's own working copy of its table (a draft, taken at
// the block's first UPDATE or DELETE of that table, which then also takes the block's INSERTs into it). COMMIT
// writes it all, for every stream and table, in one atomic write (runtime/commit.ts); ROLLBACK (or a closed
// connection) drops it. A drafted table that another session changed before COMMIT fails the COMMIT with 40001
// (first committer wins), since the block's UPDATEs and DELETEs saw rows that are no longer the table's.
// Statements that change the catalog cannot run inside a block (25001), as in Materialize: Sluice has no way to undo
// them on ROLLBACK, and running them outside the transaction would surprise.
//
// A SELECT inside a block reads committed data: it does not see the block's own pending changes.

import type { RecordBatch } from 'apache-arrow';
import { SqlError, SQLSTATE } from '../errors';
import { rowsFromBatch } from '../columns';
import type { DraftWrite, RelationWrite } from '../runtime/commit';
import type { Runtime } from '../runtime/runtime';
import type { TableDraft } from '../runtime/table-draft';
import type { TableState } from '../runtime/table-state';

export class Transaction {
  private writes: RelationWrite[] = [];
  private drafts = new Map<string, TableDraft>();

  constructor(private readonly runtime: Runtime) {}

  /** Checks rows for `relation` as their statement runs, and holds them for COMMIT; returns how many. */
  hold(relation: string, batch: RecordBatch): number {
    const draft = this.drafts.get(relation);
    if (draft !== undefined) {
      draft.insert(this.runtime.writes.checkedRows(relation, batch));
    } else {
      this.runtime.writes.checkWrite(relation, batch);
      this.writes.push({ relation, batch });
    }
    return batch.numRows;
  }

  /** The block's working copy of `table` for an UPDATE or DELETE, with the rows the block inserted into it so far. */
  draftOf(table: TableState): TableDraft {
    const name = table.def.name;
    let draft = this.drafts.get(name);
    if (draft === undefined) {
      draft = table.draft();
      const held = this.writes.filter((w) => w.relation === name);
      for (const w of held) draft.insert(rowsFromBatch(w.batch, table.def.columns));
      this.writes = this.writes.filter((w) => w.relation !== name);
      this.drafts.set(name, draft);
    }
    return draft;
  }

  /** Writes everything held in one atomic write, after checking it all again; nothing is written if a check fails. */
  commit(): Promise<void> {
    const writes = this.writes;
    const drafts: DraftWrite[] = [...this.drafts].map(([relation, draft]) => ({ relation, draft }));
    this.rollback();
    return this.runtime.writes.commitWrites(writes, drafts);
  }

  rollback(): void {
    this.writes = [];
    this.drafts = new Map();
  }
}

/** For statements that cannot be part of a transaction block. */
export function refuseInBlock(transaction: Transaction | null, what: string): void {
  if (transaction === null) return;
  throw new SqlError(SQLSTATE.active_sql_transaction, `${what} cannot run inside a transaction block`, {
    hint: 'Run it outside BEGIN ... COMMIT; inside a block Sluice accepts SELECT, INSERT, UPDATE, DELETE and COPY.',
  });
}
