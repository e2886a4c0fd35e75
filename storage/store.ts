// The Store: everything durable about a Sluice server, in one LevelDB in the data directory. This file is the
// facade and the lifecycle (open, format check, recovery of in-memory counters, close); the parts live in
// catalog-store.ts, logs.ts, staging.ts, epochs.ts and dead-letters.ts. docs/durability.md states the promise it keeps.

import * as path from 'node:path';
import { type CatalogChange, CatalogPart, type NamedDef, type StoredDef } from './catalog-store';
import { type StoreContext, type StoreLog, getJson, putJson } from './db-io';
import { type DeadLetter, DeadLetterPart, type StoredDeadLetter } from './dead-letters';
import { type Checkpoint, type EpochCommit, EpochPart, type LoadedQuery, type Offsets, type ResultRow } from './epochs';
import { RetryLoop, hasRoom } from './disk-full';
import { StorageError, describeCause } from './errors';
import { type Db, GroupCommit } from './group-commit';
import {
  type LogEntry, type LogListener, LogPart, type RelationAppend, type RowPut, type SourcePositions, type TableRow,
} from './logs';
import { NS, metaKey, prefixRange, relationPrefix, trailingU64 } from './keys';
import { type DurableFigures, MarkerKeeper, readMarker, verifyMarker, wentBackwards } from './marker';
import { get } from './db-io';
import { openLevel } from './open-db';
import { type RoleChange, type RoleRecord, RolePart } from './roles';
import { type StagedLogEntry, StagingPart } from './staging';

/** Bump when the key layout or a value encoding changes incompatibly (docs/durability.md lists the versions). */
export const FORMAT_VERSION = 5;

/** The store's context: the LevelDB handle and its writer are replaced when the store reopens after a full disk. */
type OpenContext = { -readonly [K in keyof StoreContext]: StoreContext[K] };

/** `D` is the engine's definition type: storage keeps it as JSON and needs only its name. */
export class Store<D extends NamedDef = NamedDef> {
  private readonly catalog: CatalogPart<D>;
  private readonly roles: RolePart;
  private readonly logs: LogPart;
  private readonly staging: StagingPart;
  private readonly epochs: EpochPart;
  private readonly dead: DeadLetterPart;
  /** Null until the directory was verified against its marker: a refused directory's marker is left as it was. */
  private marker: MarkerKeeper | null = null;
  private closed: Promise<void> | null = null;
  /** Runs while a write failed for want of space, until the store has reopened (disk-full.ts). */
  private readonly reopening: RetryLoop;
  private readonly reopenListeners = new Set<() => void>();

  private constructor(private readonly ctx: OpenContext) {
    this.reopening = new RetryLoop(() => this.reopenIfRoom(),
      (e) => ctx.log(`storage: reopening ${ctx.dir} after a full disk failed, will retry: ${describeCause(e)}`));
    this.catalog = new CatalogPart(ctx);
    this.roles = new RolePart(ctx);
    const exists = (id: number): boolean => this.catalog.getById(id) !== undefined;
    this.logs = new LogPart(ctx, exists);
    this.staging = new StagingPart(ctx, this.logs, exists);
    this.dead = new DeadLetterPart(ctx);
    this.epochs = new EpochPart(ctx, exists, this.logs, this.dead);
  }

  /**
   * Opens (creating if needed) the data directory. Fails with a StorageError when another process holds it
   * ('locked'), when it is damaged ('corrupt'), or when it was written by another format version ('version').
   */
  static async open<D extends NamedDef = NamedDef>(dir: string, log: StoreLog = () => undefined): Promise<Store<D>> {
    const where = path.resolve(dir);
    const db = await openLevel(where);
    const writer = new GroupCommit(db, where, (f, c) => store.writeFailed(f, c));
    const ctx: OpenContext = { db, dir: where, log, reopening: false, writer };
    const store: Store<D> = new Store<D>(ctx);
    try {
      await store.recover();
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  private async recover(): Promise<void> {
    const format = await getJson<number>(this.ctx, metaKey('format'));
    if (format !== undefined && format !== FORMAT_VERSION) {
      throw new StorageError('version', `data directory ${this.ctx.dir} has format version ${format}; this ` +
        `Sluice reads version ${FORMAT_VERSION}`);
    }
    const commit = await get(this.ctx, metaKey('commit'));
    this.ctx.writer.resumeCommitCount(commit === undefined ? 0n : trailingU64(commit));
    await this.catalog.load();
    await this.roles.load();
    const ids = this.catalog.list().map((s) => s.id);
    await this.logs.recover(ids);
    await this.epochs.recover(ids);
    // Before anything is written: a directory that went backwards is refused as it was found.
    await this.refuseIfWentBackwards();
    if (format === undefined) {
      if (!(await isEmpty(this.ctx))) {
        throw new StorageError('version', `data directory ${this.ctx.dir} holds a LevelDB database that is not ` +
          'a Sluice data directory (no format version)');
      }
      await this.ctx.writer.submit([putJson(metaKey('format'), FORMAT_VERSION)]);
    }
    const marker = new MarkerKeeper(this.ctx.dir, () => this.durableFigures(), this.ctx.log);
    this.ctx.writer.onWritten = () => marker.request();
    this.marker = marker;
    marker.request();
    await this.staging.recover(ids);
    await this.dead.recover();
    for (const id of await this.catalog.orphanIds()) {
      const n = await this.catalog.purge(id);
      this.ctx.log(`storage: removed ${n} entries left by dropped relation ${id}`);
    }
  }

  private async refuseIfWentBackwards(): Promise<void> {
    const problems: string[] = [];
    for (const { id, def } of this.catalog.list()) {
      const missing = await this.logs.missingEntries(id);
      if (missing > 0n) {
        problems.push(`"${def.name}" (relation ${id}): ${missing} entries of its log between ${this.logs.firstSeq(id)} ` +
          `and ${this.logs.lastSeq(id)}`);
      }
    }
    const holes = problems.length > 0;
    const marker = readMarker(this.ctx.dir);
    const found = this.durableFigures();
    if (marker !== null) problems.unshift(...verifyMarker(marker, found));
    if (problems.length > 0) throw wentBackwards(this.ctx.dir, marker, found, problems, holes);
  }

  /**
   * What the data directory durably holds, as the marker records it (marker.ts): the number of the last synced
   * write, and each relation's log end and last committed epoch.
   */
  durableFigures(): DurableFigures {
    return {
      commit: this.ctx.writer.lastSyncedCommit,
      relations: this.catalog.list().map((s) => ({
        id: s.id, name: s.def.name, lastSeq: this.logs.lastSeq(s.id), epoch: this.epochs.lastEpoch(s.id),
      })),
    };
  }

  get dir(): string {
    return this.ctx.dir;
  }

  /** Completed LevelDB batch writes since open (each is one fsync); shows group commit at work. */
  get writeCount(): number {
    return this.ctx.writer.writeCount;
  }

  /** LevelDB puts in those writes since open. */
  get putCount(): number {
    return this.ctx.writer.putCount;
  }

  /** Waits for submitted writes, then closes LevelDB. Idempotent. */
  close(): Promise<void> {
    this.reopening.stop();
    this.closed ??= (async () => {
      await this.staging.settle();
      await this.ctx.writer.drain();
      try {
        if (this.ctx.writer.failed === null) await this.marker?.close();
      } finally {
        await this.ctx.db.close();
      }
    })();
    return this.closed;
  }

  // --- a full disk ----------------------------------------------------------------------------------------------

  /** Called after the store reopened itself once a full disk had room again; returns an unsubscribe. */
  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  /** A write failed (`cause`: LevelDB's error), or a submission was refused after one. */
  private writeFailed(failure: StorageError, cause: unknown): void {
    if (cause !== undefined) this.ctx.log(`storage: ${failure.message} (${describeCause(cause)})`);
    if (failure.reason === 'disk_full') this.reopening.start();
  }

  /**
   * Once the file system shows room: closes LevelDB (its failed write may have latched an error that refuses every
   * later one) and opens it again, then takes back in memory what only the failed writes had claimed (sequence
   * numbers, source positions, epochs). Reads go on through the old handle until then. Resolves whether it reopened.
   */
  private async reopenIfRoom(): Promise<boolean> {
    if (this.closed !== null) return true;
    if (!(await hasRoom(this.ctx.dir))) return false;
    await this.ctx.writer.drain();
    this.ctx.reopening = true;
    await this.ctx.db.close();
    const db: Db = await openLevel(this.ctx.dir);
    if (this.closed !== null) {
      await db.close();
      return true;
    }
    this.ctx.reopening = false;
    this.ctx.db = db;
    this.ctx.writer = new GroupCommit(db, this.ctx.dir, (f, c) => this.writeFailed(f, c));
    // Synchronously with the new writer: no append can take a sequence number before the counters are back.
    this.logs.rollBackToDurable();
    await this.epochs.rollBackUncommitted();
    this.ctx.log(`storage: reopened ${this.ctx.dir} after the disk was full; writes resume`);
    for (const listener of this.reopenListeners) listener();
    return true;
  }

  // --- catalog -----------------------------------------------------------------------------------------------

  listDefs(): StoredDef<D>[] {
    return this.catalog.list();
  }

  getDef(name: string): StoredDef<D> | undefined {
    return this.catalog.get(name);
  }

  getDefById(id: number): StoredDef<D> | undefined {
    return this.catalog.getById(id);
  }

  /** Creates or replaces a definition; resolves with its relation id once durable. */
  async putDef(def: D): Promise<number> {
    const [s] = await this.changeCatalog({ put: [def] });
    return s.id;
  }

  async deleteDef(name: string): Promise<void> {
    await this.changeCatalog({ delete: [name] });
  }

  /**
   * Puts and deletes definitions in one atomic write (DROP ... CASCADE, CREATE OR REPLACE). A deleted relation's
   * log, state, results and rows disappear with its definition (its id is never reused, so nothing can see them);
   * they are then purged from disk before this resolves, and any purge a crash interrupted finishes at next open.
   */
  async changeCatalog(change: CatalogChange<D>): Promise<StoredDef<D>[]> {
    const p = this.catalog.prepare(change);
    const dropped = p.removed.map((r) => r.id);
    if (dropped.length > 0) await this.marker?.beforeDrop(dropped);
    try {
      await this.ctx.writer.submit(p.ops, { onDurable: p.apply });
    } finally {
      this.marker?.dropped(dropped);
    }
    for (const r of p.removed) {
      this.logs.forget(r.id);
      this.staging.forget(r.id);
      this.epochs.forget(r.id);
      await this.catalog.purge(r.id);
    }
    return p.stored;
  }

  // --- roles -------------------------------------------------------------------------------------------------
  // Kept as JSON with a name, like definitions; the engine reads them back into its own role type.

  listRoles(): RoleRecord[] {
    return this.roles.list();
  }

  getRole(name: string): RoleRecord | undefined {
    return this.roles.get(name);
  }

  /** Puts and deletes roles in one atomic write (ALTER ROLE ... RENAME is both); resolves once durable. */
  changeRoles(change: RoleChange): Promise<void> {
    return this.roles.change(change);
  }

  // --- logs ----------------------------------------------------------------------------------------------------

  /**
   * Appends an encoded change batch to a relation's log; resolves with its sequence number once it is on
   * disk (sync). Appends submitted while a write is in flight share the next write. `sourcePositions` (e.g. Kafka
   * offsets) are merged into the relation's stored positions in the same write.
   */
  appendToLog(relationId: number, bytes: Uint8Array, sourcePositions?: SourcePositions): Promise<bigint> {
    return this.logs.append(relationId, bytes, sourcePositions);
  }

  /**
   * A table change: the log entry and the rows-by-key upserts/deletes, in one atomic write; for a table fed by a
   * source (Kafka), with the source positions the change reaches and the dead letters it found.
   */
  appendTableChanges(
    tableId: number, bytes: Uint8Array, upserts: readonly RowPut[], deletes: readonly Uint8Array[],
    sourcePositions?: SourcePositions, deadLetters: readonly DeadLetter[] = [],
  ): Promise<bigint> {
    return this.logs.appendTableChanges(tableId, bytes, upserts, deletes, sourcePositions, this.dead.prepare(deadLetters));
  }

  /**
   * Appends to several relations' logs, with a table's rows-by-key changes, in ONE atomic write: after a crash all
   * of them are there or none (a transaction's COMMIT). Resolves with each append's sequence number once durable;
   * `onDurable` runs the moment the write is durable, before anything is resolved or any later write starts.
   */
  appendAtomically(appends: readonly RelationAppend[], onDurable?: () => void): Promise<bigint[]> {
    return this.logs.appendAtomically(appends, onDurable);
  }

  /**
   * One batch of an external source (Kafka): its rows appended to the relation's log (none: no log entry), its
   * positions merged into the stored ones and its dead letters, all in one atomic write. So a crash either keeps
   * all of it, and the source resumes after it, or none, and the source reads the same records again. Resolves with
   * the log sequence number, or null when there were no rows.
   */
  async appendSourceBatch(
    relationId: number, bytes: Uint8Array | null, sourcePositions: SourcePositions, deadLetters: readonly DeadLetter[] = [],
  ): Promise<bigint | null> {
    if (bytes !== null) {
      const p = this.logs.prepareAppend(relationId, bytes, sourcePositions);
      await this.ctx.writer.submit([...p.ops, ...this.dead.prepare(deadLetters)], { onDurable: p.onDurable });
      return p.seq;
    }
    const p = this.logs.preparePositions(relationId, sourcePositions);
    await this.ctx.writer.submit([...p.ops, ...this.dead.prepare(deadLetters)], { onDurable: p.onDurable });
    return null;
  }

  /**
   * Starts a log entry that is written while it is made: chunks go to disk as they come, unseen, and commit() makes
   * all of them the relation's next entry in one small synced write (a COPY that need not fit in memory). Until then
   * discard() deletes them, and so does the next open after a crash (staging.ts).
   */
  stageLogEntry(relationId: number): StagedLogEntry {
    return this.staging.begin(relationId);
  }

  /**
   * Entries with fromSeqExclusive < seq <= toSeqInclusive (default: the last durable seq at the call), in order; a
   * staged entry comes as one LogEntry per chunk, all with its seq.
   */
  readLog(relationId: number, fromSeqExclusive: bigint, toSeqInclusive?: bigint): AsyncIterable<LogEntry> {
    return this.logs.read(relationId, fromSeqExclusive, toSeqInclusive);
  }

  /** The last durable sequence number; 0n for an empty log. */
  lastSeq(relationId: number): bigint {
    return this.logs.lastSeq(relationId);
  }

  /** The first sequence number not trimmed away. */
  firstSeq(relationId: number): bigint {
    return this.logs.firstSeq(relationId);
  }

  /** Deletes log entries up to and including the given seq (retention; every consumer has passed it). */
  async trimLog(relationId: number, upToSeqInclusive: bigint): Promise<number> {
    const n = await this.logs.trim(relationId, upToSeqInclusive);
    await this.staging.trim(relationId, this.logs.firstSeq(relationId) - 1n);
    return n;
  }

  /**
   * Trims a continuous query's own log up to `upToSeq` and forgets which epochs appended what was trimmed; returns
   * the last epoch whose changes went (null: none).
   */
  async trimQueryLog(queryId: number, upToSeq: bigint): Promise<number | null> {
    await this.trimLog(queryId, upToSeq);
    return this.epochs.forgetEntriesUpTo(queryId, this.firstSeq(queryId) - 1n);
  }

  /** The entry of a query's own log appended by the last epoch up to `epoch` that appended one; null: none. */
  queryEntryUpTo(queryId: number, epoch: number): Promise<bigint | null> {
    return this.epochs.lastEntryUpTo(queryId, epoch);
  }

  /**
   * An estimate of the bytes a relation's log holds on disk: LevelDB's approximate size of its key range (compressed
   * table files only, so it lags what is still in the write buffer and what a trim deleted until compaction).
   */
  logBytes(relationId: number): Promise<number> {
    const range = prefixRange(relationPrefix(NS.log, relationId));
    return this.ctx.db.approximateSize(range.gte, range.lt);
  }

  /** Called after each durable append (ingest or epoch results); returns an unsubscribe function. */
  onLogAppend(listener: LogListener): () => void {
    return this.logs.onAppend(listener);
  }

  sourcePositions(relationId: number): SourcePositions {
    return this.logs.sourcePositions(relationId);
  }

  /** All current rows of a table, in primary key byte order. */
  readTableRows(tableId: number): Promise<TableRow[]> {
    return this.logs.readTableRows(tableId);
  }

  getTableRow(tableId: number, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.logs.getTableRow(tableId, key);
  }

  // --- continuous queries ----------------------------------------------------------------------------------------

  /** One atomic, synced batch; throws an internal error when the epoch does not move forward. */
  commitEpoch(commit: EpochCommit): Promise<bigint | null> {
    return this.epochs.commit(commit);
  }

  loadQuery(queryId: number): Promise<LoadedQuery> {
    return this.epochs.load(queryId);
  }

  /** The materialized result rows of a query, in key order. */
  readResults(queryId: number): Promise<ResultRow[]> {
    return this.epochs.readResults(queryId);
  }

  /** Which entry of a query's own log each committed epoch after `afterEpoch` appended, in epoch order. */
  epochEntries(queryId: number, afterEpoch: number): AsyncIterable<{ readonly epoch: number; readonly seq: bigint }> {
    return this.epochs.epochEntries(queryId, afterEpoch);
  }

  lastEpoch(queryId: number): number {
    return this.epochs.lastEpoch(queryId);
  }

  queryOffsets(queryId: number): Offsets {
    return this.epochs.offsets(queryId);
  }

  stateBytes(queryId: number): number {
    return this.epochs.stateBytes(queryId);
  }

  /** sluice.checkpoints: newest first, of one query or of all. */
  listCheckpoints(queryId?: number, limit = 100): Promise<Checkpoint[]> {
    return this.epochs.listCheckpoints(queryId, limit);
  }

  // --- dead letters ----------------------------------------------------------------------------------------------

  appendDeadLetters(entries: readonly DeadLetter[]): Promise<void> {
    return this.dead.append(entries);
  }

  /** How many dead letters were written for `source` (a stream, table or query) since the store opened. */
  deadLettersSinceOpen(source: string): number {
    return this.dead.writtenSinceOpen(source);
  }

  /** The newest `limit` dead letters (all of them by default), oldest first: sluice.dead_letters shows every one. */
  listDeadLetters(limit = Infinity): Promise<StoredDeadLetter[]> {
    return this.dead.list(limit);
  }
}

async function isEmpty(ctx: StoreContext): Promise<boolean> {
  const it = ctx.db.keys({ limit: 1 });
  try {
    return (await it.next()) === undefined;
  } finally {
    await it.close();
  }
}


