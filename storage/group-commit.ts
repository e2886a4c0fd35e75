// Group commit: every write to the database goes through one queue. While a LevelDB batch is being written and
// synced, new submissions wait and then go together in the next batch, so a hundred concurrent INSERTs cost a couple
// of fsyncs rather than a hundred. Each submission is all-or-nothing: it is never split across two LevelDB batches,
// so an epoch commit stays atomic even when it shares a batch with ingest appends.
//
// Writes are serialized, which also makes disk order equal submission order (sequence numbers assigned at submit
// time reach the disk in order). After a failed write this writer is unusable: in-memory sequence numbers and epochs
// may be ahead of the disk, so every later submission is refused rather than risk a gap. When the failure was a full
// disk, the store replaces the writer once there is room again (store.ts, disk-full.ts).

import type { ClassicLevel } from 'classic-level';
import { StorageError } from './errors';
import { diskFullError, isOutOfSpace } from './disk-full';
import { seal } from './frame';
import { metaKey } from './keys';

export type WriteOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

interface Submission {
  readonly ops: readonly WriteOp[];
  readonly sync: boolean;
  /** Runs after the batch holding these ops is durable, before the submitter's promise resolves. */
  readonly onDurable: (() => void) | undefined;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  readonly bytes: number;
}

/** A single LevelDB write never gathers more than this many bytes of submissions (one may exceed it alone). */
const MAX_GROUP_BYTES = 64 << 20;

export type Db = ClassicLevel<Uint8Array, Uint8Array>;

export class GroupCommit {
  private queue: Submission[] = [];
  private writing = false;
  private scheduled = false;
  private failure: StorageError | null = null;
  private closing: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];

  /** How many LevelDB batch writes have completed; tests use it to see that appends were grouped. */
  writeCount = 0;
  /** How many puts those writes held; tests use it to see what an epoch costs. */
  putCount = 0;
  /**
   * The number of the last LevelDB write, counted over the directory's life: every write puts it under META "commit"
   * so that a data directory that lost writes shows a smaller number than the marker recorded (marker.ts).
   */
  private commits = 0n;
  /** The number of the last write that was synced: what the marker may claim even across a power loss. */
  private syncedCommits = 0n;
  /** Runs after every durable write, once its submitters' onDurable ran (the marker keeper's wake-up). */
  onWritten: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly where: string,
    /** Told when a write fails (with LevelDB's error), and again at each submission refused after it (without). */
    private readonly onFailure: (failure: StorageError, cause?: unknown) => void = () => undefined,
  ) {}

  /** Continues the count of writes from what the database holds; before the first submission only. */
  resumeCommitCount(n: bigint): void {
    this.commits = n;
    this.syncedCommits = n;
  }

  get lastSyncedCommit(): bigint {
    return this.syncedCommits;
  }

  submit(ops: readonly WriteOp[], options: { sync?: boolean; onDurable?: () => void } = {}): Promise<void> {
    if (this.failure !== null) {
      this.onFailure(this.failure);
      return Promise.reject(this.failure);
    }
    if (this.closing !== null) {
      return Promise.reject(new StorageError('closed', `the store on ${this.where} is closed`));
    }
    return new Promise<void>((resolve, reject) => {
      let bytes = 0;
      for (const op of ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
      this.queue.push({ ops, sync: options.sync ?? true, onDurable: options.onDurable, resolve, reject, bytes });
      this.schedule();
    });
  }

  /** The error that made the store unusable, if any. */
  get failed(): StorageError | null {
    return this.failure;
  }

  /** Refuses new submissions and resolves when everything already submitted has been written (or failed). */
  drain(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.writing && !this.scheduled && this.queue.length === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    return this.closing;
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // A microtask, not a timer: submissions made in the same turn of the event loop join the first write for free,
    // and a lone INSERT pays no added latency.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.writeNext();
    });
  }

  private async writeNext(): Promise<void> {
    if (this.queue.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    let take = 0;
    let bytes = 0;
    while (take < this.queue.length && (take === 0 || bytes + this.queue[take].bytes <= MAX_GROUP_BYTES)) {
      bytes += this.queue[take].bytes;
      take++;
    }
    const group = this.queue.splice(0, take);
    this.writing = true;
    try {
      await this.write(group);
      this.writeCount++;
    } catch (e) {
      this.failure = isOutOfSpace(e) ? diskFullError(this.where) : new StorageError('io',
        `writing to the data directory ${this.where} failed`, e,
        'The server must restart; everything acknowledged before this error is durable.');
      for (const s of [...group, ...this.queue.splice(0)]) s.reject(this.failure);
      this.onFailure(this.failure, e);
      this.writing = false;
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    for (const s of group) {
      try {
        s.onDurable?.();
        s.resolve();
      } catch (e) {
        s.reject(e);
      }
    }
    this.onWritten?.();
    this.writing = false;
    await this.writeNext();
  }

  /**
   * One atomic LevelDB write of the group's ops. Through a chained batch, each op handed straight to the native
   * batch: abstract-level's array form clones every op and resolves its encodings again, which measured 3-4 times the
   * CPU (~70 against ~20 µs for an epoch's 8 ops) and was the largest cost of a one-row epoch. Keys and values go
   * in as the database's own encodings, 'view' (open-db.ts).
   */
  private async write(group: readonly Submission[]): Promise<void> {
    const batch = this.db.batch();
    let sync = false;
    let puts = 0;
    try {
      for (const s of group) {
        for (const op of s.ops) {
          if (op.type === 'put') {
            batch.put(op.key, op.value);
            puts++;
          } else {
            batch.del(op.key);
          }
        }
        sync ||= s.sync;
      }
    } catch (e) {
      await batch.close();
      throw e;
    }
    if (batch.length === 0) {
      await batch.close();
      return;
    }
    const commit = this.commits + 1n;
    batch.put(COMMIT_KEY, seal(COMMIT_KEY, u64(commit)));
    await batch.write({ sync });
    this.commits = commit;
    if (sync) this.syncedCommits = commit;
    this.putCount += puts;
  }
}

const COMMIT_KEY = metaKey('commit');

function u64(n: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, n);
  return bytes;
}
