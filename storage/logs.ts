// Relation logs: every stream, table and continuous query is a durable, ordered log of change batches. Sequence
// numbers start at 1 per relation, are assigned in memory when an append is submitted (recovered at open as the last
// key, or the trim floor, + 1) and become visible through lastSeq() only once durable. Table appends carry the
// table's rows-by-key changes in the same atomic write. An entry is stored inline or, for a COPY staged while it
// streamed in (staging.ts), as a reference to its chunks; a read expands it into one LogEntry per chunk.

import { StorageError, internalError } from './errors';
import { type StoreContext, countKeys, del, deleteRange, get, getJson, lastKey, put, putJson, scan } from './db-io';
import type { WriteOp } from './group-commit';
import { NS, floorKey, logKey, prefixRange, relationPrefix, rowKey, sourceKey, stagedChunkKey, trailingU64 } from './keys';
import { INLINE_HEADER, readLogValue, stagedReference } from './log-values';

/**
 * One change batch of a log entry. An inline entry is one LogEntry; a staged COPY's entry comes as several in a row,
 * one per chunk, all with the entry's seq (`part` counts them from 0).
 */
export interface LogEntry {
  readonly seq: bigint;
  readonly part: number;
  /** The batch as the engine encoded it (an Arrow change batch; storage does not look inside). */
  readonly bytes: Uint8Array;
}

export interface RowPut {
  /** The primary key, encoded by the caller (engine/codecs/tuple.ts keeps key order). */
  readonly key: Uint8Array;
  readonly row: Uint8Array;
}

export interface TableRow {
  readonly key: Uint8Array;
  readonly row: Uint8Array;
}

/**
 * One relation's share of a write that spans several relations (a transaction's COMMIT), encoded by the engine:
 * storage sees bytes only.
 */
export interface RelationAppend {
  readonly relationId: number;
  /** The log entry: one change batch as the engine encodes it (engine/codecs/change-batch.ts). */
  readonly entry: Uint8Array;
  /** A table's rows to put by primary key, applied after `rowDeletes`. */
  readonly rowPuts?: readonly RowPut[];
  /** Primary keys of a table's rows to delete. */
  readonly rowDeletes?: readonly Uint8Array[];
}

/** Positions in an external source (e.g. Kafka "partition" → "next offset"), stored with the rows they produced. */
export type SourcePositions = Readonly<Record<string, string>>;

export type LogListener = (relationId: number, lastSeq: bigint) => void;

export interface PreparedAppend {
  readonly ops: WriteOp[];
  readonly seq: bigint;
  readonly onDurable: () => void;
}

export class LogPart {
  private readonly assigned = new Map<number, bigint>();
  private readonly durable = new Map<number, bigint>();
  private readonly floors = new Map<number, bigint>();
  private readonly pendingSources = new Map<number, SourcePositions>();
  private readonly sources = new Map<number, SourcePositions>();
  private readonly listeners = new Set<LogListener>();

  constructor(private readonly ctx: StoreContext, private readonly exists: (id: number) => boolean) {}

  /** Reads the last sequence number, trim floor and source positions of each relation. */
  async recover(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      const floorText = await getJson<string>(this.ctx, floorKey(id));
      const floor = floorText === undefined ? 0n : BigInt(floorText);
      const last = await lastKey(this.ctx, prefixRange(relationPrefix(NS.log, id)));
      const seq = last === undefined ? floor : trailingU64(last);
      if (seq < floor) throw new StorageError('corrupt', `data directory ${this.ctx.dir}: log of relation ${id} ends at ${seq}, below its trim floor ${floor}`);
      // A crash in the middle of a trim may have left entries at or below the floor: they go here, once, so that a
      // trim deletes only from its floor up. Deleted keys stay in LevelDB as tombstones until compaction, and a scan
      // from 0 on every trim stepped over all of them: its cost grew with everything the stream ever trimmed.
      if (floor > 0n) await deleteRange(this.ctx, { gte: logKey(id, 0n), lte: logKey(id, floor) });
      this.floors.set(id, floor);
      this.assigned.set(id, seq);
      this.durable.set(id, seq);
      const positions = await getJson<SourcePositions>(this.ctx, sourceKey(id));
      if (positions !== undefined) {
        this.sources.set(id, positions);
        this.pendingSources.set(id, positions);
      }
    }
  }

  /**
   * Forgets what failed writes had claimed: sequence numbers and source positions go back to the durable ones (the
   * store reopened after a full disk, store.ts), so the next append leaves no gap.
   */
  rollBackToDurable(): void {
    for (const id of this.assigned.keys()) this.assigned.set(id, this.durable.get(id) ?? 0n);
    this.pendingSources.clear();
    for (const [id, positions] of this.sources) this.pendingSources.set(id, positions);
  }

  /** The last durable sequence number of a relation's log; 0n when nothing was ever appended. */
  lastSeq(id: number): bigint {
    return this.durable.get(id) ?? 0n;
  }

  /**
   * How many entries between the trim floor and the log's end are not there. Appends and trims keep a log whole
   * from floor to end, so a hole is a write LevelDB lost (a table file dropped with a truncated MANIFEST) while
   * later ones survived. A scan of the log's keys: once, at open.
   */
  async missingEntries(id: number): Promise<bigint> {
    const floor = this.floors.get(id) ?? 0n;
    const end = this.lastSeq(id);
    return end - floor - BigInt(await countKeys(this.ctx, { gt: logKey(id, floor), lte: logKey(id, end) }));
  }

  /** The first sequence number still stored (entries up to the trim floor are gone). */
  firstSeq(id: number): bigint {
    return (this.floors.get(id) ?? 0n) + 1n;
  }

  sourcePositions(id: number): SourcePositions {
    return this.sources.get(id) ?? {};
  }

  onAppend(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The ops that append one batch at the next sequence number; the caller submits them (alone or in an epoch). */
  prepareAppend(id: number, bytes: Uint8Array, positions?: SourcePositions): PreparedAppend {
    return this.prepareEntry(id, [INLINE_HEADER, bytes], positions);
  }

  /** The ops that make a stage's `chunks` staged chunks the next entry, by reference (staging.ts). */
  prepareStagedAppend(id: number, stage: bigint, chunks: number): PreparedAppend {
    return this.prepareEntry(id, [stagedReference(stage, chunks)]);
  }

  private prepareEntry(id: number, value: readonly Uint8Array[], positions?: SourcePositions): PreparedAppend {
    if (!this.exists(id)) throw internalError(`append to relation ${id}, which is not in the catalog`);
    const seq = (this.assigned.get(id) ?? 0n) + 1n;
    this.assigned.set(id, seq);
    const ops: WriteOp[] = [put(logKey(id, seq), ...value)];
    const sources = positions === undefined ? undefined : this.preparePositions(id, positions);
    if (sources !== undefined) for (const op of sources.ops) ops.push(op);
    const onDurable = (): void => {
      if (seq > (this.durable.get(id) ?? 0n)) this.durable.set(id, seq);
      sources?.onDurable();
      for (const l of this.listeners) {
        try {
          l(id, seq);
        } catch (e) {
          this.ctx.log(`a log listener failed: ${e instanceof Error ? e.stack : String(e)}`);
        }
      }
    };
    return { ops, seq, onDurable };
  }

  /**
   * The ops that merge source positions into the relation's stored ones, without a log entry (a source batch whose
   * records were all bad still moves its positions). Positions are merged at submission, like sequence numbers.
   */
  preparePositions(id: number, positions: SourcePositions): { ops: WriteOp[]; onDurable: () => void } {
    if (!this.exists(id)) throw internalError(`source positions for relation ${id}, which is not in the catalog`);
    const merged = { ...this.pendingSources.get(id), ...positions };
    this.pendingSources.set(id, merged);
    return { ops: [putJson(sourceKey(id), merged)], onDurable: () => void this.sources.set(id, merged) };
  }

  async append(id: number, bytes: Uint8Array, positions?: SourcePositions): Promise<bigint> {
    const p = this.prepareAppend(id, bytes, positions);
    await this.ctx.writer.submit(p.ops, { onDurable: p.onDurable });
    return p.seq;
  }

  async appendTableChanges(
    tableId: number, bytes: Uint8Array, upserts: readonly RowPut[], deletes: readonly Uint8Array[],
    positions?: SourcePositions, extraOps: readonly WriteOp[] = [],
  ): Promise<bigint> {
    const p = this.prepareChange(tableId, bytes, upserts, deletes, positions);
    // A loop, not push(...extraOps): a table's changes can be more ops than a call may take arguments.
    for (const op of extraOps) p.ops.push(op);
    await this.ctx.writer.submit(p.ops, { onDurable: p.onDurable });
    return p.seq;
  }

  /**
   * Several relations' appends in one submission, so one LevelDB batch: all durable or none. Every relation is
   * checked before any sequence number is assigned, so a refused call leaves no gap in any log.
   */
  async appendAtomically(appends: readonly RelationAppend[], onDurable?: () => void): Promise<bigint[]> {
    for (const a of appends) {
      if (!this.exists(a.relationId)) throw internalError(`append to relation ${a.relationId}, which is not in the catalog`);
    }
    if (appends.length === 0) return [];
    const prepared = appends.map((a) => this.prepareChange(a.relationId, a.entry, a.rowPuts ?? [], a.rowDeletes ?? []));
    const ops = prepared.flatMap((p) => p.ops);
    await this.ctx.writer.submit(ops, {
      onDurable: () => {
        for (const p of prepared) p.onDurable();
        onDurable?.();
      },
    });
    return prepared.map((p) => p.seq);
  }

  /** A log entry and the table rows-by-key it changes (nothing for a stream), as one prepared append. */
  private prepareChange(
    id: number, bytes: Uint8Array, upserts: readonly RowPut[], deletes: readonly Uint8Array[],
    positions?: SourcePositions,
  ): PreparedAppend {
    const p = this.prepareAppend(id, bytes, positions);
    for (const k of deletes) p.ops.push(del(rowKey(id, k)));
    // Upserts after deletes: a key deleted and re-inserted in one statement ends up present.
    for (const u of upserts) p.ops.push(put(rowKey(id, u.key), u.row));
    return p;
  }

  /**
   * Entries with fromSeqExclusive < seq <= toSeqInclusive (default: the durable end), in order, a staged entry as its
   * chunks in order. Entries at or below the trim floor are gone; every other entry up to the durable end (and each
   * chunk of it) must be there, or the read fails as corrupt.
   */
  async *read(id: number, fromSeqExclusive: bigint, toSeqInclusive?: bigint): AsyncGenerator<LogEntry> {
    const end = this.lastSeq(id);
    const to = toSeqInclusive === undefined || toSeqInclusive > end ? end : toSeqInclusive;
    const floor = this.floors.get(id) ?? 0n;
    let expect = (fromSeqExclusive > floor ? fromSeqExclusive : floor) + 1n;
    if (to < expect) return;
    for await (const [key, bytes] of scan(this.ctx, { gt: logKey(id, fromSeqExclusive), lte: logKey(id, to) })) {
      const seq = trailingU64(key);
      // Below the floor: left by a trim a crash interrupted; already consumed by everyone.
      if (seq <= floor) continue;
      if (seq !== expect) throw this.gap(id, expect);
      expect++;
      const value = readLogValue(bytes, () => `entry ${seq} of the log of relation ${id}`);
      if (value.kind === 'inline') {
        yield { seq, part: 0, bytes: value.bytes };
        continue;
      }
      // One chunk read at a time: a reader holds one batch of a big COPY, never all of it.
      for (let part = 0; part < value.chunks; part++) {
        const chunk = await get(this.ctx, stagedChunkKey(id, value.stage, part));
        if (chunk === undefined) throw this.gap(id, seq, `chunk ${part} of `);
        yield { seq, part, bytes: chunk };
      }
    }
    if (expect !== to + 1n) throw this.gap(id, expect);
  }

  private gap(id: number, missing: bigint, what = ''): StorageError {
    return new StorageError('corrupt', `data directory ${this.ctx.dir}: ${what}entry ${missing} of the log of relation ${id} ` +
      'is missing', undefined, 'Restore the data directory from a backup.');
  }

  async readTableRows(tableId: number): Promise<TableRow[]> {
    const rows: TableRow[] = [];
    for await (const [key, row] of scan(this.ctx, prefixRange(relationPrefix(NS.row, tableId)))) {
      rows.push({ key: key.subarray(5), row });
    }
    return rows;
  }

  getTableRow(tableId: number, key: Uint8Array): Promise<Uint8Array | undefined> {
    return get(this.ctx, rowKey(tableId, key));
  }

  /** Deletes entries up to and including `upTo` (never past the durable end); returns how many. */
  async trim(id: number, upToSeqInclusive: bigint): Promise<number> {
    const upTo = upToSeqInclusive < this.lastSeq(id) ? upToSeqInclusive : this.lastSeq(id);
    const floor = this.floors.get(id) ?? 0n;
    if (upTo <= floor) return 0;
    // The floor keeps a fully trimmed log from restarting its sequence numbers at 1 after a restart. It is written
    // before the deletes: LevelDB applies writes in order, so no crash can keep the deletes and lose the floor.
    await this.ctx.writer.submit([putJson(floorKey(id), upTo.toString())], { sync: false });
    this.floors.set(id, upTo);
    // From the old floor: what an interrupted trim left below it, recover() deleted.
    return deleteRange(this.ctx, { gt: logKey(id, floor), lte: logKey(id, upTo) });
  }

  forget(id: number): void {
    for (const m of [this.assigned, this.durable, this.floors, this.pendingSources, this.sources]) m.delete(id);
  }
}
