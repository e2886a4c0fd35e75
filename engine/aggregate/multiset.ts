// min / max over a multiset of values (so deleting the current minimum finds the next one), and the DISTINCT
// wrapper: value → multiplicity, feeding the inner aggregate only when a value appears or disappears. Of equal values
// that print differently (NUMERIC 1.0 and 1.00) min and max keep the later one, as PostgreSQL's numeric_smaller and
// numeric_larger return their second argument on a tie.

import { vecFromValues, type Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import { keyCodecFor, exactCodecFor, type Key, type KeyCodec } from '../state/keys';
import type { SqlType, Value } from '../types';
import { isNullAt, type Accumulator } from './accumulator';

function writeCounts(w: ByteWriter, codec: KeyCodec, counts: Map<Key, number>): void {
  w.uvar(counts.size);
  for (const [k, c] of counts) w.value(codec.value(k)).svar(c);
}

function readCounts(r: ByteReader, codec: KeyCodec): Map<Key, number> {
  const counts = new Map<Key, number>();
  const n = r.uvar();
  for (let i = 0; i < n; i++) {
    const v = r.value();
    counts.set(codec.keyOf(v), r.svar());
  }
  return counts;
}

function addCount(counts: Map<Key, number>, k: Key, weight: number): number {
  const c = (counts.get(k) ?? 0) + weight;
  if (c === 0) counts.delete(k);
  else counts.set(k, c);
  return c;
}

export class MinMaxAcc implements Accumulator {
  private counts = new Map<Key, number>();
  /** The current extreme; undefined when it must be recomputed (after its last copy was deleted). */
  private best: Key | null | undefined = null;
  private readonly codec: KeyCodec;
  private readonly sign: number;

  constructor(type: SqlType, max: boolean) {
    this.codec = exactCodecFor(type);
    this.sign = max ? 1 : -1;
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    const k = this.codec.key(v, row);
    const c = addCount(this.counts, k, weight);
    if (weight > 0 && c > 0) {
      if (this.best === null || (this.best !== undefined && this.sign * this.codec.compare(k, this.best) >= 0)) this.best = k;
    } else if (weight < 0 && c <= 0 && this.best === k) {
      this.best = undefined;
    }
  }

  result(): Value {
    if (this.best === undefined) {
      let best: Key | null = null;
      for (const [k, c] of this.counts) {
        if (c > 0 && (best === null || this.sign * this.codec.compare(k, best) >= 0)) best = k;
      }
      this.best = best;
    }
    return this.best === null ? null : this.codec.value(this.best);
  }

  merge(o: Accumulator): void {
    for (const [k, c] of (o as MinMaxAcc).counts) addCount(this.counts, k, c);
    this.best = undefined;
  }

  write(w: ByteWriter): void {
    writeCounts(w, this.codec, this.counts);
  }

  read(r: ByteReader): void {
    this.counts = readCounts(r, this.codec);
    this.best = undefined;
  }

  bytes(): number {
    return 32 + this.counts.size * 48;
  }
}

/**
 * min / max over an input that never deletes (an append-only stream): only the extreme is kept, so a window's state
 * stays one value however many rows it sees. Stored in MinMaxAcc's layout (a multiset of one value), so either reads
 * the other's bytes.
 */
export class AppendMinMaxAcc implements Accumulator {
  private best: Key | null = null;
  private readonly codec: KeyCodec;
  private readonly sign: number;

  constructor(type: SqlType, max: boolean) {
    this.codec = exactCodecFor(type);
    this.sign = max ? 1 : -1;
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    if (weight < 0) throw new Error('engine: min/max over an append-only input received a delete');
    const v = args[0];
    if (weight === 0 || isNullAt(v, row)) return;
    const k = this.codec.key(v, row);
    if (this.best === null || this.sign * this.codec.compare(k, this.best) >= 0) this.best = k;
  }

  result(): Value {
    return this.best === null ? null : this.codec.value(this.best);
  }

  merge(o: Accumulator): void {
    const k = (o as AppendMinMaxAcc).best;
    if (k !== null && (this.best === null || this.sign * this.codec.compare(k, this.best) > 0)) this.best = k;
  }

  write(w: ByteWriter): void {
    if (this.best === null) w.uvar(0);
    else w.uvar(1).value(this.codec.value(this.best)).svar(1);
  }

  read(r: ByteReader): void {
    this.best = null;
    for (const [k, c] of readCounts(r, this.codec)) {
      if (c > 0 && (this.best === null || this.sign * this.codec.compare(k, this.best) > 0)) this.best = k;
    }
  }

  bytes(): number {
    return 48;
  }
}

export class DistinctAcc implements Accumulator {
  private counts = new Map<Key, number>();
  private readonly codec: KeyCodec;

  constructor(private readonly type: SqlType, private readonly inner: Accumulator) {
    this.codec = keyCodecFor(type);
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    const k = this.codec.key(v, row);
    const before = this.counts.get(k) ?? 0;
    const after = addCount(this.counts, k, weight);
    if (before <= 0 && after > 0) this.inner.update(args, row, 1);
    else if (before > 0 && after <= 0) this.inner.update(args, row, -1);
  }

  result(): Value {
    return this.inner.result();
  }

  merge(o: Accumulator): void {
    for (const [k, c] of (o as DistinctAcc).counts) {
      const before = this.counts.get(k) ?? 0;
      const after = addCount(this.counts, k, c);
      if (before <= 0 && after > 0) this.inner.update([vecFromValues([this.codec.value(k)], this.type)], 0, 1);
    }
  }

  write(w: ByteWriter): void {
    writeCounts(w, this.codec, this.counts);
    this.inner.write(w);
  }

  read(r: ByteReader): void {
    this.counts = readCounts(r, this.codec);
    this.inner.read(r);
  }

  bytes(): number {
    return 32 + this.counts.size * 48 + this.inner.bytes();
  }
}
