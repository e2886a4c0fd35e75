// How long a continuous query's own change log keeps an entry after it committed: the window within which a SUBSCRIBE
// (or an HTTP /changes EventSource reconnecting with Last-Event-ID) resumes with from_epoch after a dropped
// connection. Readers hold entries past it (stream-trimmer.ts); this file says which entries are that old.
//
// The log itself does not say when an entry committed, so the times are noted in memory as entries become durable.
// Entries from before this process started count as committed at its start: a restart never shortens the window.

import type { RelationStore } from '../catalog';

/** The default window, in milliseconds: long enough for a client to reconnect, short enough to keep the log small. */
export const DEFAULT_RESULT_LOG_RETENTION_MS = 60_000;

interface Appended {
  readonly seq: bigint;
  readonly at: number;
}

export class ResultLogRetention {
  /** Query id → its entries' commit times not yet past the window, oldest first. */
  private readonly appended = new Map<number, Appended[]>();
  /** Query id → the last entry found past the window (a reader may still hold it, so it is kept until trimmed). */
  private readonly expired = new Map<number, bigint>();
  private readonly stopWatching: () => void;

  constructor(private readonly store: RelationStore, readonly retentionMs: number, now = Date.now()) {
    for (const s of store.listDefs()) {
      if (s.def.kind === 'query') this.appended.set(s.id, [{ seq: store.lastSeq(s.id), at: now }]);
    }
    this.stopWatching = store.onLogAppend((id, lastSeq) => this.noteAppend(id, lastSeq));
  }

  /** The last entry of query `id`'s log that committed longer than the window ago (first - 1: none). */
  expiredUpTo(id: number, now = Date.now()): bigint {
    const entries = this.appended.get(id) ?? [];
    let upTo = this.expired.get(id) ?? 0n;
    const cutoff = now - this.retentionMs;
    while (entries.length > 0 && entries[0].at < cutoff) upTo = entries.shift()!.seq;
    this.expired.set(id, upTo);
    const first = this.store.firstSeq(id);
    return upTo >= first ? upTo : first - 1n;
  }

  /** A query was dropped. */
  forget(id: number): void {
    this.appended.delete(id);
    this.expired.delete(id);
  }

  close(): void {
    this.stopWatching();
  }

  private noteAppend(id: number, seq: bigint): void {
    if (this.store.getDefById(id)?.def.kind !== 'query') return;
    let entries = this.appended.get(id);
    if (entries === undefined) this.appended.set(id, (entries = []));
    entries.push({ seq, at: Date.now() });
  }
}
