// Group numbers for a hash aggregate: each distinct group key gets a small number, reused once its group is gone,
// and the key values are kept as columns by that number (a Float64Array, a NULL byte and, for int8 and timestamps,
// the exact int64 per numeric key column; a plain array for text, booleans and intervals). Every per-group field of
// the aggregate (engine/operators/group-store.ts, engine/aggregate/grouped.ts) is a column indexed the same way.
//
// A row finds its number through a NumberTupleMap over the key columns' typed arrays when every key column is
// numeric (no string is built, nothing allocated per row); rows with a NULL key, an int8 beyond ±2^53 (its double
// is not exact), and keys that are not all numeric, go through a Map by the state key string (engine/state/keys.ts). The state key of a group is the one the
// aggregate's stored records have always carried, so state written by either form reads back in the other.

import { BIGINT_TYPES, compactNulls, numberToBigInt, REPR, valueAt, vecFromValues, type NumVec, type Vec } from '../columns/vec';
import type { SqlType, Value } from '../types';
import { isWide } from '../expr/kernels/integer';
import { anyNullAt, RowKeyer, type Key } from './keys';
import { NumberTupleMap } from './number-tuple-map';

interface KeyColumn {
  grow(capacity: number): void;
  set(g: number, v: Vec, i: number): void;
  setValue(g: number, value: Value): void;
  get(g: number): Value;
  isNull(g: number): boolean;
  /** The value as a number (numeric columns, non-NULL only). */
  number(g: number): number;
  /** Whether number(g) is the value itself (not an int8 beyond ±2^53, which no double holds exactly). */
  numberIsExact(g: number): boolean;
  /** The values of groups `groups` as a column. */
  gather(groups: Int32Array): Vec;
}

function grownCopy<A extends Float64Array | Uint8Array | BigInt64Array>(a: A, capacity: number, make: (n: number) => A): A {
  const b = make(capacity);
  b.set(a as never);
  return b;
}

class NumberKeyColumn implements KeyColumn {
  private values = new Float64Array(0);
  private nulls = new Uint8Array(0);
  private exact: BigInt64Array | null;

  constructor(private readonly type: SqlType) {
    this.exact = BIGINT_TYPES.has(type.name) ? new BigInt64Array(0) : null;
  }

  grow(capacity: number): void {
    this.values = grownCopy(this.values, capacity, (n) => new Float64Array(n));
    this.nulls = grownCopy(this.nulls, capacity, (n) => new Uint8Array(n));
    if (this.exact !== null) this.exact = grownCopy(this.exact, capacity, (n) => new BigInt64Array(n));
  }

  set(g: number, v: Vec, i: number): void {
    const num = v as NumVec;
    const isNull = num.nulls !== null && num.nulls[i] === 1;
    this.nulls[g] = isNull ? 1 : 0;
    // A group shows the first value seen, as in PostgreSQL: -0 when that was -0 (its key is 0's all the same).
    this.values[g] = isNull ? 0 : num.values[i];
    if (this.exact !== null) this.exact[g] = isNull ? 0n : num.exact !== undefined ? num.exact[i] : numberToBigInt(num.values[i]);
  }

  setValue(g: number, value: Value): void {
    this.nulls[g] = value === null ? 1 : 0;
    this.values[g] = value === null ? 0 : Number(value) + 0;
    if (this.exact !== null) this.exact[g] = typeof value === 'bigint' ? value : value === null ? 0n : numberToBigInt(Number(value));
  }

  get(g: number): Value {
    if (this.nulls[g] === 1) return null;
    return this.exact !== null ? this.exact[g] : this.values[g];
  }

  isNull(g: number): boolean {
    return this.nulls[g] === 1;
  }

  number(g: number): number {
    return this.values[g];
  }

  numberIsExact(g: number): boolean {
    return this.exact === null || !isWide(this.values[g]);
  }

  gather(groups: Int32Array): Vec {
    const n = groups.length;
    const values = new Float64Array(n);
    const nulls = new Uint8Array(n);
    const exact = this.exact === null ? undefined : new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      values[i] = this.values[g];
      nulls[i] = this.nulls[g];
      if (exact !== undefined) exact[i] = this.exact![g];
    }
    return { kind: 'num', type: this.type, length: n, nulls: compactNulls(nulls), values, exact };
  }
}

class ValueKeyColumn implements KeyColumn {
  private readonly values: Value[] = [];

  constructor(private readonly type: SqlType) {}

  grow(capacity: number): void {
    this.values.length = capacity;
  }

  set(g: number, v: Vec, i: number): void {
    this.values[g] = valueAt(v, i);
  }

  setValue(g: number, value: Value): void {
    this.values[g] = value;
  }

  get(g: number): Value {
    return this.values[g];
  }

  isNull(g: number): boolean {
    return this.values[g] === null;
  }

  number(): number {
    throw new Error('engine: a group key column that is not numeric has no numbers');
  }

  numberIsExact(): boolean {
    return false;
  }

  gather(groups: Int32Array): Vec {
    return vecFromValues(Array.from(groups, (g) => this.values[g]), this.type);
  }
}

/** True when an int64-valued column (int8, timestamps) holds beyond ±2^53 at row i: the rows numberIsExact refuses. */
function anyWideAt(cols: readonly Vec[], i: number): boolean {
  for (const v of cols) if (v.kind === 'num' && BIGINT_TYPES.has(v.type.name) && isWide(v.values[i])) return true;
  return false;
}

/** A Map or NumberTupleMap entry and its share of the table's spare room, as V8 lays them out. */
const INDEX_ENTRY_BYTES = 48;

export class GroupKeys {
  /** Group numbers handed out so far (the highest plus one), and the room the columns have. */
  private top = 0;
  private capacity = 0;
  /** Numbers of groups that are gone, to be reused. */
  private readonly free: number[] = [];
  private readonly columns: KeyColumn[];
  private readonly keyer: RowKeyer;
  /** Groups by their key numbers, when every key column is numeric; otherwise null. */
  private readonly byNumbers: NumberTupleMap<number> | null;
  /** The other groups (a NULL key, or non-numeric keys), by state key. */
  private readonly byKey = new Map<Key, number>();
  private readonly tuple: number[];

  /** `grow`: called with the new capacity before a number at or above the old one is handed out. */
  constructor(types: readonly SqlType[], private readonly grow: (capacity: number) => void) {
    this.keyer = new RowKeyer(types);
    this.columns = types.map((t) => (REPR[t.name] === 'num' ? new NumberKeyColumn(t) : new ValueKeyColumn(t)));
    const numeric = types.length > 0 && types.every((t) => REPR[t.name] === 'num');
    this.byNumbers = numeric ? new NumberTupleMap<number>(types.length) : null;
    this.tuple = new Array<number>(types.length).fill(0);
  }

  /** Groups alive. */
  get size(): number {
    return this.top - this.free.length;
  }

  /** The group of row i of the key columns, created when the row is its first; `created` tells. */
  groupAt(cols: readonly Vec[], i: number, created: (g: number) => void): number {
    const numbers = this.byNumbers !== null && !anyNullAt(cols, i) && !anyWideAt(cols, i) ? this.byNumbers : null;
    let key: Key | null = null;
    let g = numbers !== null ? numbers.getAt(cols as readonly NumVec[], i) : this.byKey.get((key = this.keyer.key(cols, i)));
    if (g !== undefined) return g;
    g = this.allocate();
    for (let c = 0; c < cols.length; c++) this.columns[c].set(g, cols[c], i);
    this.index(g, key);
    created(g);
    return g;
  }

  /** A group from its stored key values (a restore). */
  add(values: readonly Value[]): number {
    const g = this.allocate();
    values.forEach((v, c) => this.columns[c].setValue(g, v));
    this.index(g, null);
    return g;
  }

  /** Group g is gone; its number may be handed out again. */
  remove(g: number): void {
    if (this.numbersOf(g)) this.byNumbers!.delete(this.tuple);
    else this.byKey.delete(this.stateKey(g));
    // Let go of text keys now rather than when the number is reused.
    for (const col of this.columns) col.setValue(g, null);
    this.free.push(g);
  }

  value(g: number, c: number): Value {
    return this.columns[c].get(g);
  }

  values(g: number): Value[] {
    return this.columns.map((col) => col.get(g));
  }

  /**
   * About what group g's key costs the heap: its slot in each column and its entry in the index, plus a text key's
   * characters. An estimate, but one that grows with the keys, so a query grouping long text keys is held to its
   * memory share by what it really holds (engine/memory/limit.ts).
   */
  bytes(g: number): number {
    let size = INDEX_ENTRY_BYTES;
    for (const col of this.columns) {
      const v = col.get(g);
      size += typeof v === 'string' ? 16 + v.length * 2 : 16;
    }
    return size;
  }

  /** Key column c of groups `groups`. */
  gather(c: number, groups: Int32Array): Vec {
    return this.columns[c].gather(groups);
  }

  /** The key group g's records are stored under. */
  stateKey(g: number): Key {
    return this.keyer.keyOfValues(this.values(g));
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.top === this.capacity) {
      this.capacity = Math.max(64, this.capacity * 2);
      for (const col of this.columns) col.grow(this.capacity);
      this.grow(this.capacity);
    }
    return this.top++;
  }

  private index(g: number, key: Key | null): void {
    if (this.numbersOf(g)) this.byNumbers!.set(this.tuple, g);
    else this.byKey.set(key ?? this.stateKey(g), g);
  }

  /** Fills `tuple` with group g's key numbers; false when it has none (a NULL, or keys that are not numbers). */
  private numbersOf(g: number): boolean {
    if (this.byNumbers === null) return false;
    for (let c = 0; c < this.columns.length; c++) {
      if (this.columns[c].isNull(g)) return false;
      if (!this.columns[c].numberIsExact(g)) return false;
      this.tuple[c] = this.columns[c].number(g);
    }
    return true;
  }
}
