// Deletes the log entries of streams that every reader (query, sink, live SUBSCRIBE) has consumed, so a stream's log does not grow without bound.
// A stream with `retention` keeps a consumed entry until it is older than the retention too (stream-retention.ts),
// and is looked at on a timer as well, so its log shrinks while nothing is appended. Table and query logs are kept
// whole, because a new query over a table or query replays its log from the start to learn its current contents.
//
// A reader asks for a trim after each epoch it commits. With many queries over one stream, hundreds of epochs commit
// in the same group-commit write; trimming once per request would cost readers × readers per trigger interval. So
// requests are collected and served by one pass at a time, which starts on the next turn of the event loop (after
// every epoch committed by the same write has asked) and trims each requested stream once.

import type { RelationStore, StreamDef } from '../catalog';
import { toSqlError } from '../errors';
import { retentionCheckMs, retentionMicros, StreamRetention } from './stream-retention';

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
  private readonly retention: StreamRetention;
  /** Stream id → the timer that looks at a stream with retention again while its log holds entries. */
  private readonly retentionTimers = new Map<number, NodeJS.Timeout>();
  private readonly stopWatchingAppends: () => void;
  private closed = false;

  constructor(
    private readonly store: RelationStore,
    /** Names of the queries and sinks reading a relation. */
    private readonly readersOf: (name: string) => readonly string[],
    private readonly log: StreamTrimmerLog,
    /** The last log entry the live subscriptions of a relation have read (they are readers too); undefined: none. */
    private readonly pinnedBy: (relationId: number) => bigint | undefined = () => undefined,
  ) {
    this.retention = new StreamRetention(store);
    // The first entry into a stream with retention starts its timer; the timer keeps itself going while entries stay.
    this.stopWatchingAppends = store.onLogAppend((id) => this.watchRetention(id));
  }

  /** Asks for the logs of `names` to be trimmed soon; streams are, the rest are ignored. */
  request(names: readonly string[]): void {
    if (this.closed) return;
    for (const name of names) this.requested.add(name);
    this.pass ??= this.run();
  }

  /**
   * Trims every stream with retention and starts the timers of those whose logs hold entries: at startup, once every
   * reader is known, for the entries stored before (later entries start their stream's timer as they are appended).
   */
  watchRetainedStreams(): void {
    const retained = this.store.listDefs().filter((s) => s.def.kind === 'stream' && s.def.options.retention);
    for (const s of retained) this.watchRetention(s.id);
    this.request(retained.map((s) => s.def.name));
  }

  /** Stops the timers and resolves once no trim is running (before the store closes); later requests are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchingAppends();
    for (const timer of this.retentionTimers.values()) clearTimeout(timer);
    this.retentionTimers.clear();
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

  /**
   * Trims `name`'s log up to the lowest committed offset of its readers: an entry goes once every reader passed it
   * and, with retention, once it is older than the retention.
   */
  private async trim(name: string): Promise<void> {
    const stored = this.store.getDef(name);
    if (!stored || stored.def.kind !== 'stream') return;
    const retention = retentionMicros(stored.def);
    const consumed = this.consumedUpTo(name, stored.id);
    if (consumed === null) return;
    let upTo = consumed;
    if (retention !== null) {
      const cutoff = Date.now() * 1000 - retention;
      const expired = await this.retention.expiredUpTo(stored.id, stored.def.columns.length, this.store.firstSeq(stored.id), upTo, cutoff);
      upTo = expired.upTo;
      if (expired.more) this.requested.add(name);
    }
    if (upTo >= this.store.firstSeq(stored.id)) await this.store.trimLog(stored.id, upTo);
  }

  /** The last entry of stream `name` that every reader and live subscription has consumed; null: none to delete. */
  private consumedUpTo(name: string, stream: number): bigint | null {
    const first = this.store.firstSeq(stream);
    let upTo = this.store.lastSeq(stream);
    if (upTo < first) return null; // nothing left to delete: spare the walk over the readers
    // The reader that held the last trim back, if it still has not passed the first entry, holds this one back too.
    const lastHeldBy = this.heldBackBy.get(stream);
    if (lastHeldBy !== undefined && this.isBehind(lastHeldBy, stream, first)) return null;
    let heldBy: number | undefined;
    for (const reader of this.readersOf(name)) {
      const id = this.store.getDef(reader)?.id;
      const offset = id === undefined ? undefined : this.store.queryOffsets(id)[stream];
      if (offset === undefined) {
        // A reader that has not committed yet may still need everything.
        if (id === undefined) this.heldBackBy.delete(stream);
        else this.heldBackBy.set(stream, id);
        return null;
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
    return upTo >= first ? upTo : null;
  }

  /**
   * While the log of stream `id` holds entries and it has retention, asks for a trim every retentionCheckMs: its
   * entries expire with time, when no reader commits and nothing is appended. Unref'd, so it keeps no process alive.
   */
  private watchRetention(id: number): void {
    if (this.retentionTimers.has(id)) return;
    const stored = this.store.getDefById(id);
    if (this.closed || stored === undefined) {
      this.retention.forget(id);
      return;
    }
    if (stored.def.kind !== 'stream') return;
    const retention = retentionMicros(stored.def as StreamDef);
    if (retention === null || this.store.firstSeq(id) > this.store.lastSeq(id)) return;
    const timer = setTimeout(() => {
      this.retentionTimers.delete(id);
      if (this.store.getDefById(id) !== undefined) this.request([stored.def.name]);
      this.watchRetention(id);
    }, retentionCheckMs(retention));
    timer.unref();
    this.retentionTimers.set(id, timer);
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
