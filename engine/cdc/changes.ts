// Committed upstream transactions turned into one upsert of the Sluice table: every insert and update becomes the
// full new row, every delete the row's key, and only the last change per key counts, in commit order (what applying
// them one by one would leave). A TRUNCATE deletes every row the table holds as of the write.

import type { TableDef } from '../catalog';
import type { Value } from '../types';
import { type LogicalMessage, type TupleValue, UNCHANGED } from './pgoutput';
import { checkColumns, valueOf } from './types';

/** What the Sluice table holds now, to fill values an update left unsent (TOASTed and unchanged) and to truncate. */
export interface CurrentRows {
  keyOf(row: readonly Value[]): string;
  rowWithKeyOf(row: readonly Value[]): readonly Value[] | undefined;
  snapshot(): readonly (readonly Value[])[];
}

export interface PendingWrite {
  readonly upserts: Value[][];
  readonly deleteKeys: Value[][];
  /** The end of the last transaction included: where streaming resumes once this write is durable. */
  readonly lsn: bigint;
  /** Row changes included (for sluice.sources messages). */
  readonly changes: number;
}

/** A Relation message's columns differ from the declared ones: stop, never misread. */
export class SchemaChanged extends Error {}

export class ChangeCollector {
  /**
   * By relation oid: for our table, the upstream position of each declared column as the last Relation message
   * described them; null for another table of the publication (a given publication may publish several).
   */
  private readonly relations = new Map<number, readonly number[] | null>();
  private readonly upstreamName: string;
  private readonly byKey = new Map<string, { row: Value[]; del: boolean }>();
  private truncated = false;
  private lsn: bigint | null = null;
  private changes = 0;
  /** Changes of the transaction being received, kept apart until its Commit; null between transactions. */
  private open: LogicalMessage[] | null = null;

  constructor(
    private readonly def: TableDef, private readonly table: CurrentRows,
    private readonly upstream: { readonly schema: string; readonly table: string },
  ) {
    this.upstreamName = `${upstream.schema}.${upstream.table}`;
  }


  /** Takes one message; returns true when it committed a transaction (a write may be due). */
  take(m: LogicalMessage): boolean {
    switch (m.tag) {
      case 'relation': this.relation(m); return false;
      case 'begin': this.open = []; return false;
      case 'insert': case 'update': case 'delete': case 'truncate': this.inTransaction().push(m); return false;
      case 'commit': {
        for (const c of this.inTransaction()) this.apply(c);
        this.open = null;
        this.lsn = m.endLsn;
        return true;
      }
      default: return false;
    }
  }

  /** True between transactions with every committed one drained: all that was received is handed on. */
  get idle(): boolean {
    return this.open === null && this.lsn === null;
  }

  private inTransaction(): LogicalMessage[] {
    if (this.open === null) throw new Error('pgoutput: a change outside a transaction');
    return this.open;
  }

  /** The committed changes collected so far, and a fresh start; null when no transaction committed since. */
  drain(): PendingWrite | null {
    if (this.lsn === null) return null;
    const upserts: Value[][] = [];
    const deleteKeys: Value[][] = this.truncated
      ? this.table.snapshot().filter((r) => !this.byKey.has(this.table.keyOf(r))).map((r) => [...r])
      : [];
    for (const o of this.byKey.values()) (o.del ? deleteKeys : upserts).push(o.row);
    const out = { upserts, deleteKeys, lsn: this.lsn, changes: this.changes };
    this.byKey.clear();
    this.truncated = false;
    this.lsn = null;
    this.changes = 0;
    return out;
  }

  private relation({ oid, schema, name, columns }: Extract<LogicalMessage, { tag: 'relation' }>): void {
    if (schema !== this.upstream.schema || name !== this.upstream.table) {
      this.relations.set(oid, null);
      return;
    }
    const declared = this.def.columns;
    try {
      checkColumns(declared, columns, this.upstreamName);
    } catch (e) {
      throw new SchemaChanged(`upstream table ${this.upstreamName} changed: ${(e as Error).message}`);
    }
    this.relations.set(oid, declared.map((f) => columns.findIndex((c) => c.name === f.name)));
  }

  private apply(m: LogicalMessage): void {
    if (m.tag === 'truncate') {
      if (!m.oids.some((oid) => this.relations.get(oid))) return;
      this.byKey.clear();
      this.truncated = true;
      this.changes++;
      return;
    }
    if (m.tag !== 'insert' && m.tag !== 'update' && m.tag !== 'delete') return;
    const map = this.relations.get(m.oid);
    if (map === undefined) throw new Error(`pgoutput: change of relation ${m.oid} before its Relation message`);
    if (map === null) return;
    this.changes++;
    if (m.tag === 'delete') {
      this.put(this.keyRow(map, m.old), true);
      return;
    }
    const row = this.rowOf(map, m.tuple);
    // An update that changed the key: the old key's row goes.
    if (m.tag === 'update' && m.old !== null) {
      const oldKey = this.keyRow(map, m.old);
      if (this.table.keyOf(oldKey) !== this.table.keyOf(row)) this.put(oldKey, true);
    }
    this.put(row, false);
  }

  private put(row: Value[], del: boolean): void {
    const k = this.table.keyOf(row);
    this.byKey.delete(k); // re-inserted, so the map keeps each key's last change in order
    this.byKey.set(k, { row, del });
  }

  private rowOf(map: readonly number[], tuple: readonly TupleValue[]): Value[] {
    const cols = this.def.columns;
    const raw = map.map((i) => tuple[i]);
    if (!raw.includes(UNCHANGED)) return raw.map((t, j) => valueOf(cols[j], t as string | null));
    // Unchanged TOASTed values are not sent: they are the row's current ones (its key is always sent).
    const keyOnly = raw.map((t, j) => (t === UNCHANGED || !this.def.primaryKey.includes(cols[j].name) ? null : valueOf(cols[j], t)));
    const current = this.currentRow(keyOnly);
    if (current === undefined) throw new Error(`an update of ${this.upstreamName} left a value unsent for a row Sluice does not hold`);
    return raw.map((t, j) => (t === UNCHANGED ? current[j] : valueOf(cols[j], t)));
  }

  private currentRow(keyRow: Value[]): readonly Value[] | undefined {
    const pending = this.byKey.get(this.table.keyOf(keyRow));
    if (pending !== undefined) return pending.del ? undefined : pending.row;
    return this.truncated ? undefined : this.table.rowWithKeyOf(keyRow);
  }

  /** A full-width row with only the primary key set, from an old tuple (replica identity columns, or all of them). */
  private keyRow(map: readonly number[], tuple: readonly TupleValue[]): Value[] {
    const cols = this.def.columns;
    return map.map((i, j) => {
      if (!this.def.primaryKey.includes(cols[j].name)) return null;
      const t = tuple[i];
      if (t === null || t === UNCHANGED || t === undefined) {
        throw new SchemaChanged(`a change of ${this.upstreamName} does not carry key column "${cols[j].name}": its ` +
          'replica identity must include the Sluice primary key');
      }
      return valueOf(cols[j], t);
    });
  }
}
