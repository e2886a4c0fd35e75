// A table's current rows, held in memory by key and made durable through storage: every change is one log entry
// (deletes and inserts, so continuous queries over the table see updates as -old +new) written atomically with the
// rows-by-key it changes. A row's key is its primary key; a table without one is a multiset, as in PostgreSQL, and
// each of its rows is keyed by a hidden row id instead (never shown, never reused). Writes to one table are
// serialized so a key check and its write cannot interleave with another statement's; INSERTs, and the drafts of
// a transaction block's UPDATEs and DELETEs (table-draft.ts), commit through commit.ts (with other relations'
// writes of the same transaction) holding this lock.

import type { TableDef } from '../catalog';
import { batchFromRows } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import type { Value } from '../types';
import type { DeadLetter, RelationAppend, RowPut, SourcePositions } from '../../storage';
import type { RelationStore } from '../catalog';
import { encodeChangeBatch } from '../codecs/change-batch';
import { decodeTuple, encodeTuple } from '../codecs/tuple';
import { numericKey } from '../state/keys';
import { rowKey } from './result-set';
import { concurrentUpdate, TableDraft, type RowKeyer, type StoredRow, type TableChange } from './table-draft';

export type { TableChange } from './table-draft';

/** Where a source-fed table's change leaves its source, written atomically with the change. */
export interface SourceProgress {
  readonly positions: SourcePositions;
  readonly deadLetters: readonly DeadLetter[];
}

/** A change encoded for storage, and what makes it the table's rows once it is durable. */
interface EncodedChange {
  readonly entry: Uint8Array;
  readonly rowPuts: RowPut[];
  readonly rowDeletes: Uint8Array[];
  readonly apply: () => void;
}

export class TableState implements RowKeyer {
  /** By `rowKey(key)`. */
  private readonly rows = new Map<string, StoredRow>();
  private readonly keyColumns: readonly number[];
  /** Per key column: whether it is NUMERIC, whose equal values of different scales are one key. */
  private readonly numericKeyColumns: readonly boolean[];
  /** The next hidden row id of a table without a primary key. */
  private nextRowId = 1n;
  /** Moves with every change of the rows, so a draft knows whether the rows it started from are still the table's. */
  private version = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly id: number, readonly def: TableDef, private readonly store: RelationStore) {
    this.keyColumns = def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
    this.numericKeyColumns = this.keyColumns.map((i) => def.columns[i].type.name === 'numeric');
  }

  async load(): Promise<void> {
    for (const r of await this.store.readTableRows(this.id)) {
      const key = decodeTuple(r.key);
      if (!this.hasPrimaryKey && typeof key[0] === 'bigint' && key[0] >= this.nextRowId) this.nextRowId = key[0] + 1n;
      this.rows.set(rowKey(key), { key, values: decodeTuple(r.row) });
    }
  }

  /**
   * The rows as they are now. Stored rows are never changed in place (an UPDATE stores a new row), so they are handed
   * out as they are: copying each of a million rows was one step of a second before a pull's first slice.
   */
  snapshot(): (readonly Value[])[] {
    return Array.from(this.rows.values(), (r) => r.values);
  }

  /** The stored row with `row`'s primary key, if any (a CDC update fills the values it did not send from it). */
  rowWithKeyOf(row: readonly Value[]): readonly Value[] | undefined {
    return this.rows.get(this.keyOf(row))?.values;
  }

  get size(): number {
    return this.rows.size;
  }

  /** Throws 23505 if a primary key of `rows` exists in the table or twice in `rows`. */
  checkNewKeys(rows: readonly (readonly Value[])[]): void {
    if (!this.hasPrimaryKey) return;
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
    const stored = rows.map((row) => this.newRow(row));
    return {
      rowPuts: stored.map(rowPut),
      apply: () => {
        for (const r of stored) this.rows.set(rowKey(r.key), r);
        this.version++;
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
      const deletes: StoredRow[] = [];
      for (const row of [...rows, ...deleteKeys]) {
        const old = this.rows.get(this.keyOf(row));
        if (old) deletes.push(old);
      }
      if (deletes.length === 0 && rows.length === 0) {
        if (source) await this.store.appendSourceBatch(this.id, null, source.positions, source.deadLetters);
        return;
      }
      await this.write(deletes, rows.map((row) => this.newRow(row)), source);
    });
  }

  /**
   * UPDATE / DELETE: `change` sees the current rows and returns which of them (the same objects) to delete and what
   * to insert; a new primary key that collides with a row that stays gets 23505. Resolves with the change made.
   */
  modify(change: (rows: readonly (readonly Value[])[]) => TableChange): Promise<TableChange> {
    return this.exclusive(async () => {
      const draft = this.draft();
      const c = draft.modify(change);
      const { deletes, inserts } = draft.net();
      await this.write(deletes, inserts);
      return c;
    });
  }

  /** A working copy of the rows as they are now, for a transaction block's UPDATEs and DELETEs (table-draft.ts). */
  draft(): TableDraft {
    return new TableDraft(this.rows, this.version, this);
  }

  /**
   * A block's draft as one relation's share of its COMMIT, the caller holding the table exclusively; 40001 if the
   * table changed after the draft was taken (the block's statements saw rows that are no longer there).
   */
  prepareDraft(draft: TableDraft): { append: RelationAppend; apply: () => void } {
    if (draft.baseVersion !== this.version) throw concurrentUpdate(this.def.name);
    const { deletes, inserts } = draft.net();
    const c = this.encodeChange(deletes, inserts);
    return { append: { relationId: this.id, entry: c.entry, rowPuts: c.rowPuts, rowDeletes: c.rowDeletes }, apply: c.apply };
  }

  private async write(deletes: readonly StoredRow[], inserts: readonly StoredRow[], source?: SourceProgress): Promise<void> {
    if (deletes.length === 0 && inserts.length === 0) return;
    const c = this.encodeChange(deletes, inserts);
    await this.store.appendTableChanges(this.id, c.entry, c.rowPuts, c.rowDeletes, source?.positions, source?.deadLetters);
    c.apply();
  }

  private encodeChange(deletes: readonly StoredRow[], inserts: readonly StoredRow[]): EncodedChange {
    const all = [...deletes, ...inserts].map((r) => r.values);
    const diffs = new Int32Array(all.length).fill(1);
    diffs.fill(-1, 0, deletes.length);
    const data = batchFromRows(this.def.columns, all);
    // A row whose key is written again is replaced by the put, not deleted.
    const insertedKeys = new Set(inserts.map((r) => rowKey(r.key)));
    const deletedOnly = deletes.filter((r) => !insertedKeys.has(rowKey(r.key)));
    return {
      entry: encodeChangeBatch({ data, diffs: deletes.length ? diffs : null }),
      rowPuts: inserts.map(rowPut),
      rowDeletes: deletedOnly.map((r) => encodeTuple(r.key)),
      apply: () => {
        for (const r of deletedOnly) this.rows.delete(rowKey(r.key));
        for (const r of inserts) this.rows.set(rowKey(r.key), r);
        this.version++;
      },
    };
  }

  /** Runs `work` as the table's only writer, after the writes before it (whether they succeeded or not). */
  exclusive<R>(work: () => Promise<R>): Promise<R> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  get hasPrimaryKey(): boolean {
    return this.keyColumns.length > 0;
  }

  /** A row about to be written: keyed by its primary key, or by the next hidden row id. */
  newRow(values: readonly Value[]): StoredRow {
    return { key: this.hasPrimaryKey ? this.keyOfRow(values) : [this.nextRowId++], values };
  }

  /** The primary key's values as the row shows them. */
  private keyValues(row: readonly Value[]): Value[] {
    return this.keyColumns.map((i) => row[i]);
  }

  /** The primary key a row is stored and found by: a NUMERIC's value whatever its scale (1.0 and 1.00 are one key). */
  private keyOfRow(row: readonly Value[]): Value[] {
    return this.keyColumns.map((i, k) => {
      const v = row[i];
      return this.numericKeyColumns[k] && typeof v === 'string' ? numericKey(v) : v;
    });
  }

  /** The map key of a row's primary key: rows with equal keys (NUMERIC 1.0 and 1.00 too) have the same one. */
  keyOf(row: readonly Value[]): string {
    return rowKey(this.keyOfRow(row));
  }

  duplicate(row: readonly Value[]): SqlError {
    const names = this.def.primaryKey.join(', ');
    const values = this.keyValues(row).map((v) => String(v)).join(', ');
    return new SqlError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${this.def.name}_pkey"`, {
      detail: `Key (${names})=(${values}) already exists.`,
    });
  }
}

function rowPut(r: StoredRow): RowPut {
  return { key: encodeTuple(r.key), row: encodeTuple(r.values) };
}
