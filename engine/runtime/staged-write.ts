// A COPY into a stream, made durable without being held: each batch is checked, encoded and staged in storage as
// soon as it is decoded (Store.stageLogEntry: on disk, unsynced, seen by no reader), and commit() makes all of them
// the stream's next log entry in one small synced write, so the COPY stays all or nothing while the server holds at
// most the batch being decoded. discard() deletes what was staged (a bad row, CopyFail, a client gone); a crash
// leaves staging that the next open deletes (storage/staging.ts).
//
// Every row of the COPY gets the same `_arrival`: the time its first batch arrived, not the commit time.
// Tables and transaction blocks keep the held path (commit.ts): a table's primary keys are checked against the
// whole commit under its write lock, and a block's writes commit with the rest of the block.

import type { RecordBatch } from 'apache-arrow';
import type { StreamDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { StagedLogEntry } from '../../storage';
import { type CommitContext, encodeStreamEntry } from './commit';
import { checkBatch } from './row-checks';

export class StagedStreamWrite {
  private readonly staged: StagedLogEntry;
  private readonly def: StreamDef;
  private readonly arrival = BigInt(Date.now()) * 1000n;
  private rows = 0;
  /** The stream's watermark as of the chunks staged so far: each chunk carries it, the last one is the entry's. */
  private watermark: number | undefined;

  constructor(private readonly ctx: CommitContext, private readonly relation: string) {
    const target = ctx.target(relation);
    if (target.table !== null) throw new TypeError(`staged writes go into streams; "${relation}" is a table`);
    this.def = target.def as StreamDef;
    this.staged = ctx.store.stageLogEntry(target.id);
  }

  /** Checks a batch of the stream's declared columns and stages it; throws SqlError when a row does not fit. */
  async add(batch: RecordBatch): Promise<void> {
    checkBatch(this.def, batch);
    if (batch.numRows === 0) return;
    const clock = await this.ctx.watermarks.of(this.staged.relationId, this.def);
    if (clock !== null) this.watermark = clock.after(batch, this.rows === 0 ? clock.current : this.watermark);
    await this.staged.add(encodeStreamEntry(this.def, batch, this.arrival, this.watermark));
    this.rows += batch.numRows;
  }

  /** Makes every staged row visible at once; resolves with how many once durable. */
  async commit(): Promise<number> {
    if (this.rows === 0) {
      await this.staged.discard();
      return 0;
    }
    // The stream may have been dropped (and its name re-created) while the COPY streamed in.
    if (this.ctx.target(this.relation).id !== this.staged.relationId) {
      throw new SqlError(SQLSTATE.undefined_table, `relation "${this.relation}" was dropped during the COPY`);
    }
    const write = (onDurable?: () => void): Promise<bigint> => this.staged.commit(onDurable);
    await (this.ctx.fault === null ? write() : this.ctx.fault.write(write));
    (await this.ctx.watermarks.of(this.staged.relationId, this.def))?.reached(this.watermark);
    this.ctx.streamRows.appended(this.staged.relationId, this.rows);
    return this.rows;
  }

  /** Deletes what was staged; a no-op once commit() has started. */
  discard(): Promise<void> {
    return this.staged.discard();
  }
}
