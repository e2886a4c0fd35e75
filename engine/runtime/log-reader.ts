// Reads relation logs as change batches, decoding each log entry once for all its readers. With thousands of
// continuous queries over one stream, every query reads the same new entry in the same trigger interval; decoding
// it (Arrow IPC → RecordBatch) once per query was most of an epoch's cost. So the runtime holds one LogReader, and
// the first reader of an entry decodes it while the others get the very same ChangeBatch.
//
// Sharing is safe because a ChangeBatch is never changed once made: operators build new batches (slice, selectAt,
// take) and never write into an input's columns or weights. A cached entry stays correct for the life of the
// process: relation ids are never reused, and an entry's seq and bytes never change once it is visible.
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

interface CachedEntry {
  readonly batch: ChangeBatch;
  readonly bytes: number;
  /** Readers of the relation that have not read the entry yet. */
  readsLeft: number;
}

export class LogReader {
  /** Decoded entries by "relation id/seq/part"; a Map iterates in insertion order, so the first key is the LRU. */
  private readonly entries = new Map<string, CachedEntry>();
  private keptBytes = 0;

  constructor(
    private readonly store: RelationStore,
    private readonly budgetBytes: number = DECODED_ENTRY_BUDGET_BYTES,
    /** How many readers read a relation's log through this reader; unknown (kept for the budget only) by default. */
    private readonly readersOf: (relationId: number) => number = () => Infinity,
  ) {}

  /** The change batches of `relationId`'s log after `fromSeq` up to `toSeq` (inclusive), in log order. */
  async *changes(relationId: number, fromSeq: bigint, toSeq: bigint): AsyncGenerator<ChangeBatch> {
    for await (const entry of this.store.readLog(relationId, fromSeq, toSeq)) {
      yield this.decoded(relationId, `${relationId}/${entry.seq}/${entry.part}`, entry.bytes);
    }
  }

  /** Encoded bytes of the entries kept now (never more than the budget). */
  get bytesKept(): number {
    return this.keptBytes;
  }

  private decoded(relationId: number, key: string, bytes: Uint8Array): ChangeBatch {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Read again: it becomes the most recently used, unless this was its last reader.
      this.entries.delete(key);
      if (--hit.readsLeft > 0) this.entries.set(key, hit);
      else this.keptBytes -= hit.bytes;
      return hit.batch;
    }
    const batch = decodeChangeBatch(bytes);
    const readsLeft = this.readersOf(relationId) - 1;
    if (readsLeft <= 0 || bytes.byteLength > this.budgetBytes) return batch;
    this.entries.set(key, { batch, bytes: bytes.byteLength, readsLeft });
    this.keptBytes += bytes.byteLength;
    for (const [oldest, entry] of this.entries) {
      if (this.keptBytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.keptBytes -= entry.bytes;
    }
    return batch;
  }
}
