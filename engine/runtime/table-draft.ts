// A working copy of a table's rows that statements change before anything is written: an UPDATE or DELETE outside a
// block (one statement, then written at once), or every change a transaction block makes to a table it updated or
// deleted from (written at COMMIT, all or nothing). Each statement's change is checked whole before it is applied
// to the copy, so a failed statement leaves the copy as it was. What the copy differs in from the rows it started
// from is the change to write (`net`).

import { SqlError, SQLSTATE } from '../errors';
import type { Value } from '../types';
import { rowKey } from './result-set';

/** A row as a table holds it: its values and the key storage files it under (table-state.ts says which). */
export interface StoredRow {
  readonly key: readonly Value[];
  readonly values: readonly Value[];
}

export interface TableChange {
  readonly deletes: readonly (readonly Value[])[];
  readonly inserts: readonly (readonly Value[])[];
}

/** What a draft needs from its table: how a new row is keyed, and the error for a key that exists. */
export interface RowKeyer {
  readonly hasPrimaryKey: boolean;
  newRow(values: readonly Value[]): StoredRow;
  duplicate(values: readonly Value[]): SqlError;
}

export class TableDraft {
  private readonly rows: Map<string, StoredRow>;

  /** `base`: the table's rows by `rowKey(key)` when the draft was taken, at the table's `baseVersion`. */
  constructor(
    private readonly base: ReadonlyMap<string, StoredRow>, readonly baseVersion: number, private readonly keyer: RowKeyer,
  ) {
    this.rows = new Map(base);
  }

  /**
   * UPDATE / DELETE: `change` sees the rows and returns which of them (the same objects) to delete and what to
   * insert; a new primary key that collides with a row that stays is 23505 and changes nothing.
   */
  modify(change: (rows: readonly (readonly Value[])[]) => TableChange): TableChange {
    const storedByValues = new Map([...this.rows.values()].map((r) => [r.values, r]));
    const c = change([...storedByValues.keys()]);
    this.apply(c.deletes.map((values) => storedByValues.get(values)!), c.inserts);
    return c;
  }

  /** INSERT: rows that must not repeat a primary key of the draft or of each other (23505). */
  insert(rows: readonly (readonly Value[])[]): void {
    this.apply([], rows);
  }

  /** The change from the rows the draft started from: rows gone (or replaced under their key) and rows new. */
  net(): { deletes: StoredRow[]; inserts: StoredRow[] } {
    const deletes = [...this.base].filter(([k, r]) => this.rows.get(k) !== r).map(([, r]) => r);
    const inserts = [...this.rows].filter(([k, r]) => this.base.get(k) !== r).map(([, r]) => r);
    return { deletes, inserts };
  }

  private apply(deletes: readonly StoredRow[], inserts: readonly (readonly Value[])[]): void {
    const added = inserts.map((values) => this.keyer.newRow(values));
    if (this.keyer.hasPrimaryKey) {
      const remaining = new Set(this.rows.keys());
      for (const r of deletes) remaining.delete(rowKey(r.key));
      for (const r of added) {
        const key = rowKey(r.key);
        if (remaining.has(key)) throw this.keyer.duplicate(r.values);
        remaining.add(key);
      }
    }
    for (const r of deletes) this.rows.delete(rowKey(r.key));
    for (const r of added) this.rows.set(rowKey(r.key), r);
  }
}

/** For the caller of an UPDATE or DELETE inside a block whose table changed since: the block cannot commit. */
export function concurrentUpdate(table: string): SqlError {
  return new SqlError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update', {
    detail: `Another session changed table "${table}" after this transaction block read it for UPDATE or DELETE.`,
    hint: 'Run the transaction block again.',
  });
}
