// A table's current rows, held in memory by primary key and made durable through storage: every change is one log
// entry (deletes and inserts, so continuous queries over the table see updates as -old +new) written atomically with
// the rows-by-key it changes. Writes to one table are serialized so a key check and its write cannot interleave with
// another statement's; INSERTs commit through commit.ts (with other relations' writes of the same transaction)
// holding this lock.

import type { TableDef } from '../catalog';
import { batchFromRows } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import type { Value } from '../types';
import type { DeadLetter, RowPut, SourcePositions } from '../../storage';
import type { RelationStore } from '../catalog';
import { encodeChangeBatch } from '../codecs/change-batch';
import { decodeTuple, encodeTuple } from '../codecs/tuple';
import { rowKey } from './result-set';

/** Where a source-fed table's change leaves its source, written atomically with the change. */
export interface SourceProgress {
  readonly positions: SourcePositions;
  readonly deadLetters: readonly DeadLetter[];
}

export interface TableChange {
  readonly deletes: readonly (readonly Value[])[];
  readonly inserts: readonly (readonly Value[])[];
}

export class TableState {
  private readonly rows = new Map<string, readonly Value[]>();
  private readonly keyColumns: readonly number[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly id: number, readonly def: TableDef, private readonly store: RelationStore) {
    this.keyColumns = def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
  }

  async load(): Promise<void> {
    for (const r of await this.store.readTableRows(this.id)) {
      const row = decodeTuple(r.row);
      this.rows.set(this.keyOf(row), row);
    }
  }

  snapshot(): Value[][] {
    return [...this.rows.values()].map((r) => [...r]);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Throws 23505 if a key of `rows` exists in the table or twice in `rows`. */
  checkNewKeys(rows: readonly (readonly Value[])[]): void {
    const seen = new Set<string>();
    for (const row of rows) {
      const key = this.keyOf(row);
      if (this.rows.has(key) || seen.has(key)) throw this.duplicate(row);
      seen.add(key);
    }
  }

  /**
   * INSERTed rows (keys checked by checkNewKeys) as storage writes them next to their log entry: each row under its
   * primary key. The caller holds the table exclusively and calls `apply` once the write is durable.
   */
  prepareInserts(rows: readonly (readonly Value[])[]): { rowPuts: RowPut[]; apply: () => void } {
    return {
      rowPuts: rows.map((row) => ({ key: encodeTuple(this.keyValues(row)), row: encodeTuple(row) })),
      apply: () => {
        for (const row of rows) this.rows.set(this.keyOf(row), row);
      },
    };
  }

  /**
   * Upserts by key (Kafka tables): an existing row is replaced; `deleteKeys` (full-width rows, only the key columns
   * read) delete. With `source`, its positions and dead letters are written in the same atomic write as the rows,
   * even when nothing changed.
   */
  upsert(
    rows: readonly (readonly Value[])[], deleteKeys: readonly (readonly Value[])[] = [], source?: SourceProgress,
  ): Promise<void> {
    return this.exclusive(async () => {
      const deletes: (readonly Value[])[] = [];
      for (const row of [...rows, ...deleteKeys]) {
        const old = this.rows.get(this.keyOf(row));
        if (old) deletes.push(old);
      }
      if (deletes.length === 0 && rows.length === 0) {
        if (source) await this.store.appendSourceBatch(this.id, null, source.positions, source.deadLetters);
        return;
      }
      await this.write({ deletes, inserts: rows }, source);
    });
  }

  /**
   * UPDATE / DELETE: `change` sees the current rows and returns which to delete and what to insert; a new key that
   * collides with a row that stays gets 23505.
   */
  modify(change: (rows: readonly (readonly Value[])[]) => TableChange): Promise<number> {
    return this.exclusive(async () => {
      const c = change([...this.rows.values()]);
      const remaining = new Set(this.rows.keys());
      for (const row of c.deletes) remaining.delete(this.keyOf(row));
      for (const row of c.inserts) {
        const key = this.keyOf(row);
        if (remaining.has(key)) throw this.duplicate(row);
        remaining.add(key);
      }
      await this.write(c);
      return Math.max(c.deletes.length, c.inserts.length);
    });
  }

  private async write(c: TableChange, source?: SourceProgress): Promise<void> {
    if (c.deletes.length === 0 && c.inserts.length === 0) return;
    const all = [...c.deletes, ...c.inserts];
    const diffs = new Int32Array(all.length).fill(1);
    diffs.fill(-1, 0, c.deletes.length);
    const data = batchFromRows(this.def.columns, all);
    const insertedKeys = new Set(c.inserts.map((r) => this.keyOf(r)));
    const deletedKeys = c.deletes.map((r) => this.keyOf(r)).filter((k) => !insertedKeys.has(k));
    await this.store.appendTableChanges(
      this.id,
      encodeChangeBatch({ data, diffs: c.deletes.length ? diffs : null }),
      c.inserts.map((row) => ({ key: encodeTuple(this.keyValues(row)), row: encodeTuple(row) })),
      c.deletes.filter((r) => !insertedKeys.has(this.keyOf(r))).map((r) => encodeTuple(this.keyValues(r))),
      source?.positions, source?.deadLetters,
    );
    for (const k of deletedKeys) this.rows.delete(k);
    for (const row of c.inserts) this.rows.set(this.keyOf(row), row);
  }

  /** Runs `work` as the table's only writer, after the writes before it (whether they succeeded or not). */
  exclusive<R>(work: () => Promise<R>): Promise<R> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private keyValues(row: readonly Value[]): Value[] {
    return this.keyColumns.map((i) => row[i]);
  }

  private keyOf(row: readonly Value[]): string {
    return rowKey(this.keyValues(row));
  }

  private duplicate(row: readonly Value[]): SqlError {
    const names = this.def.primaryKey.join(', ');
    const values = this.keyValues(row).map((v) => String(v)).join(', ');
    return new SqlError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${this.def.name}_pkey"`, {
      detail: `Key (${names})=(${values}) already exists.`,
    });
  }
}
