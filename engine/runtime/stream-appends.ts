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
// Commit delay (PostgreSQL's commit_delay and commit_siblings, measured in statements rather than microseconds).
// Each session has at most one statement in flight, so the statements a write carried and those that waited for it
// came from that many different sessions: the stream's recent writers. Over TCP, sessions acknowledged by one write
// come back while the next write is on disk, so without a delay they settle into two groups taking turns and a write
// carries about half of them. So after a write, when it and the statements waiting for it number two or more, the
// next write is held until as many statements wait as there were (every recent writer is back) or as long as the last
// write took has passed (between Node's shortest timer, 1 ms, and 5 ms). Holding a write back no longer than a write
// takes costs the statements already waiting at most what the latecomers would otherwise wait for a write of their
// own; a writer that went away costs one such delay, and the next count is smaller. A lone writer never waits: one
// statement written and nothing waiting is not a reason to hold anything back. The wait is a timer and the arrivals
// themselves, not a spinning loop, so the clients keep the CPU they need to send their next statement.
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

/** How long a write may be held back for the recent writers: as long as the last write took, within these bounds. */
export interface GatherBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * At least Node's shortest timer (a synced write on a quiet machine takes ~0.4 ms, and a client's round trip on the
 * same host about as long); at most 5 ms, so a slow disk never adds more than that to a statement.
 */
const GATHER_BOUNDS: GatherBounds = { minMs: 1, maxMs: 5 };

interface WaitingInsert {
  readonly batch: RecordBatch;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** One stream's statements waiting for the append in flight to be durable, or for the recent writers to be back. */
interface StreamQueue {
  readonly id: number;
  readonly def: StreamDef;
  readonly waiting: WaitingInsert[];
  /** While the next write is held back: how many statements it waits for, and how to end the wait. */
  gathering: { readonly statements: number; readonly end: () => void } | null;
}

export class StreamAppends {
  /** Streams with an append in flight or held back; a stream's queue goes once nothing waits and nothing is written. */
  private readonly writing = new Map<number, StreamQueue>();

  /** `gatherBounds`: tests make the wait for recent writers long or short. */
  constructor(private readonly ctx: CommitContext, private readonly gatherBounds = GATHER_BOUNDS) {}

  /** Checks `batch` (at least one row) against the stream; resolves once its rows are durable in the stream's log. */
  append(target: WriteTarget, batch: RecordBatch): Promise<void> {
    if (target.table !== null) throw new TypeError(`shared appends go into streams; "${target.def.name}" is a table`);
    checkBatch(target.def, batch);
    return new Promise<void>((resolve, reject) => {
      const queued = this.writing.get(target.id);
      if (queued !== undefined) {
        queued.waiting.push({ batch, resolve, reject });
        if (queued.gathering !== null && gathered(queued.waiting, queued.gathering.statements)) queued.gathering.end();
        return;
      }
      const queue: StreamQueue = {
        id: target.id, def: target.def as StreamDef, waiting: [{ batch, resolve, reject }], gathering: null,
      };
      this.writing.set(target.id, queue);
      // A microtask, as in storage's group commit: INSERTs made in the same turn of the event loop share the first
      // entry too, and a lone INSERT waits for nothing.
      queueMicrotask(() => void this.writeWhileWaiting(queue));
    });
  }

  /**
   * Writes the queue's statements, as many per entry as have gathered, until none is left, holding each write back
   * for the recent writers (the header). Never rejects.
   */
  private async writeWhileWaiting(queue: StreamQueue): Promise<void> {
    let recentWriters = 0;
    let lastWriteMs = 0;
    for (;;) {
      if (recentWriters >= 2 && !gathered(queue.waiting, recentWriters)) {
        const { minMs, maxMs } = this.gatherBounds;
        await gather(queue, recentWriters, Math.min(maxMs, Math.max(minMs, lastWriteMs)));
      }
      if (queue.waiting.length === 0) break;
      const group = takeGroup(queue.waiting);
      try {
        const started = performance.now();
        await this.writeEntry(queue, group.map((w) => w.batch));
        lastWriteMs = performance.now() - started;
        for (const w of group) w.resolve();
        recentWriters = group.length + queue.waiting.length;
      } catch (e) {
        for (const w of group) w.reject(e);
        recentWriters = 0;
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
    const clock = await this.ctx.watermarks.of(queue.id, queue.def);
    const watermark = clock?.after(rows);
    const entry = encodeStreamEntry(queue.def, rows, BigInt(Date.now()) * 1000n, watermark);
    const write = (onDurable?: () => void): Promise<bigint[]> =>
      this.ctx.store.appendAtomically([{ relationId: queue.id, entry }], onDurable);
    await (this.ctx.fault === null ? write() : this.ctx.fault.write(write));
    clock?.reached(watermark);
    this.ctx.streamRows.appended(queue.id, rows.numRows);
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

/** Whether the next write need wait no longer: `statements` wait, or they fill a shared entry already. */
function gathered(waiting: readonly WaitingInsert[], statements: number): boolean {
  if (waiting.length >= statements) return true;
  let rows = 0;
  for (const w of waiting) rows += w.batch.numRows;
  return rows >= MAX_SHARED_ROWS;
}

/** Resolves once `statements` wait in the queue (append() ends the wait) or `deadlineMs` has passed. */
function gather(queue: StreamQueue, statements: number, deadlineMs: number): Promise<void> {
  const until = performance.now() + deadlineMs;
  return new Promise<void>((resolve) => {
    const end = (): void => {
      clearTimeout(timer);
      queue.gathering = null;
      resolve();
    };
    // A timer counts from the time the event loop turn started, so it can fire early; it is set again until the
    // deadline has really passed.
    const expire = (): void => {
      if (performance.now() >= until) end();
      else timer = setTimeout(expire, until - performance.now());
    };
    let timer = setTimeout(expire, deadlineMs);
    queue.gathering = { statements, end };
  });
}
