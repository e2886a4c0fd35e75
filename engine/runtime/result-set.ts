// The materialized result of a continuous query: a multiset of rows, changed by +1/-1 weights. SELECT reads it,
// downstream queries read its changes from the query's log, and each epoch's net effect on it is written to storage
// in the same atomic batch as the state that produced it.

import type { Value } from '../types';

export interface ResultRow {
  readonly row: readonly Value[];
  count: number;
}

/** What one epoch does to the stored result: rows whose count changed, with the new count (0 = delete). */
export interface ResultDelta {
  readonly key: string;
  readonly row: readonly Value[];
  readonly count: number;
}

export class ResultSet {
  private readonly rows = new Map<string, ResultRow>();

  get size(): number {
    let n = 0;
    for (const r of this.rows.values()) n += r.count;
    return n;
  }

  /** Every row, repeated by its multiplicity, in no particular order. */
  snapshot(): Value[][] {
    const out: Value[][] = [];
    for (const r of this.rows.values()) for (let i = 0; i < r.count; i++) out.push([...r.row]);
    return out;
  }

  /**
   * The delta that applying these changes would make, without applying it: callers make the delta durable first
   * and only then `apply` it, so SELECT never sees an epoch that could still be lost.
   */
  plan(changes: readonly (readonly Value[])[], diffs: Int32Array | null): ResultDelta[] {
    const pending = new Map<string, { row: readonly Value[]; count: number }>();
    for (let i = 0; i < changes.length; i++) {
      const row = changes[i];
      const key = rowKey(row);
      let p = pending.get(key);
      if (!p) {
        p = { row, count: this.rows.get(key)?.count ?? 0 };
        pending.set(key, p);
      }
      p.count += diffs ? diffs[i] : 1;
    }
    const out: ResultDelta[] = [];
    for (const [key, p] of pending) {
      if (p.count < 0) throw new Error(`result row deleted more often than inserted: ${key}`);
      if (p.count !== (this.rows.get(key)?.count ?? 0)) out.push({ key, row: p.row, count: p.count });
    }
    return out;
  }

  apply(delta: readonly ResultDelta[]): void {
    for (const d of delta) {
      if (d.count === 0) this.rows.delete(d.key);
      else this.rows.set(d.key, { row: d.row, count: d.count });
    }
  }

  /** Restores rows loaded from storage at startup. */
  load(rows: Iterable<{ readonly row: readonly Value[]; readonly count: number }>): void {
    for (const r of rows) this.rows.set(rowKey(r.row), { row: r.row, count: r.count });
  }
}

/** A stable text key for a row; distinguishes types that print alike (1 vs 1n vs '1'). */
export function rowKey(row: readonly Value[]): string {
  return JSON.stringify(row, keyReplacer);
}

function keyReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `f${v}`;
  return v;
}
