// Continuous queries (and any other consumer of logs): each epoch commits in ONE atomic LevelDB batch written with
// sync — the operator state changes, the result changes appended to the query's own log, the materialized result
// rows, the input offsets consumed, the epoch number and a checkpoint record. Recovery reads them back together, so
// a restarted query resumes from exactly the state its offsets describe. Epochs only move forward.

import { type DeadLetter, DeadLetterPart } from './dead-letters';
import { StorageError, internalError } from './errors';
import { type StoreContext, del, getJson, parseJson, put, putJson, scan, scanKeys } from './db-io';
import type { WriteOp } from './group-commit';
import {
  NS, checkpointKey, epochEntryKey, keyRelationId, keySuffix, keySuffixText, namespaceRange, prefixRange, queryKey, relationPrefix,
  resultKey, stateKey, trailingU64,
} from './keys';
import { KeySet, type KeySetSummary, bytesId } from './key-set';
import type { LogPart } from './logs';

/** Input relation id → the last sequence number of that input the query has consumed. */
export type Offsets = Readonly<Record<number, bigint>>;

/** One stored value of a materialized result; the runtime chooses keys and values (the engine stores chunks). */
export interface ResultRow {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface EpochCommit {
  readonly queryId: number;
  /** Must be greater than the last committed epoch of this query. */
  readonly epoch: number;
  /** Operator state: a value puts the key, null deletes it. */
  readonly stateChanges: ReadonlyMap<string, Uint8Array | null>;
  /** Appended to the query's own log at its next sequence number. */
  readonly resultChanges: Uint8Array | null;
  /** The materialized result that SELECT reads after a restart: a value puts its key, a del removes one. */
  readonly resultRows: { readonly puts: readonly ResultRow[]; readonly dels: readonly Uint8Array[] } | null;
  /** Merged over the offsets of earlier epochs: inputs that did not move may be left out. */
  readonly offsets: Offsets;
  readonly checkpoint: {
    readonly durationMs: number;
    /** What sluice.checkpoints shows as offsets; default: the merged input offsets by relation id. */
    readonly offsets?: Readonly<Record<string, string>>;
  };
  /** Late rows and bad records found in this epoch, stored with it. */
  readonly deadLetters?: readonly DeadLetter[];
}

export interface LoadedQuery {
  /** 0 when the query never committed. */
  readonly epoch: number;
  readonly offsets: Offsets;
  readonly state: Map<string, Uint8Array>;
  readonly results: ResultRow[];
  /** The last sequence number of the query's own log. */
  readonly resultSeq: bigint;
}

export interface Checkpoint {
  readonly queryId: number;
  readonly epoch: number;
  readonly committedAt: Date;
  readonly durationMs: number;
  readonly offsets: Readonly<Record<string, string>>;
}

interface QueryRecord {
  epoch: number;
  offsets: Record<string, string>;
  committedAt: string;
  /** The query's own log ends here: only commits append to it. */
  resultSeq: string;
  state: KeySetSummary;
  results: KeySetSummary;
}

interface CheckpointRecord {
  epoch: number;
  committedAt: string;
  durationMs: number;
  offsets: Record<string, string>;
}

/** Checkpoint records kept per query for sluice.checkpoints; older ones are deleted in the commit that passes them. */
export const CHECKPOINTS_KEPT = 100;

// What is tracked at submission rather than at durability (the forward-only epoch, merged offsets, checkpoint list,
// key sets) describes the newest submitted commit: after a failed write only a reopened store writes again, and it
// rolls that memory back first (rollBackUncommitted).
interface QueryMemory {
  committed: number;
  /** The highest epoch submitted, durable or not: the forward-only check runs against it. */
  submitted: number;
  offsets: Record<string, string>;
  pendingOffsets: Record<string, string>;
  checkpoints: number[];
  /** Null for a query that committed before this process started, until loadQuery reads its keys. */
  keys: { state: KeySet; results: KeySet } | null;
  record: QueryRecord | null;
}

export class EpochPart {
  private readonly queries = new Map<number, QueryMemory>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly exists: (id: number) => boolean,
    private readonly logs: LogPart,
    private readonly deadLetters: DeadLetterPart,
  ) {}

  async recover(ids: readonly number[]): Promise<void> {
    for (const id of ids) await this.recoverOne(id);
  }

  /**
   * Reads again, from disk, each query whose last commit was submitted but failed (the store reopened after a full
   * disk, store.ts): its merged offsets, checkpoint list and key sets had moved on with that commit. Its runner
   * failed with the write and reloads through load() before it commits again.
   */
  async rollBackUncommitted(): Promise<void> {
    const failed = [...this.queries].filter(([, q]) => q.submitted !== q.committed).map(([id]) => id);
    for (const id of failed) {
      this.queries.delete(id);
      await this.recoverOne(id);
    }
  }

  private async recoverOne(id: number): Promise<void> {
    const rec = await getJson<QueryRecord>(this.ctx, queryKey(id));
    const checkpoints: number[] = [];
    for await (const k of scanKeys(this.ctx, prefixRange(relationPrefix(NS.checkpoint, id)))) {
      checkpoints.push(Number(trailingU64(k)));
    }
    if (rec === undefined && checkpoints.length === 0) return;
    const newest = checkpoints.at(-1);
    // Written in the same batch: disagreement means a lost or damaged write.
    if (rec === undefined || newest !== rec.epoch) {
      throw new StorageError('corrupt', `data directory ${this.ctx.dir}: query ${id} has committed epoch ` +
        `${rec?.epoch ?? 'none'} but its newest checkpoint is ${newest ?? 'none'}`);
    }
    this.queries.set(id, {
      committed: rec.epoch, submitted: rec.epoch, offsets: rec.offsets, pendingOffsets: rec.offsets, checkpoints,
      keys: null, record: rec,
    });
  }

  lastEpoch(queryId: number): number {
    return this.queries.get(queryId)?.committed ?? 0;
  }

  offsets(queryId: number): Offsets {
    return toOffsets(this.queries.get(queryId)?.offsets ?? {});
  }

  /** Bytes of operator state (keys + values), for sluice.queries.state_bytes; 0 before loadQuery for old queries. */
  stateBytes(queryId: number): number {
    return this.queries.get(queryId)?.keys?.state.bytes ?? 0;
  }

  /** Commits one epoch atomically; resolves with the result log sequence number (null if no result changes). */
  async commit(c: EpochCommit): Promise<bigint | null> {
    const { queryId, epoch } = c;
    if (!this.exists(queryId)) throw internalError(`commitEpoch for relation ${queryId}, which is not in the catalog`);
    if (!Number.isSafeInteger(epoch) || epoch < 1) throw internalError(`commitEpoch: bad epoch ${epoch}`);
    const q = this.memory(queryId);
    if (epoch <= q.submitted) {
      throw internalError(`epoch ${epoch} of query ${queryId} does not move forward (last: ${q.submitted})`);
    }
    if (q.keys === null) throw internalError(`commitEpoch for query ${queryId} before loadQuery`);
    const offsets = { ...q.pendingOffsets };
    for (const [input, seq] of Object.entries(c.offsets)) {
      const end = this.logs.lastSeq(Number(input));
      if ((seq as bigint) > end) {
        throw internalError(`query ${queryId} consumed relation ${input} up to ${seq}, past its durable end ${end}`);
      }
      offsets[input] = (seq as bigint).toString();
    }
    const { state, results } = q.keys;
    // The last step that can throw (encoding); from here on nothing does, so memory never runs ahead of a failure.
    const append = c.resultChanges === null ? null : this.logs.prepareAppend(queryId, c.resultChanges);
    const ops: WriteOp[] = append === null ? [] : [...append.ops, put(epochEntryKey(queryId, epoch), u64(append.seq))];
    for (const [k, v] of c.stateChanges) {
      const key = stateKey(queryId, k);
      ops.push(v === null ? del(key) : put(key, v));
      state.apply(k, key, v === null ? null : key.length + v.length);
    }
    for (const k of c.resultRows?.dels ?? []) {
      const key = resultKey(queryId, k);
      ops.push(del(key));
      results.apply(bytesId(k), key, null);
    }
    for (const r of c.resultRows?.puts ?? []) {
      const key = resultKey(queryId, r.key);
      ops.push(put(key, r.value));
      results.apply(bytesId(r.key), key, key.length + r.value.length);
    }

    const committedAt = new Date().toISOString();
    const resultSeq = append?.seq ?? BigInt(q.record?.resultSeq ?? this.logs.lastSeq(queryId));
    const record: QueryRecord = {
      epoch, offsets, committedAt, resultSeq: resultSeq.toString(), state: state.summary(), results: results.summary(),
    };
    q.record = record;
    ops.push(putJson(queryKey(queryId), record));
    ops.push(putJson(checkpointKey(queryId, epoch), {
      epoch, committedAt, durationMs: c.checkpoint.durationMs, offsets: c.checkpoint.offsets ?? offsets,
    } satisfies CheckpointRecord));
    const checkpoints = [...q.checkpoints, epoch];
    while (checkpoints.length > CHECKPOINTS_KEPT) ops.push(del(checkpointKey(queryId, checkpoints.shift()!)));
    // One op per late row: an epoch can have hundreds of thousands, too many to spread as push's arguments.
    if (c.deadLetters !== undefined) for (const op of this.deadLetters.prepare(c.deadLetters)) ops.push(op);

    q.submitted = epoch;
    q.pendingOffsets = offsets;
    q.checkpoints = checkpoints;
    await this.ctx.writer.submit(ops, {
      onDurable: () => {
        q.committed = epoch;
        q.offsets = offsets;
        append?.onDurable();
      },
    });
    return append === null ? null : append.seq;
  }

  /**
   * Everything a restarting query needs: its last epoch, the offsets it had consumed, its state and results. Checks
   * them against the epoch's record (key counts and digests, result log end, input log ends) and fails with a
   * 'corrupt' StorageError rather than hand back state that does not belong to one epoch.
   */
  async load(queryId: number): Promise<LoadedQuery> {
    const q = this.memory(queryId);
    if (q.submitted !== q.committed) throw internalError(`loadQuery for query ${queryId} while a commit is in flight`);
    const stateKeys = new KeySet();
    const state = new Map<string, Uint8Array>();
    for await (const [key, value] of scan(this.ctx, prefixRange(relationPrefix(NS.state, queryId)))) {
      const k = keySuffixText(key);
      state.set(k, value);
      stateKeys.apply(k, key, key.length + value.length);
    }
    const resultKeys = new KeySet();
    const results: ResultRow[] = [];
    for await (const [key, value] of scan(this.ctx, prefixRange(relationPrefix(NS.result, queryId)))) {
      results.push({ key: keySuffix(key), value });
      resultKeys.apply(bytesId(keySuffix(key)), key, key.length + value.length);
    }
    const rec = q.record;
    const resultSeq = this.logs.lastSeq(queryId);
    if (rec !== null) {
      const problems: string[] = [];
      const same = (a: KeySetSummary, b: KeySetSummary): boolean => a.count === b.count && a.digest === b.digest;
      if (!same(stateKeys.summary(), rec.state)) problems.push(`state has ${stateKeys.summary().count} keys, epoch recorded ${rec.state.count}`);
      if (!same(resultKeys.summary(), rec.results)) problems.push(`results have ${resultKeys.summary().count} rows, epoch recorded ${rec.results.count}`);
      if (BigInt(rec.resultSeq) !== resultSeq) problems.push(`result log ends at ${resultSeq}, epoch recorded ${rec.resultSeq}`);
      for (const [input, seq] of Object.entries(rec.offsets)) {
        if (this.exists(Number(input)) && BigInt(seq) > this.logs.lastSeq(Number(input))) {
          problems.push(`input ${input} ends at ${this.logs.lastSeq(Number(input))}, but epoch consumed up to ${seq}`);
        }
      }
      if (problems.length > 0) {
        throw new StorageError('corrupt', `data directory ${this.ctx.dir}: query ${queryId} at epoch ${rec.epoch} ` +
          `does not match its stored record (${problems.join('; ')})`, undefined,
          'Restore the data directory from a backup; Sluice will not run a query on damaged state.');
      }
    }
    q.keys = { state: stateKeys, results: resultKeys };
    return { epoch: q.committed, offsets: toOffsets(q.offsets), state, results, resultSeq };
  }

  /**
   * The entries of a query's own log appended by its committed epochs after `afterEpoch`, in epoch order: which
   * epoch wrote which entry (an epoch with no result change wrote none).
   */
  async *epochEntries(queryId: number, afterEpoch: number): AsyncGenerator<{ readonly epoch: number; readonly seq: bigint }> {
    const committed = this.lastEpoch(queryId);
    if (afterEpoch >= committed) return;
    const range = { gt: epochEntryKey(queryId, afterEpoch), lte: epochEntryKey(queryId, committed) };
    for await (const [key, value] of scan(this.ctx, range)) {
      yield { epoch: Number(trailingU64(key)), seq: trailingU64(value) };
    }
  }

  /** The log entry appended by the last epoch up to `epoch` that appended one; null: none is recorded. */
  async lastEntryUpTo(queryId: number, epoch: number): Promise<bigint | null> {
    if (epoch < 1) return null;
    const range = { gt: epochEntryKey(queryId, 0), lte: epochEntryKey(queryId, epoch), reverse: true, limit: 1 };
    for await (const [, value] of scan(this.ctx, range)) return trailingU64(value);
    return null;
  }

  /**
   * Forgets which epochs appended the entries up to `upToSeq`, once they are trimmed from the log; returns the last
   * such epoch (null: none). Not synced: a crash may keep records of trimmed entries, which readers step over.
   */
  async forgetEntriesUpTo(queryId: number, upToSeq: bigint): Promise<number | null> {
    const ops: WriteOp[] = [];
    let last: number | null = null;
    const range = { gt: epochEntryKey(queryId, 0), lte: epochEntryKey(queryId, this.lastEpoch(queryId)) };
    for await (const [key, value] of scan(this.ctx, range)) {
      if (trailingU64(value) > upToSeq) break;
      ops.push(del(key));
      last = Number(trailingU64(key));
    }
    if (ops.length > 0) await this.ctx.writer.submit(ops, { sync: false });
    return last;
  }

  async readResults(queryId: number): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    for await (const [key, value] of scan(this.ctx, prefixRange(relationPrefix(NS.result, queryId)))) {
      rows.push({ key: keySuffix(key), value });
    }
    return rows;
  }

  /** Newest first; of one query, or of all queries. */
  async listCheckpoints(queryId: number | undefined, limit: number): Promise<Checkpoint[]> {
    const range = queryId === undefined
      ? namespaceRange(NS.checkpoint)
      : prefixRange(relationPrefix(NS.checkpoint, queryId));
    const out: Checkpoint[] = [];
    for await (const [key, bytes] of scan(this.ctx, queryId === undefined ? range : { ...range, reverse: true, limit })) {
      const r = parseJson<CheckpointRecord>(this.ctx, key, bytes);
      out.push({
        queryId: keyRelationId(key), epoch: r.epoch, committedAt: new Date(r.committedAt), durationMs: r.durationMs,
        offsets: r.offsets,
      });
    }
    if (queryId === undefined) out.sort((a, b) => b.committedAt.getTime() - a.committedAt.getTime() || b.epoch - a.epoch);
    return out.slice(0, limit);
  }

  forget(id: number): void {
    this.queries.delete(id);
  }

  private memory(queryId: number): QueryMemory {
    let q = this.queries.get(queryId);
    if (q === undefined) {
      // Never committed: its key sets are known to be empty.
      q = {
        committed: 0, submitted: 0, offsets: {}, pendingOffsets: {}, checkpoints: [],
        keys: { state: new KeySet(), results: new KeySet() }, record: null,
      };
      this.queries.set(queryId, q);
    }
    return q;
  }
}

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
}

function toOffsets(stored: Readonly<Record<string, string>>): Offsets {
  const out: Record<number, bigint> = {};
  for (const [k, v] of Object.entries(stored)) out[Number(k)] = BigInt(v);
  return out;
}
