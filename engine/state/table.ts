// Keyed operator state. An operator keeps its own value objects (groups, join entries, ...) in a state table, in
// memory, and reads and changes them as it runs; the table remembers which keys changed. The runner (engine/dag.ts)
// owns every table: at each epoch's snapshot it encodes the changed keys once each, as one chunk of the table's
// chunk log (engine/state/chunks.ts), and before the first epoch it loads the tables back. Operators never see
// bytes, chunks or epochs: they give a value codec when they create a table, and put, delete, get and scan.

import type { Pacer } from '../slices';
import { ChunkLog, type Encode, type StateDelta } from './chunks';
import type { ByteReader, ByteWriter } from './codec';
import { readKey, writeKey, type Key } from './keys';

/** A table's values to bytes and back. The key is written by the table; `read` gets it back. */
export interface ValueCodec<V> {
  write(w: ByteWriter, value: V): void;
  read(r: ByteReader, key: Key): V;
}

/** A number (a watermark, an event time) as a table value. */
export const NUMBER_CODEC: ValueCodec<number> = { write: (w, v) => void w.f64(v), read: (r) => r.f64() };

/** What an operator sees of a state table. */
export interface StateTable<V> {
  get(key: Key): V | undefined;
  has(key: Key): boolean;
  /**
   * Stores `value` under `key`, to be written at the next snapshot. A value object changed in place is written only
   * when it is put again: put it at the latest when the epoch ends (the operator's flush).
   */
  put(key: Key, value: V): void;
  delete(key: Key): void;
  readonly size: number;
  values(): IterableIterator<V>;
  entries(): IterableIterator<[Key, V]>;
}

/** Creates the state tables of one operator; each name once. */
export type StateTables = <V>(name: string, codec: ValueCodec<V>) => StateTable<V>;

/**
 * State that encodes itself as records of a chunk log: a state table (below), or an operator's own columnar store
 * (the hash aggregate's groups, engine/operators/group-store.ts). The runner owns the chunk log around it.
 */
export interface RecordState {
  /** Records changed since the last snapshot. */
  readonly changes: number;
  /** Every live record, for a rewrite of the whole log. */
  allRecords(): Iterable<Encode>;
  /** The changed records, in the order a restore must apply them. */
  changedRecords(): Iterable<Encode>;
  /** The snapshot has encoded the changes. */
  clearChanges(): void;
  /** Applies `count` stored records, in the order they were written. */
  readRecords(r: ByteReader, count: number): void;
}

/** Registers an operator's own record state under `name`; each name once. */
export type RecordStates = (name: string, state: RecordState) => void;

/**
 * A state table: its rows in memory. Each record is a key, then 1 and the value, or 0 when the key was deleted.
 */
class DurableTable<V> implements StateTable<V>, RecordState {
  private readonly rows = new Map<Key, V>();
  /** Keys put or deleted since the last snapshot; null when the table is never made durable (pull queries). */
  private readonly changed: Set<Key> | null;

  constructor(private readonly codec: ValueCodec<V>, durable: boolean) {
    this.changed = durable ? new Set() : null;
  }

  get(key: Key): V | undefined {
    return this.rows.get(key);
  }

  has(key: Key): boolean {
    return this.rows.has(key);
  }

  put(key: Key, value: V): void {
    this.rows.set(key, value);
    this.changed?.add(key);
  }

  delete(key: Key): void {
    this.rows.delete(key);
    this.changed?.add(key);
  }

  get size(): number {
    return this.rows.size;
  }

  values(): IterableIterator<V> {
    return this.rows.values();
  }

  entries(): IterableIterator<[Key, V]> {
    return this.rows.entries();
  }

  get changes(): number {
    if (this.changed === null) throw new Error('engine: snapshot of a state table that is not durable');
    return this.changed.size;
  }

  *allRecords(): Generator<Encode> {
    for (const [key, value] of this.rows) yield (w) => this.codec.write(writeKey(w, key).u8(1), value);
  }

  *changedRecords(): Generator<Encode> {
    for (const key of this.changed ?? []) {
      const value = this.rows.get(key);
      yield (w) => {
        writeKey(w, key);
        if (value === undefined) w.u8(0);
        else this.codec.write(w.u8(1), value);
      };
    }
  }

  clearChanges(): void {
    this.changed?.clear();
  }

  readRecords(r: ByteReader, count: number): void {
    for (let i = 0; i < count; i++) {
      const key = readKey(r);
      if (r.u8() === 1) this.rows.set(key, this.codec.read(r, key));
      else this.rows.delete(key);
    }
  }
}

/** A record state and its chunk log. */
class ChunkedState {
  private readonly log = new ChunkLog();

  constructor(private readonly state: RecordState) {}

  async snapshot(epoch: number, pacer: Pacer): Promise<StateDelta> {
    const { state } = this;
    const delta = await this.log.write(epoch, state.changes, () => state.allRecords(), () => state.changedRecords(), pacer);
    state.clearChanges();
    return delta;
  }

  restore(values: Iterable<[string, Uint8Array]>): void {
    this.log.restore(values, (r, count) => this.state.readRecords(r, count));
  }
}

/**
 * The runner's side: every state table of a DAG, each under its own prefix of state keys (`3/groups/c12.0`). One
 * snapshot per committed epoch collects every table's chunk; restore hands each table its stored chunks.
 */
export class StateStore {
  private readonly tables = new Map<string, ChunkedState>();

  /** `durable`: false for a pull query, whose tables are never snapshotted (they track no changes). */
  constructor(private readonly durable: boolean) {}

  /** The table creator of one owner (an operator, or the runner itself) whose state keys start with `prefix/`. */
  tablesOf(prefix: string): StateTables {
    return <V>(name: string, codec: ValueCodec<V>): StateTable<V> => {
      const table = new DurableTable(codec, this.durable);
      this.add(`${prefix}/${name}/`, table);
      return table;
    };
  }

  /** The record-state registrar of one owner, like `tablesOf`. */
  recordsOf(prefix: string): RecordStates {
    return (name, state) => this.add(`${prefix}/${name}/`, state);
  }

  private add(at: string, state: RecordState): void {
    if (this.tables.has(at)) throw new Error(`engine: state table ${at} exists twice`);
    this.tables.set(at, new ChunkedState(state));
  }

  /** Every table's chunk for `epoch`, paced by `pacer`; no table may change until it resolves. */
  async snapshot(epoch: number, pacer: Pacer): Promise<StateDelta> {
    const delta: StateDelta = new Map();
    for (const [at, table] of this.tables) {
      for (const [name, v] of await table.snapshot(epoch, pacer)) delta.set(at + name, v);
    }
    return delta;
  }

  /** Loads every table from the stored state keys; a key that belongs to no table is refused. */
  restore(entries: Iterable<[string, Uint8Array]>): void {
    const perTable = new Map<ChunkedState, [string, Uint8Array][]>();
    for (const [k, v] of entries) {
      const slash = k.lastIndexOf('/');
      const table = this.tables.get(k.slice(0, slash + 1));
      if (slash < 0 || table === undefined) throw new Error(`engine: state key ${JSON.stringify(k)} does not belong to this plan`);
      let list = perTable.get(table);
      if (list === undefined) perTable.set(table, (list = []));
      list.push([k.slice(slash + 1), v]);
    }
    for (const [table, list] of perTable) table.restore(list);
  }
}
