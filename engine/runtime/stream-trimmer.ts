// Deletes the log entries that every reader (query, sink, live SUBSCRIBE) has consumed, so a log does not grow
// without bound: a stream's, and a continuous query's own result log (its changes, which downstream queries, sinks
// and SUBSCRIBE read). A stream with `retention` keeps a consumed entry until it is older than the retention too
// (stream-retention.ts), and is looked at on a timer as well, so its log shrinks while nothing is appended. A query's
// log keeps an entry for a short window after it committed (result-log-retention.ts), so a dropped subscriber can
// resume with from_epoch; a query whose result is its log (append-only, result-set.ts) keeps its log whole. Table
// logs are kept whole, because a new query over a table replays its log from the start to learn its contents (a new
// query over a keyed query starts from that query's result instead of its log: query-runner.ts).
//
// A reader asks for a trim after each epoch it commits. With many queries over one stream, hundreds of epochs commit
// in the same group-commit write; trimming once per request would cost readers × readers per trigger interval. So
// requests are collected and served by one pass at a time, which starts on the next turn of the event loop (after
// every epoch committed by the same write has asked) and trims each requested log once.

import type { RelationStore, StreamDef } from '../catalog';
import { toSqlError } from '../errors';
import { retentionCheckMs, retentionMicros, StreamRetention } from './stream-retention';
import { ResultLogRetention } from './result-log-retention';

export interface StreamTrimmerLog {
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What the trimmer needs to know of the continuous queries whose own logs it trims. */
export interface ResultLogs {
  /**
   * The last entry of query `id`'s log that may be trimmed (what its visible result includes); null: none, while its
   * result is its log or it is not running here.
   */
  trimmableUpTo(id: number): bigint | null;
  /** Every change of query `id` up to `epoch` has been trimmed: from_epoch must be at least that. */
  trimmed(id: number, epoch: number): void;
  /** How long an entry stays after it committed, in milliseconds. */
  readonly retentionMs: number;
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
  private readonly resultRetention: ResultLogRetention | null;
  /** Stream id → the timer that looks at a stream with retention again while its log holds entries. */
  private readonly retentionTimers = new Map<number, NodeJS.Timeout>();
  private readonly stopWatchingAppends: () => void;
  private closed = false;

  constructor(
    private readonly store: RelationStore,
    /** Names of the queries and sinks reading a relation. */
    private readonly readersOf: (name: string) => readonly string[],
    private readonly log: StreamTrimmerLog,
    /**
     * The last epoch the live subscriptions of a relation have sent whole (they are readers too); undefined: none.
     * A stream's epoch is a log entry; a query's, one of its epochs.
     */
    private readonly pinnedBy: (relationId: number) => bigint | undefined = () => undefined,
    private readonly results: ResultLogs | null = null,
  ) {
    this.retention = new StreamRetention(store);
    this.resultRetention = results === null ? null : new ResultLogRetention(store, results.retentionMs);
    // The first entry into a stream with retention starts its timer; the timer keeps itself going while entries stay.
    this.stopWatchingAppends = store.onLogAppend((id) => this.watchRetention(id));
  }

  /** Asks for the logs of `names` to be trimmed soon; streams and queries are, the rest are ignored. */
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
    this.resultRetention?.close();
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
    if (stored?.def.kind === 'query') return this.trimResultLog(name, stored.id);
    if (!stored || stored.def.kind !== 'stream') return;
    const retention = retentionMicros(stored.def);
    const consumed = this.consumedUpTo(name, stored.id);
    if (consumed === null) return;
    const pinned = this.pinnedBy(stored.id);
    let upTo = pinned !== undefined && pinned < consumed ? pinned : consumed;
    if (retention !== null) {
      const cutoff = Date.now() * 1000 - retention;
      const expired = await this.retention.expiredUpTo(stored.id, stored.def.columns.length, this.store.firstSeq(stored.id), upTo, cutoff);
      upTo = expired.upTo;
      if (expired.more) this.requested.add(name);
    }
    if (upTo >= this.store.firstSeq(stored.id)) await this.store.trimLog(stored.id, upTo);
  }

  /**
   * Trims query `name`'s own log up to what its readers have consumed, its live subscriptions have sent (their
   * epochs are the query's: the entry of the last epoch sent whole may go) and the retention window has passed.
   */
  private async trimResultLog(name: string, id: number): Promise<void> {
    if (this.results === null || this.resultRetention === null) return;
    // First, for every query: it also lets go of the times of entries an append-only query keeps anyway.
    const expired = this.resultRetention.expiredUpTo(id);
    const limit = this.results.trimmableUpTo(id);
    if (limit === null) return;
    let upTo = this.consumedUpTo(name, id);
    if (upTo === null) return;
    if (limit < upTo) upTo = limit;
    if (expired < upTo) upTo = expired;
    const pinned = this.pinnedBy(id);
    if (pinned !== undefined) {
      const sent = pinned < 1n ? null : await this.store.queryEntryUpTo(id, Number(pinned));
      const pinnedSeq = sent ?? this.store.firstSeq(id) - 1n;
      if (pinnedSeq < upTo) upTo = pinnedSeq;
    }
    if (upTo < this.store.firstSeq(id)) return;
    const epoch = await this.store.trimQueryLog(id, upTo);
    if (epoch !== null) this.results.trimmed(id, epoch);
  }

  /** The last entry of log `name` that every reader (query, sink) has consumed; null: none to delete. */
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
      this.resultRetention?.forget(id);
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
