// The order a top-n ranks rows by: ORDER BY's keys (each ASC or DESC, NULLS FIRST or LAST), then, to break ties, the
// whole row (every column ascending, NULLs last) and last its row key, so any two different rows have a rank between
// them and the rows chosen do not depend on the order they arrived in. Values compare as the comparison operators do
// (engine/expr/kernels/compare.ts): numbers numerically with NaN above all, NUMERIC by value, text by code unit.

import { keyCodecFor, type Key, type KeyCodec } from '../state/keys';
import type { Schema, Value } from '../types';

export interface OrderKey {
  readonly column: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A row with what ranking it needs: its row key and each column's value as a comparable key (null for NULL). */
export interface RankedRow {
  readonly key: Key;
  readonly row: readonly Value[];
  readonly ranks: readonly (Key | null)[];
}

export class RowOrder {
  private readonly codecs: KeyCodec[];

  constructor(schema: Schema, private readonly keys: readonly OrderKey[]) {
    this.codecs = schema.map((f) => keyCodecFor(f.type));
  }

  /** The comparable keys of a row's values. */
  ranksOf(row: readonly Value[]): (Key | null)[] {
    return row.map((v, c) => (v === null ? null : this.codecs[c].keyOf(v)));
  }

  /** Negative when `a` ranks before `b`; 0 only for the same row key. */
  compare(a: RankedRow, b: RankedRow): number {
    for (const k of this.keys) {
      const c = this.compareColumn(a, b, k.column, k.nullsFirst);
      if (c !== 0) return k.descending && a.ranks[k.column] !== null && b.ranks[k.column] !== null ? -c : c;
    }
    for (let c = 0; c < this.codecs.length; c++) {
      const x = this.compareColumn(a, b, c, false);
      if (x !== 0) return x;
    }
    // Equal values with different keys (NUMERIC 1.0 and 1.00): still two rows, in a fixed order.
    const ka = String(a.key);
    const kb = String(b.key);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  }

  private compareColumn(a: RankedRow, b: RankedRow, c: number, nullsFirst: boolean): number {
    const x = a.ranks[c];
    const y = b.ranks[c];
    if (x === null || y === null) {
      if (x === y) return 0;
      return (x === null) === nullsFirst ? -1 : 1;
    }
    return this.codecs[c].compare(x, y);
  }
}
