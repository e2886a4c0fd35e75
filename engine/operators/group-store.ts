// The groups of a hash aggregate as columns. A group is a number (engine/state/group-keys.ts, which keeps its key
// values); its row weight, the output row it last emitted and each aggregate's state (engine/aggregate/grouped.ts)
// are typed arrays indexed by that number. 100 K groups were ~450 bytes each as objects (a group, accumulators, the
// emitted row as an array, a string key, map entries); as columns they are a few dozen bytes each, and nothing is
// allocated per row.
//
// The store is its own durable state (a RecordState of engine/state/table.ts): each changed group is one record in
// the very layout engine/operators/groups.ts writes (state key, then 1 and key values, weight, emitted row,
// accumulators; or 0 for a group gone), so state stored before groups were columns restores as it is.

import type { GroupedAggregate } from '../aggregate/grouped';
import type { Encode } from '../state/chunks';
import type { ByteReader, ByteWriter } from '../state/codec';
import { GroupKeys } from '../state/group-keys';
import { readKey, writeKey, type Key } from '../state/keys';
import type { RecordState } from '../state/table';
import type { SqlType, Value } from '../types';
import { sameValue } from './groups';

/** One aggregate's emitted values: numbers in a Float64Array until a value that is not a number comes. */
class ResultColumn {
  private numbers: Float64Array | null = new Float64Array(0);
  private nulls = new Uint8Array(0);
  private values: Value[] | null = null;

  grow(capacity: number): void {
    this.nulls = copyInto(new Uint8Array(capacity), this.nulls);
    if (this.numbers !== null) this.numbers = copyInto(new Float64Array(capacity), this.numbers);
    else this.values!.length = capacity;
  }

  get(g: number): Value {
    if (this.numbers === null) return this.values![g];
    return this.nulls[g] === 1 ? null : this.numbers[g];
  }

  set(g: number, v: Value): void {
    if (this.numbers !== null && v !== null && typeof v !== 'number') this.becomeValues();
    if (this.numbers === null) this.values![g] = v;
    else if (v === null) this.nulls[g] = 1;
    else {
      this.nulls[g] = 0;
      this.numbers[g] = v as number;
    }
  }

  private becomeValues(): void {
    const numbers = this.numbers!;
    this.values = Array.from(numbers, (_, g) => (this.nulls[g] === 1 ? null : numbers[g]));
    this.numbers = null;
  }
}

function copyInto<A extends Float64Array | Uint8Array>(to: A, from: A): A {
  to.set(from as never);
  return to;
}

export class GroupStore implements RecordState {
  readonly keys: GroupKeys;
  /** Sum of the weights of each group's rows; a group exists while it is positive. */
  private weights = new Float64Array(0);
  /** 1 when the group has emitted a row that is still out (EMIT CHANGES), whose values follow. */
  private hasEmittedFlags = new Uint8Array(0);
  private readonly emitted: ResultColumn[];
  /** Groups changed since the last snapshot (a flag and a list), and the state keys of groups gone meanwhile. */
  private dirty = new Uint8Array(0);
  private dirtyList: number[] = [];
  private goneKeys: Key[] = [];
  private live = new Uint8Array(0);
  /**
   * Each group's size as last measured and their sum, and the groups changed since (a flag and a list): stateBytes
   * measures only those, so reading it after every epoch costs what the epoch changed, not a walk of every group.
   */
  private sizes = new Float64Array(0);
  private sizedTotal = 0;
  private unsized = new Uint8Array(0);
  private unsizedList: number[] = [];
  /** While the runner restores: groups by state key, for the records that replace or remove them. */
  private restoring: Map<Key, number> | null = null;

  /** `durable`: the runner snapshots this store, so changes are tracked. */
  constructor(keyTypes: readonly SqlType[], readonly aggs: readonly GroupedAggregate[], private readonly durable: boolean) {
    this.emitted = aggs.map(() => new ResultColumn());
    this.keys = new GroupKeys(keyTypes, (capacity) => this.grow(capacity));
  }

  private grow(capacity: number): void {
    this.weights = copyInto(new Float64Array(capacity), this.weights);
    this.hasEmittedFlags = copyInto(new Uint8Array(capacity), this.hasEmittedFlags);
    this.dirty = copyInto(new Uint8Array(capacity), this.dirty);
    this.live = copyInto(new Uint8Array(capacity), this.live);
    this.sizes = copyInto(new Float64Array(capacity), this.sizes);
    this.unsized = copyInto(new Uint8Array(capacity), this.unsized);
    for (const e of this.emitted) e.grow(capacity);
    for (const a of this.aggs) a.grow(capacity);
  }

  /** A new group: no rows, nothing emitted. */
  readonly created = (g: number): void => {
    this.weights[g] = 0;
    this.hasEmittedFlags[g] = 0;
    this.live[g] = 1;
    for (const a of this.aggs) a.clear(g);
  };

  get size(): number {
    return this.keys.size;
  }

  weightOf(g: number): number {
    return this.weights[g];
  }

  addWeights(groups: Int32Array, weights: Int32Array | null, n: number): void {
    const w = this.weights;
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      if (g >= 0) w[g] += weights === null ? 1 : weights[i];
    }
  }

  /** Aggregate a's result for group g as it is now. */
  result(g: number, a: number): Value {
    return this.aggs[a].result(g);
  }

  hasEmitted(g: number): boolean {
    return this.hasEmittedFlags[g] === 1;
  }

  /** Aggregate a's value in the row group g last emitted. */
  emittedResult(g: number, a: number): Value {
    return this.emitted[a].get(g);
  }

  /** True when the row the group would emit now (none unless `present`) is the one it last emitted. */
  emittedIsCurrent(g: number, present: boolean): boolean {
    if (!this.hasEmitted(g) || !present) return !this.hasEmitted(g) && !present;
    for (let a = 0; a < this.aggs.length; a++) if (!sameValue(this.emitted[a].get(g), this.aggs[a].result(g))) return false;
    return true;
  }

  /** The group's current row (none unless `present`) is now the one out. */
  markEmitted(g: number, present: boolean): void {
    this.hasEmittedFlags[g] = present ? 1 : 0;
    if (present) for (let a = 0; a < this.aggs.length; a++) this.emitted[a].set(g, this.aggs[a].result(g));
  }

  private emittedRow(g: number): Value[] | null {
    if (!this.hasEmitted(g)) return null;
    const row = this.keys.values(g);
    for (const e of this.emitted) row.push(e.get(g));
    return row;
  }

  /** The stored emitted row of a restored group. */
  private setEmitted(g: number, row: readonly Value[]): void {
    this.hasEmittedFlags[g] = 1;
    const at = row.length - this.aggs.length;
    for (let a = 0; a < this.aggs.length; a++) this.emitted[a].set(g, row[at + a]);
  }

  /** The group changed: write it at the next snapshot. */
  touch(g: number): void {
    this.resize(g);
    if (!this.durable || this.dirty[g] === 1) return;
    this.dirty[g] = 1;
    this.dirtyList.push(g);
  }

  /**
   * The group's size may have changed: measure it at the next stateBytes. Called as soon as a row reaches the group,
   * not only at the flush, so the runner's check after each input slice sees the groups the slice made.
   */
  resize(g: number): void {
    if (this.unsized[g] === 1) return;
    this.unsized[g] = 1;
    this.unsizedList.push(g);
  }

  remove(g: number): void {
    if (this.durable) this.goneKeys.push(this.keys.stateKey(g));
    this.sizedTotal -= this.sizes[g];
    this.sizes[g] = 0;
    this.live[g] = 0;
    for (const a of this.aggs) a.release(g);
    this.keys.remove(g);
  }

  /** Every live group number. */
  *groups(): Generator<number> {
    for (let g = 0; g < this.live.length; g++) if (this.live[g] === 1) yield g;
  }

  stateBytes(): number {
    for (const g of this.unsizedList) {
      this.unsized[g] = 0;
      if (this.live[g] === 0) continue;
      let size = 32 + this.keys.bytes(g);
      for (const a of this.aggs) size += a.bytes(g);
      this.sizedTotal += size - this.sizes[g];
      this.sizes[g] = size;
    }
    this.unsizedList = [];
    return this.sizedTotal;
  }

  // ---- RecordState: records in engine/operators/groups.ts's layout

  get changes(): number {
    return this.goneKeys.length + this.dirtyList.length;
  }

  *allRecords(): Generator<Encode> {
    for (const g of this.groups()) yield (w) => this.writeRecord(w, g);
  }

  *changedRecords(): Generator<Encode> {
    // Groups gone first: a key gone and back in one epoch ends present.
    for (const key of this.goneKeys) yield (w) => void writeKey(w, key).u8(0);
    for (const g of this.dirtyList) if (this.live[g] === 1) yield (w) => this.writeRecord(w, g);
  }

  clearChanges(): void {
    for (const g of this.dirtyList) this.dirty[g] = 0;
    this.dirtyList = [];
    this.goneKeys = [];
  }

  private writeRecord(w: ByteWriter, g: number): void {
    const keyValues = this.keys.values(g);
    writeKey(w, this.keys.stateKey(g)).u8(1).uvar(keyValues.length);
    for (const v of keyValues) w.value(v);
    w.svar(this.weights[g]);
    const emitted = this.emittedRow(g);
    if (emitted === null) w.u8(0);
    else {
      w.u8(1).uvar(emitted.length);
      for (const v of emitted) w.value(v);
    }
    for (const a of this.aggs) a.write(w, g);
  }

  /** Restores records (before any input: the store starts empty). */
  readRecords(r: ByteReader, count: number): void {
    const byKey = (this.restoring ??= new Map());
    for (let i = 0; i < count; i++) {
      const key = readKey(r);
      const before = byKey.get(key);
      if (before !== undefined) {
        this.remove(before);
        byKey.delete(key);
      }
      if (r.u8() === 1) byKey.set(key, this.readGroup(r));
    }
    this.clearChanges();
  }

  /** The runner has restored every record. */
  restored(): void {
    this.restoring = null;
  }

  private readGroup(r: ByteReader): number {
    const keyValues: Value[] = [];
    for (let n = r.uvar(), i = 0; i < n; i++) keyValues.push(r.value());
    const g = this.keys.add(keyValues);
    this.created(g);
    this.weights[g] = r.svar();
    if (r.u8() === 1) {
      const emitted: Value[] = [];
      for (let n = r.uvar(), i = 0; i < n; i++) emitted.push(r.value());
      this.setEmitted(g, emitted);
    }
    for (const a of this.aggs) a.read(r, g);
    this.resize(g);
    return g;
  }
}
