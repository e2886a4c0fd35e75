// Groups of a hash aggregate: key values, the weight of rows in the group, one accumulator per aggregate, and the
// output row last emitted: the session aggregate's groups. Their record layout (writeGroup) is also the one the hash
// aggregate's columnar groups write (engine/operators/group-store.ts).

import type { Accumulator, AccumulatorFactory } from '../aggregate';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Key } from '../state/keys';
import type { Value } from '../types';

export interface Group {
  readonly key: Key;
  readonly keyValues: readonly Value[];
  /** Sum of the weights of the rows in the group; the group exists while it is positive. */
  rows: number;
  readonly accs: Accumulator[];
  /** The output row last emitted for this group (changes mode), to be deleted when the group changes. */
  emitted: Value[] | null;
}

export function newGroup(key: Key, keyValues: readonly Value[], factories: readonly AccumulatorFactory[]): Group {
  return { key, keyValues, rows: 0, accs: factories.map((f) => f()), emitted: null };
}

/** A group as state table bytes (the table writes its key): key values, row weight, emitted row, accumulators. */
export function writeGroup(w: ByteWriter, g: Group): void {
  w.uvar(g.keyValues.length);
  for (const v of g.keyValues) w.value(v);
  w.svar(g.rows);
  if (g.emitted === null) w.u8(0);
  else {
    w.u8(1).uvar(g.emitted.length);
    for (const v of g.emitted) w.value(v);
  }
  for (const a of g.accs) a.write(w);
}

export function readGroup(r: ByteReader, key: Key, factories: readonly AccumulatorFactory[]): Group {
  const nk = r.uvar();
  const keyValues: Value[] = [];
  for (let i = 0; i < nk; i++) keyValues.push(r.value());
  const g = newGroup(key, keyValues, factories);
  g.rows = r.svar();
  if (r.u8() === 1) {
    const ne = r.uvar();
    const emitted: Value[] = [];
    for (let i = 0; i < ne; i++) emitted.push(r.value());
    g.emitted = emitted;
  }
  for (const a of g.accs) a.read(r);
  return g;
}

export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' && typeof b === 'object') return a.months === b.months && a.days === b.days && a.micros === b.micros;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return Number(a) === Number(b) || (a !== a && b !== b);
  }
  return false;
}

export function sameRow(a: readonly Value[] | null, b: readonly Value[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

/** Collects output rows and weights during a flush, then builds one change batch. */
export class ChangeCollector {
  readonly rows: Value[][] = [];
  readonly weights: number[] = [];

  add(row: Value[], weight: number): void {
    this.rows.push(row);
    this.weights.push(weight);
  }

  get size(): number {
    return this.rows.length;
  }
}
