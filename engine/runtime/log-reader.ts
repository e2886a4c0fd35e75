// Reads relation logs as change batches, decoding each log entry once for all its readers. With thousands of
// continuous queries over one stream, every query reads the same new entry in the same trigger interval; decoding
// it (Arrow IPC → RecordBatch) once per query was most of an epoch's cost. So the runtime holds one LogReader, and
// the first reader of an entry decodes it while the others get the very same ChangeBatch.
//
// Once one reader has read a whole entry, the reader also knows how many parts (staged COPY chunks) it has; a later
// reader whose whole range is kept is served from memory without opening a LevelDB iterator at all (one iterator per
// query per epoch was the next largest cost of an epoch over one new row). Readers asking for a range while the same
// range is being read from the store (all the queries woken by one append) wait for that read to end, then take it
// from memory; if it was not kept (too large, or the read stopped early) each reads the store for itself.
//
// Sharing is safe because a ChangeBatch is never changed once made: operators build new batches (slice, selectAt,
// take) and never write into an input's columns or weights. A cached entry stays correct for the life of the
// process: relation ids are never reused, and an entry's seq and bytes never change once it is visible. Only entries
// up to the end the caller asks for are served, and callers ask only up to a log's durable end.
//
// The cache is bounded by the encoded bytes it keeps (the decoded batch's columns are views of those bytes), least
// recently read out first, so a big COPY's entries pass through it rather than pile up; an entry larger than the
// whole bound is decoded for its reader and not kept. An entry also goes once every reader of its relation has read
// it (each reads an entry once): a stream with one query keeps nothing, where a 1 M-row COPY's entries used to stay
// (32 MB of them, the whole copy-agg input, until other entries pushed them out).

import type { ChangeBatch } from '../batch';
import type { RelationStore } from '../catalog';
import { decodeChangeBatch } from '../codecs/change-batch';

/** Encoded bytes of decoded entries kept for other readers. */
export const DECODED_ENTRY_BUDGET_BYTES = 64 * 1024 * 1024;

/** A range longer than this many entries is read from the store even when kept: checking it would cost as much. */
const MEMORY_RANGE_MAX_ENTRIES = 1024n;

interface CachedPart {
  readonly batch: ChangeBatch;
  readonly bytes: number;
  /** Readers of the relation that have not read the entry yet. */
  readsLeft: number;
}

export class LogReader {
  /** Decoded parts by "relation id/seq/part"; a Map iterates in insertion order, so the first key is the LRU. */
  private readonly parts = new Map<string, CachedPart>();
  /** How many parts each whole-read entry has, by "relation id/seq"; dropped when one of its parts goes out. */
  private readonly partCounts = new Map<string, number>();
  private keptBytes = 0;
  /** Ranges ("relation id/from/to") being read from the store now, resolved when that read ends. */
  private readonly rangesBeingRead = new Map<string, Promise<void>>();

  /** How many ranges were read from the store rather than from memory; tests use it to see the memory path taken. */
  storeReads = 0;

  constructor(
    private readonly store: RelationStore,
    private readonly budgetBytes: number = DECODED_ENTRY_BUDGET_BYTES,
    /** How many readers read a relation's log through this reader; unknown (kept for the budget only) by default. */
    private readonly readersOf: (relationId: number) => number = () => Infinity,
  ) {}

  /** The change batches of `relationId`'s log after `fromSeq` up to `toSeq` (inclusive), in log order. */
  async *changes(relationId: number, fromSeq: bigint, toSeq: bigint): AsyncGenerator<ChangeBatch> {
    // Entries at or below the trim floor are gone: the store would skip them too.
    const floor = this.store.firstSeq(relationId) - 1n;
    const from = fromSeq > floor ? fromSeq : floor;
    const range = `${relationId}/${from}/${toSeq}`;
    // Readers woken by the same append ask for the same range at once: they wait for the first one's read to end.
    const earlier = this.rangesBeingRead.get(range);
    if (earlier !== undefined) await earlier;
    const kept = this.keptRange(relationId, from, toSeq);
    if (kept !== null) {
      yield* kept;
      return;
    }
    if (this.rangesBeingRead.has(range)) {
      yield* this.readFromStore(relationId, from, toSeq);
      return;
    }
    let readEnded = (): void => {};
    this.rangesBeingRead.set(range, new Promise<void>((resolve) => (readEnded = resolve)));
    try {
      yield* this.readFromStore(relationId, from, toSeq);
    } finally {
      // Also when the read failed or its reader stopped early: the waiting readers then read for themselves.
      this.rangesBeingRead.delete(range);
      readEnded();
    }
  }

  private async *readFromStore(relationId: number, from: bigint, to: bigint): AsyncGenerator<ChangeBatch> {
    this.storeReads++;
    let seq: bigint | null = null;
    let partsOfSeq = 0;
    for await (const entry of this.store.readLog(relationId, from, to)) {
      if (entry.seq !== seq) {
        // The previous entry's last part has been read: it is whole.
        if (seq !== null) this.noteWhole(relationId, seq, partsOfSeq);
        seq = entry.seq;
        partsOfSeq = 0;
      }
      partsOfSeq++;
      yield this.decoded(relationId, `${relationId}/${entry.seq}/${entry.part}`, entry.bytes);
    }
    // Reached only when the read ran to its end, so the last entry is whole too.
    if (seq !== null) this.noteWhole(relationId, seq, partsOfSeq);
  }

  /** Encoded bytes of the entries kept now (never more than the budget). */
  get bytesKept(): number {
    return this.keptBytes;
  }

  /** Every part of (from, to] if all of them are kept, in log order (each becomes the most recently used); else null. */
  private keptRange(relationId: number, from: bigint, to: bigint): ChangeBatch[] | null {
    if (to <= from || to - from > MEMORY_RANGE_MAX_ENTRIES) return null;
    const keys: string[] = [];
    for (let seq = from + 1n; seq <= to; seq++) {
      const count = this.partCounts.get(`${relationId}/${seq}`);
      if (count === undefined) return null;
      for (let part = 0; part < count; part++) {
        const key = `${relationId}/${seq}/${part}`;
        if (!this.parts.has(key)) return null;
        keys.push(key);
      }
    }
    return keys.map((key) => this.touch(key, this.parts.get(key)!));
  }

  private noteWhole(relationId: number, seq: bigint, parts: number): void {
    const entry = `${relationId}/${seq}`;
    for (let part = 0; part < parts; part++) if (!this.parts.has(`${entry}/${part}`)) return;
    this.partCounts.set(entry, parts);
  }

  private decoded(relationId: number, key: string, bytes: Uint8Array): ChangeBatch {
    const hit = this.parts.get(key);
    if (hit !== undefined) return this.touch(key, hit);
    const batch = decodeChangeBatch(bytes);
    const readsLeft = this.readersOf(relationId) - 1;
    if (readsLeft <= 0 || bytes.byteLength > this.budgetBytes) return batch;
    this.parts.set(key, { batch, bytes: bytes.byteLength, readsLeft });
    this.keptBytes += bytes.byteLength;
    for (const [oldest, part] of this.parts) {
      if (this.keptBytes <= this.budgetBytes) break;
      this.parts.delete(oldest);
      this.partCounts.delete(oldest.slice(0, oldest.lastIndexOf('/')));
      this.keptBytes -= part.bytes;
    }
    return batch;
  }

  /** Read again: the part becomes the most recently used, unless this was its last reader. */
  private touch(key: string, part: CachedPart): ChangeBatch {
    this.parts.delete(key);
    if (--part.readsLeft > 0) {
      this.parts.set(key, part);
    } else {
      this.keptBytes -= part.bytes;
      this.partCounts.delete(key.slice(0, key.lastIndexOf('/')));
    }
    return part.batch;
  }
}
