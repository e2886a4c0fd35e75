// Staged log entries: a big COPY written to disk while it streams in, yet visible all at once or never.
//
// Each chunk (one encoded change batch) is put under [STAGED][relation][stage][chunk] as soon as it is decoded,
// unsynced and under no log sequence number, so no reader can see it and the COPY holds none of it in memory. The
// commit is one small synced write: the relation's next log entry, a reference to the stage's chunks (log-values.ts),
// and the stage's commit mark ([STAGED][relation][stage] → seq) beside them. Readers expand the reference in chunk
// order (logs.ts read).
//
// Whatever has no commit mark is staging nobody will commit: discard() deletes it at once (a failed COPY, CopyFail, a
// client gone), and recover() deletes what a crash left behind. LevelDB applies writes in order and a crash loses
// only a tail of the unsynced ones, so a chunk on disk after a crash is either marked or an orphan, never half of a
// commit. A committed stage lives as long as its log entry: trimming the entry deletes its mark and chunks.

import { type StoreContext, deleteRange, get, put, scanKeys } from './db-io';
import { StorageError, internalError } from './errors';
import type { LogPart } from './logs';
import { NS, keyRelationId, namespaceRange, prefixRange, stageKey, stagedChunkKey, trailingU64 } from './keys';

/** One log entry being staged; made by Store.stageLogEntry. */
export interface StagedLogEntry {
  readonly relationId: number;
  /** How many chunks are staged so far. */
  readonly chunks: number;
  /** Stages one chunk (unsynced); the chunks become the entry in the order they were added. */
  add(bytes: Uint8Array): Promise<void>;
  /**
   * Makes every staged chunk the relation's next log entry in one synced write; resolves with its seq once durable.
   * `onDurable` runs the moment the write is durable (as Store.appendAtomically's does).
   */
  commit(onDurable?: () => void): Promise<bigint>;
  /** Deletes the staged chunks; does nothing once commit() has started (the entry may already be durable). */
  discard(): Promise<void>;
}

type Phase = 'staging' | 'committing' | 'discarded';

const U64_KEY_LENGTH = 13;

export class StagingPart {
  private nextStage = 1n;
  /** Committed stages of each relation: stage → the seq of the log entry that references it. */
  private readonly committed = new Map<number, Map<bigint, bigint>>();
  /** Discards under way, so close() can wait for them. */
  private readonly discarding = new Set<Promise<void>>();

  constructor(
    private readonly ctx: StoreContext, private readonly logs: LogPart, private readonly exists: (id: number) => boolean,
  ) {}

  /**
   * Reads the commit marks and deletes staging nobody will commit: chunks without a mark (a COPY a crash
   * interrupted) and stages whose entry was trimmed (a trim a crash interrupted). Relations not in `ids` are left to
   * the catalog's purge of dropped relations.
   */
  async recover(ids: readonly number[]): Promise<void> {
    const live = new Set(ids);
    const unmarked: [number, bigint][] = [];
    let last: { id: number; stage: bigint; marked: boolean } | null = null;
    for await (const key of scanKeys(this.ctx, namespaceRange(NS.staged))) {
      const id = keyRelationId(key);
      const stage = new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(5);
      if (stage >= this.nextStage) this.nextStage = stage + 1n;
      if (!live.has(id)) continue;
      if (key.length === U64_KEY_LENGTH) {
        // The mark sorts before its stage's chunks.
        last = { id, stage, marked: true };
        const seq = await this.markedSeq(key);
        if (seq < this.logs.firstSeq(id)) unmarked.push([id, stage]);
        else this.marks(id).set(stage, seq);
      } else if (last === null || last.id !== id || last.stage !== stage) {
        last = { id, stage, marked: false };
        unmarked.push([id, stage]);
      }
    }
    let removed = 0;
    for (const [id, stage] of unmarked) removed += await this.deleteStage(id, stage);
    if (removed > 0) this.ctx.log(`storage: removed ${removed} staged chunks no log entry references`);
  }

  begin(relationId: number): StagedLogEntry {
    if (!this.exists(relationId)) throw internalError(`staging for relation ${relationId}, which is not in the catalog`);
    return new Staged(this, relationId, this.nextStage++);
  }

  /** Deletes the staged chunks of entries at or below `upToSeq` (their log entries were trimmed). */
  async trim(id: number, upToSeq: bigint): Promise<void> {
    const marks = this.committed.get(id);
    if (marks === undefined) return;
    for (const [stage, seq] of [...marks]) {
      if (seq > upToSeq) continue;
      await this.deleteStage(id, stage);
      marks.delete(stage);
    }
  }

  forget(id: number): void {
    this.committed.delete(id);
  }

  /** Waits for discards under way (Store.close calls it before the writer stops taking writes). */
  async settle(): Promise<void> {
    while (this.discarding.size > 0) await Promise.all(this.discarding);
  }

  // --- for Staged ------------------------------------------------------------------------------------------------

  async putChunk(id: number, stage: bigint, chunk: number, bytes: Uint8Array): Promise<void> {
    await this.ctx.writer.submit([put(stagedChunkKey(id, stage, chunk), bytes)], { sync: false });
  }

  async commitStage(id: number, stage: bigint, chunks: number, onDurable?: () => void): Promise<bigint> {
    const p = this.logs.prepareStagedAppend(id, stage, chunks);
    const mark = new Uint8Array(8);
    new DataView(mark.buffer).setBigUint64(0, p.seq);
    await this.ctx.writer.submit([...p.ops, put(stageKey(id, stage), mark)], {
      onDurable: () => {
        this.marks(id).set(stage, p.seq);
        p.onDurable();
        onDurable?.();
      },
    });
    return p.seq;
  }

  /** Deletes a stage once `staged` (its last chunk's put) settles; registered at once, so close() waits for it. */
  discardStage(id: number, stage: bigint, staged: Promise<void>): Promise<void> {
    const done = staged.then(() => this.deleteStage(id, stage)).then(() => undefined, (e: unknown) => {
      // Left for the next open to delete: nothing references these chunks.
      this.ctx.log(`storage: could not delete staged chunks of relation ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }).finally(() => this.discarding.delete(done));
    this.discarding.add(done);
    return done;
  }

  /** Deletes a stage's mark and chunks: the prefix [STAGED][relation][stage] holds both. */
  private deleteStage(id: number, stage: bigint): Promise<number> {
    return deleteRange(this.ctx, prefixRange(stageKey(id, stage)));
  }

  private async markedSeq(key: Uint8Array): Promise<bigint> {
    const value = await get(this.ctx, key);
    if (value === undefined || value.length !== 8) {
      throw new StorageError('corrupt', `data directory ${this.ctx.dir}: a staged log entry's commit mark is damaged`);
    }
    return trailingU64(value);
  }

  private marks(id: number): Map<bigint, bigint> {
    let m = this.committed.get(id);
    if (m === undefined) this.committed.set(id, (m = new Map()));
    return m;
  }
}

/** Chunks are added one after another; commit and discard wait for the add under way. */
class Staged implements StagedLogEntry {
  chunks = 0;
  private phase: Phase = 'staging';
  private adding: Promise<void> = Promise.resolve();
  /** A chunk that did not reach the disk: the entry can no longer commit. */
  private failure: unknown = null;

  constructor(private readonly part: StagingPart, readonly relationId: number, private readonly stage: bigint) {}

  add(bytes: Uint8Array): Promise<void> {
    if (this.phase !== 'staging') return Promise.reject(internalError(`staged entry is ${this.phase}; cannot add to it`));
    const chunk = this.chunks++;
    const added = this.adding.then(() => this.part.putChunk(this.relationId, this.stage, chunk, bytes));
    this.adding = added.catch((e: unknown) => void (this.failure ??= e));
    return added;
  }

  async commit(onDurable?: () => void): Promise<bigint> {
    if (this.phase !== 'staging') throw internalError(`staged entry is ${this.phase}; cannot commit it`);
    this.phase = 'committing';
    await this.adding;
    if (this.failure !== null) {
      this.phase = 'staging'; // nothing was submitted: discard() may still delete what is staged
      throw this.failure;
    }
    return this.part.commitStage(this.relationId, this.stage, this.chunks, onDurable);
  }

  async discard(): Promise<void> {
    if (this.phase !== 'staging') return;
    this.phase = 'discarded';
    await this.part.discardStage(this.relationId, this.stage, this.adding);
  }
}
