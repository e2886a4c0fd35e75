// INSERTs into a stream outside a transaction block share log entries. A stream has at most one append being written
// at a time; the statements that arrive meanwhile wait, and when it is durable all of them go into the stream's log
// as ONE entry in ONE synced write: one encoding, one put and one wake-up of the stream's readers for all of them,
// rather than one each. Appends to one log are serialized by storage anyway (group commit writes one batch at a time,
// in order), so waiting here costs a statement nothing it would not have waited for there.
//
// What each statement is promised stays as it was: its rows are checked alone before they join (a bad row fails
// only its own statement), all of its rows are in the one shared entry, and it is acknowledged only once that entry
// is durable. A failed write fails every statement in it, each having written nothing.
//
// Tables do not come here: their primary keys are checked under the table's write lock (commit.ts).

import type { RecordBatch } from 'apache-arrow';
import type { StreamDef } from '../catalog';
import { concatBatches } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import { type CommitContext, encodeStreamEntry, type WriteTarget } from './commit';
import { checkBatch } from './row-checks';

/**
 * A shared entry stops gathering statements past this many rows (one statement may exceed it alone), so that
 * sharing never builds a log entry much larger than a COPY's staged chunks.
 */
const MAX_SHARED_ROWS = 65_536;

interface WaitingInsert {
  readonly batch: RecordBatch;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** One stream's statements waiting for the append in flight to be durable. */
interface StreamQueue {
  readonly id: number;
  readonly def: StreamDef;
  readonly waiting: WaitingInsert[];
}

export class StreamAppends {
  /** Streams with an append in flight; a stream's queue goes once nothing waits and nothing is being written. */
  private readonly writing = new Map<number, StreamQueue>();

  constructor(private readonly ctx: CommitContext) {}

  /** Checks `batch` (at least one row) against the stream; resolves once its rows are durable in the stream's log. */
  append(target: WriteTarget, batch: RecordBatch): Promise<void> {
    if (target.table !== null) throw new TypeError(`shared appends go into streams; "${target.def.name}" is a table`);
    checkBatch(target.def, batch);
    return new Promise<void>((resolve, reject) => {
      const queued = this.writing.get(target.id);
      if (queued !== undefined) {
        queued.waiting.push({ batch, resolve, reject });
        return;
      }
      const queue: StreamQueue = { id: target.id, def: target.def as StreamDef, waiting: [{ batch, resolve, reject }] };
      this.writing.set(target.id, queue);
      // A microtask, as in storage's group commit: INSERTs made in the same turn of the event loop share the first
      // entry too, and a lone INSERT waits for nothing.
      queueMicrotask(() => void this.writeWhileWaiting(queue));
    });
  }

  /** Writes the queue's statements, as many per entry as have gathered, until none is left. Never rejects. */
  private async writeWhileWaiting(queue: StreamQueue): Promise<void> {
    while (queue.waiting.length > 0) {
      const group = takeGroup(queue.waiting);
      try {
        await this.writeEntry(queue, group.map((w) => w.batch));
        for (const w of group) w.resolve();
      } catch (e) {
        for (const w of group) w.reject(e);
      }
    }
    this.writing.delete(queue.id);
  }

  private async writeEntry(queue: StreamQueue, batches: readonly RecordBatch[]): Promise<void> {
    // The stream may have been dropped (and its name taken again) while these statements waited.
    if (this.ctx.target(queue.def.name).id !== queue.id) {
      throw new SqlError(SQLSTATE.undefined_table, `relation "${queue.def.name}" does not exist`);
    }
    const rows = concatBatches(queue.def.columns, batches);
    const entry = encodeStreamEntry(queue.def, rows, BigInt(Date.now()) * 1000n);
    const write = (onDurable?: () => void): Promise<bigint[]> =>
      this.ctx.store.appendAtomically([{ relationId: queue.id, entry }], onDurable);
    await (this.ctx.fault === null ? write() : this.ctx.fault.write(write));
  }
}

/** The first waiting statements, up to MAX_SHARED_ROWS rows (at least one statement), taken off the queue. */
function takeGroup(waiting: WaitingInsert[]): WaitingInsert[] {
  let take = 0;
  let rows = 0;
  while (take < waiting.length && (take === 0 || rows + waiting[take].batch.numRows <= MAX_SHARED_ROWS)) {
    rows += waiting[take].batch.numRows;
    take++;
  }
  return waiting.splice(0, take);
}
