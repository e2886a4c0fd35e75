// Deletes the log entries of streams that every reader (query, sink, live SUBSCRIBE) has consumed, so a stream's log does not grow without bound.
// Streams with `retention` keep their log for SELECT; table and query logs are kept whole, because a new query over
// a table or query replays its log from the start to learn its current contents.
//
// A reader asks for a trim after each epoch it commits. With many queries over one stream, hundreds of epochs commit
// in the same group-commit write; trimming once per request would cost readers × readers per trigger interval. So
// requests are collected and served by one pass at a time, which starts on the next turn of the event loop (after
// every epoch committed by the same write has asked) and trims each requested stream once.

import type { RelationStore } from '../catalog';
import { toSqlError } from '../errors';

export interface StreamTrimmerLog {
  error(msg: string, fields?: Record<string, unknown>): void;
}

export class StreamTrimmer {
  private readonly requested = new Set<string>();
  /**
   * Stream id → the id of the reader found furthest behind by the last trim. While it has not passed the first entry
   * still stored, nothing can be trimmed, and the next trim knows it without a walk over every reader: with a
   * thousand readers, each group of committed epochs asked for a walk over all of them.
   */
  private readonly heldBackBy = new Map<number, number>();
  private pass: Promise<void> | null = null;

  constructor(
    private readonly store: RelationStore,
    /** Names of the queries and sinks reading a relation. */
    private readonly readersOf: (name: string) => readonly string[],
    private readonly log: StreamTrimmerLog,
    /** The last log entry the live subscriptions of a relation have read (they are readers too); undefined: none. */
    private readonly pinnedBy: (relationId: number) => bigint | undefined = () => undefined,
  ) {}

  /** Asks for the logs of `names` to be trimmed soon; streams without retention are, the rest are ignored. */
  request(names: readonly string[]): void {
    for (const name of names) this.requested.add(name);
    this.pass ??= this.run();
  }

  /** Resolves once no trim is running or requested (before the store closes). */
  async idle(): Promise<void> {
    while (this.pass !== null) await this.pass;
  }

  private async run(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.requested.size > 0) {
      const names = [...this.requested];
      this.requested.clear();
      for (const name of names) {
        await this.trim(name).catch((e: unknown) => {
          this.log.error('trimming a stream log failed', { stream: name, error: toSqlError(e).message });
        });
      }
    }
    this.pass = null;
  }

  /** Trims `name`'s log up to the lowest committed offset of its readers: an entry goes once every reader passed it. */
  private async trim(name: string): Promise<void> {
    const stored = this.store.getDef(name);
    if (!stored || stored.def.kind !== 'stream' || stored.def.options.retention) return;
    const stream = stored.id;
    const first = this.store.firstSeq(stream);
    let upTo = this.store.lastSeq(stream);
    if (upTo < first) return; // nothing left to delete: spare the walk over the readers
    // The reader that held the last trim back, if it still has not passed the first entry, holds this one back too.
    const lastHeldBy = this.heldBackBy.get(stream);
    if (lastHeldBy !== undefined && this.isBehind(lastHeldBy, stream, first)) return;
    let heldBy: number | undefined;
    for (const reader of this.readersOf(name)) {
      const id = this.store.getDef(reader)?.id;
      const offset = id === undefined ? undefined : this.store.queryOffsets(id)[stream];
      if (offset === undefined) {
        // A reader that has not committed yet may still need everything.
        if (id === undefined) this.heldBackBy.delete(stream);
        else this.heldBackBy.set(stream, id);
        return;
      }
      // Of equal offsets the later reader is kept: epochs run in about reader order, so it moves last.
      if (offset <= upTo) {
        upTo = offset;
        heldBy = id;
      }
    }
    const pinned = this.pinnedBy(stream);
    if (pinned !== undefined && pinned < upTo) upTo = pinned;
    if (heldBy === undefined) this.heldBackBy.delete(stream);
    else this.heldBackBy.set(stream, heldBy);
    if (upTo >= first) await this.store.trimLog(stream, upTo);
  }

  /**
   * Whether the reader `readerId` still needs entry `first` of `stream`. Ids are never reused and a reader's inputs
   * never change, so a reader still in the catalog still reads the stream; a dropped one needs nothing.
   */
  private isBehind(readerId: number, stream: number, first: bigint): boolean {
    if (this.store.getDefById(readerId) === undefined) return false;
    const offset = this.store.queryOffsets(readerId)[stream];
    return offset === undefined || offset < first;
  }
}
