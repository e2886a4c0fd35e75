// A hash map from tuples of numbers to values, laid out in typed arrays (open addressing, linear probing). A hash
// aggregate grouped by several numeric columns finds a row's group straight from the key columns' Float64Arrays:
// no string key is built, no number is boxed, nothing is allocated per row. (A JavaScript Map keyed by a joined
// string costs ~1 µs a row; nested Maps keyed by doubles box each key.)
//
// Equality is SQL grouping's: 0 and -0 are one key, and so are all NaNs.

import type { NumVec } from '../columns/vec';

const EMPTY = 0;
const FULL = 1;
/** A deleted entry: lookups probe past it, inserts may reuse it. */
const GONE = 2;

const scratch = new Float64Array(1);
const scratchBits = new Int32Array(scratch.buffer);

/** The key as stored and compared: one zero, one NaN. */
function canonical(x: number): number {
  return x !== x ? NaN : x + 0;
}

function mix(h: number, x: number): number {
  let bits: number;
  if ((x | 0) === x) bits = x;
  else {
    scratch[0] = x;
    bits = scratchBits[0] ^ Math.imul(scratchBits[1], 0x27d4eb2d);
  }
  h = Math.imul(h ^ bits, 0x9e3779b1);
  return h ^ (h >>> 15);
}

export class NumberTupleMap<V> {
  private capacity = 0;
  private keys = new Float64Array(0);
  private states = new Uint8Array(0);
  private values: (V | undefined)[] = [];
  /** Entries, and entries plus deleted ones (what fills the probe sequences). */
  private live = 0;
  private used = 0;

  constructor(private readonly width: number) {
    if (width < 1) throw new Error('engine: a NumberTupleMap needs at least one position');
    this.resize(64);
  }

  get size(): number {
    return this.live;
  }

  /** The value at row i of `cols` (one column per position, none NULL at i). */
  getAt(cols: readonly NumVec[], i: number): V | undefined {
    const w = this.width;
    let h = 0;
    for (let c = 0; c < w; c++) h = mix(h, canonical(cols[c].values[i]));
    const mask = this.capacity - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const state = this.states[slot];
      if (state === EMPTY) return undefined;
      if (state === FULL && this.matchesRow(slot, cols, i)) return this.values[slot];
    }
  }

  set(tuple: readonly number[], value: V): void {
    if ((this.used + 1) * 2 > this.capacity) this.resize(this.live * 4 > this.capacity ? this.capacity * 2 : this.capacity);
    const key = tuple.map(canonical);
    const found = this.find(key);
    if (found >= 0) {
      this.values[found] = value;
      return;
    }
    const mask = this.capacity - 1;
    let slot = this.hash(key) & mask;
    while (this.states[slot] === FULL) slot = (slot + 1) & mask;
    if (this.states[slot] === EMPTY) this.used++;
    this.states[slot] = FULL;
    this.keys.set(key, slot * this.width);
    this.values[slot] = value;
    this.live++;
  }

  delete(tuple: readonly number[]): void {
    const slot = this.find(tuple.map(canonical));
    if (slot < 0) return;
    this.states[slot] = GONE;
    this.values[slot] = undefined;
    this.live--;
  }

  private hash(key: ArrayLike<number>, at = 0): number {
    let h = 0;
    for (let c = 0; c < this.width; c++) h = mix(h, key[at + c]);
    return h;
  }

  private find(key: readonly number[]): number {
    const mask = this.capacity - 1;
    for (let slot = this.hash(key) & mask; ; slot = (slot + 1) & mask) {
      const state = this.states[slot];
      if (state === EMPTY) return -1;
      if (state === FULL && this.matches(slot, key)) return slot;
    }
  }

  private matchesRow(slot: number, cols: readonly NumVec[], i: number): boolean {
    const at = slot * this.width;
    for (let c = 0; c < this.width; c++) if (!same(this.keys[at + c], cols[c].values[i])) return false;
    return true;
  }

  private matches(slot: number, key: readonly number[]): boolean {
    const at = slot * this.width;
    for (let c = 0; c < this.width; c++) if (!same(this.keys[at + c], key[c])) return false;
    return true;
  }

  /** Rehashes the live entries into `capacity` slots (a power of two), dropping deleted ones. */
  private resize(capacity: number): void {
    const { keys, states, values, width } = this;
    const old = this.capacity;
    this.capacity = capacity;
    this.keys = new Float64Array(capacity * width);
    this.states = new Uint8Array(capacity);
    this.values = new Array(capacity);
    this.live = 0;
    this.used = 0;
    const mask = capacity - 1;
    for (let s = 0; s < old; s++) {
      if (states[s] !== FULL) continue;
      let slot = this.hash(keys, s * width) & mask;
      while (this.states[slot] === FULL) slot = (slot + 1) & mask;
      this.states[slot] = FULL;
      this.keys.set(keys.subarray(s * width, s * width + width), slot * width);
      this.values[slot] = values[s];
      this.live++;
      this.used++;
    }
  }
}

/** Stored key `a` (canonical) against `b`: equal, or both NaN; 0 === -0 already. */
function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}
