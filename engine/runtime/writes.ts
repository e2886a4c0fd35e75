// The write path into streams and tables: which relations take rows from statements (a stream or table no connector
// owns), the checks a transaction block's writes get when their statement runs, and what makes them durable: one
// atomic write over every relation a statement or block wrote (commit.ts), or, for INSERTs into a stream, a log entry
// shared with the INSERTs running at the same time (stream-appends.ts).

import type { RecordBatch } from 'apache-arrow';
import { describeRelation, type RelationStore, type StoredRelation } from '../catalog';
import { rowsFromBatch } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import type { Value } from '../types';
import { type CommitContext, commitWrites, type DraftWrite, type RelationWrite, type WriteTarget } from './commit';
import { CommitFault } from './commit-fault';
import { checkBatch } from './row-checks';
import { StagedStreamWrite } from './staged-write';
import { StreamAppends } from './stream-appends';
import type { StreamRowCounts } from './stream-row-counts';
import { StreamWatermarks } from './stream-watermarks';
import type { TableState } from './table-state';

export interface WritesContext {
  readonly store: RelationStore;
  /** Rows each stream took, by every path (sluice.streams, /metrics). */
  readonly streamRows: StreamRowCounts;
  /** The relation of a name; throws 42P01 when there is none. */
  relation(name: string): StoredRelation;
  /** A table's rows, if `name` is a table. */
  table(name: string): TableState | undefined;
}

export class Writes {
  /** Test-only: where crash tests make a commit kill the process (commit-fault.ts); null otherwise. */
  private readonly fault = CommitFault.fromEnvironment();
  private readonly watermarks: StreamWatermarks;
  /** INSERTs into streams, concurrent ones sharing one log entry and one write (stream-appends.ts). */
  private readonly streamAppends: StreamAppends;

  constructor(private readonly ctx: WritesContext) {
    this.watermarks = new StreamWatermarks(ctx.store);
    this.streamAppends = new StreamAppends(this.commitContext());
  }

  /**
   * The columnar ingest path: an Arrow RecordBatch whose columns are the target's declared columns, in order and of
   * their Arrow types (engine/columns arrowTypeOf). Checked whole, then made durable: into a stream in a log entry it
   * may share with INSERTs running at the same time (stream-appends.ts), into a table by commit.ts.
   */
  async insertBatch(name: string, batch: RecordBatch): Promise<number> {
    if (batch.numRows === 0) return 0;
    const target = this.writeTarget(name);
    if (target.table === null) await this.streamAppends.append(target, batch);
    else await this.commitWrites([{ relation: name, batch }]);
    return batch.numRows;
  }

  /**
   * Makes rows durable in streams and tables (one statement's, or a transaction block's) in one atomic write, after
   * checking all of them (commit.ts). Resolves once they are on disk.
   */
  commitWrites(writes: readonly RelationWrite[], drafts: readonly DraftWrite[] = []): Promise<void> {
    return commitWrites(this.commitContext(), writes, drafts);
  }

  /** A COPY into a stream that stages its batches as they come and commits them at the end (staged-write.ts). */
  stagedStreamWrite(name: string): StagedStreamWrite {
    return new StagedStreamWrite(this.commitContext(), name);
  }

  private commitContext(): CommitContext {
    return {
      store: this.ctx.store, target: (name) => this.writeTarget(name), fault: this.fault, watermarks: this.watermarks,
      streamRows: this.ctx.streamRows,
    };
  }

  /**
   * What a write inside a transaction block is checked for when its statement runs (the commit checks it all
   * again): the target takes rows, every row fits it, and a table has none of its keys yet.
   */
  checkWrite(name: string, batch: RecordBatch): void {
    const { def, table } = this.writeTarget(name);
    checkBatch(def, batch);
    table?.checkNewKeys(rowsFromBatch(batch, def.columns));
  }

  /**
   * Rows for a table that go into a draft of it (a block's, an INSERT ... ON CONFLICT's): checked to fit it, then
   * as Values for the draft, which checks their keys against its own view of the table.
   */
  checkedRows(name: string, batch: RecordBatch): Value[][] {
    const { def } = this.writeTarget(name);
    checkBatch(def, batch);
    return rowsFromBatch(batch, def.columns);
  }

  /** A stream or table that statements may insert into. */
  private writeTarget(name: string): WriteTarget {
    const { id, def } = this.ctx.relation(name);
    if (def.kind !== 'stream' && def.kind !== 'table') {
      throw new SqlError(SQLSTATE.wrong_object_type, `cannot insert into ${describeRelation(def)}`, {
        hint: 'Rows go into streams and tables; continuous queries compute their own rows.',
      });
    }
    // A stream fed over HTTP reads from nothing that owns its rows: POSTs (which run COPY) come in beside INSERTs.
    if (def.options.connector && def.options.connector !== 'http') {
      throw new SqlError(SQLSTATE.wrong_object_type, `cannot insert into ${describeRelation(def)}: it reads from ${def.options.connector}`);
    }
    return { id, def, table: def.kind === 'table' ? this.tableState(name) : null };
  }

  tableState(name: string): TableState {
    const t = this.ctx.table(name);
    if (!t) throw new SqlError(SQLSTATE.wrong_object_type, `"${name}" is not a table`);
    return t;
  }

  /** A table that statements may change: not one fed by a Kafka topic, whose rows the topic owns. */
  writableTable(name: string): TableState {
    const t = this.tableState(name);
    if (t.def.options.connector) {
      throw new SqlError(SQLSTATE.wrong_object_type, `cannot change ${describeRelation(t.def)}: it reads from ${t.def.options.connector}`, {
        hint: 'Its rows follow its topic; change them there.',
      });
    }
    return t;
  }
}
