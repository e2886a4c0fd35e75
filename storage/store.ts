// The Store: everything durable about a Sluice server, in one LevelDB in the data directory. This file is the
// facade and the lifecycle (open, format check, recovery of in-memory counters, close); the parts live in
// catalog-store.ts, logs.ts, staging.ts, epochs.ts and dead-letters.ts. docs/durability.md states the promise it keeps.

import * as path from 'node:path';
import { type CatalogChange, CatalogPart, type NamedDef, type StoredDef } from './catalog-store';
import { type StoreContext, type StoreLog, getJson, putJson } from './db-io';
import { type DeadLetter, DeadLetterPart, type StoredDeadLetter } from './dead-letters';
import { type Checkpoint, type EpochCommit, EpochPart, type LoadedQuery, type Offsets, type ResultRow } from './epochs';
import { StorageError } from './errors';
import { GroupCommit } from './group-commit';
import {
  type LogEntry, type LogListener, LogPart, type RelationAppend, type RowPut, type SourcePositions, type TableRow,
} from './logs';
import { metaKey } from './keys';
import { openLevel } from './open-db';
import { type RoleChange, type RoleRecord, RolePart } from './roles';
import { type StagedLogEntry, StagingPart } from './staging';

/** Bump when the key layout or a value encoding changes incompatibly (docs/durability.md lists the versions). */
export const FORMAT_VERSION = 5;

/** `D` is the engine's definition type: storage keeps it as JSON and needs only its name. */
export class Store<D extends NamedDef = NamedDef> {
  private readonly catalog: CatalogPart<D>;
  private readonly roles: RolePart;
  private readonly logs: LogPart;
  private readonly staging: StagingPart;
  private readonly epochs: EpochPart;
  private readonly dead: DeadLetterPart;
  private closed: Promise<void> | null = null;

  private constructor(private readonly ctx: StoreContext) {
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
    const store = new Store<D>({ db, dir: where, writer: new GroupCommit(db, where), log });
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
    if (format === undefined) {
      const empty = await isEmpty(this.ctx);
      if (!empty) {
        throw new StorageError('version', `data directory ${this.ctx.dir} holds a LevelDB database that is not ` +
          'a Sluice data directory (no format version)');
      }
      await this.ctx.writer.submit([putJson(metaKey('format'), FORMAT_VERSION)]);
    } else if (format !== FORMAT_VERSION) {
      throw new StorageError('version', `data directory ${this.ctx.dir} has format version ${format}; this ` +
        `Sluice reads version ${FORMAT_VERSION}`);
    }
    await this.catalog.load();
    await this.roles.load();
    const ids = this.catalog.list().map((s) => s.id);
    await this.logs.recover(ids);
    await this.staging.recover(ids);
    await this.epochs.recover(ids);
    await this.dead.recover();
    for (const id of await this.catalog.orphanIds()) {
      const n = await this.catalog.purge(id);
      this.ctx.log(`storage: removed ${n} entries left by dropped relation ${id}`);
    }
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
    this.closed ??= (async () => {
      await this.staging.settle();
      await this.ctx.writer.drain();
      await this.ctx.db.close();
    })();
    return this.closed;
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
    await this.ctx.writer.submit(p.ops, { onDurable: p.apply });
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


