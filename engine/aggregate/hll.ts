// approx_count_distinct: HyperLogLog with precision 14 (16384 registers, standard error 0.81%), over a 64-bit hash
// built from two seeded 32-bit murmur3 hashes. Small groups stay sparse (a Map of touched registers) and turn
// dense past 1024 registers, so a million small groups do not cost 16 KB each. A sketch cannot forget: a delete
// in its input is an error (0A000).

import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import { keyCodecFor, type KeyCodec } from '../state/keys';
import type { SqlType, Value } from '../types';
import { cannotRetract, isNullAt, type Accumulator } from './accumulator';

const P = 14;
const M = 1 << P;
const SPARSE_LIMIT = 1024;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** murmur3-style 32-bit hash of a number's float64 bits or a string's UTF-16 code units. */
export function hash32(key: number | string, seed: number): number {
  let h = seed;
  let len: number;
  if (typeof key === 'number') {
    f64[0] = key + 0;
    h = mixWord(h, u32[0]);
    h = mixWord(h, u32[1]);
    len = 8;
  } else {
    let i = 0;
    for (; i + 1 < key.length; i += 2) h = mixWord(h, key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16));
    if (i < key.length) h = mixWord(h, key.charCodeAt(i));
    len = key.length * 2 + 1;
  }
  return fmix(h ^ len);
}

export class HyperLogLog {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;

  add(key: number | string): void {
    const h1 = hash32(key, 0x9747b28c);
    const h2 = hash32(key, 0x5bd1e995);
    const index = h1 >>> (32 - P);
    // 50 remaining bits: the low 18 of h1, then h2. Rank = leading zeros + 1.
    const high = h1 & ((1 << (32 - P)) - 1);
    const rank = high !== 0 ? Math.clz32(high) - P + 1 : 32 - P + Math.clz32(h2) + 1;
    this.set(index, rank);
  }

  private set(index: number, rank: number): void {
    if (this.dense !== null) {
      if (rank > this.dense[index]) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    if (rank > (sparse.get(index) ?? 0)) sparse.set(index, rank);
    if (sparse.size > SPARSE_LIMIT) {
      this.dense = new Uint8Array(M);
      for (const [i, r] of sparse) this.dense[i] = r;
      this.sparse = null;
    }
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    if (this.dense !== null) {
      for (let i = 0; i < M; i++) {
        sum += 2 ** -this.dense[i];
        if (this.dense[i] === 0) zeros++;
      }
    } else {
      zeros = M - this.sparse!.size;
      sum = zeros;
      for (const r of this.sparse!.values()) sum += 2 ** -r;
    }
    const alpha = 0.7213 / (1 + 1.079 / M);
    const raw = (alpha * M * M) / sum;
    // Linear counting for small cardinalities, where raw HLL is biased.
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(raw);
  }

  merge(o: HyperLogLog): void {
    if (o.dense !== null) for (let i = 0; i < M; i++) { if (o.dense[i] > 0) this.set(i, o.dense[i]); }
    else for (const [i, r] of o.sparse!) this.set(i, r);
  }

  write(w: ByteWriter): void {
    if (this.dense !== null) w.u8(1).bytes(this.dense);
    else {
      w.u8(0).uvar(this.sparse!.size);
      for (const [i, r] of this.sparse!) w.uvar(i).u8(r);
    }
  }

  read(r: ByteReader): void {
    if (r.u8() === 1) {
      this.dense = r.bytes().slice();
      this.sparse = null;
    } else {
      this.dense = null;
      this.sparse = new Map();
      const n = r.uvar();
      for (let k = 0; k < n; k++) {
        const i = r.uvar();
        this.sparse.set(i, r.u8());
      }
    }
  }

  bytes(): number {
    return this.dense !== null ? M + 32 : 32 + this.sparse!.size * 24;
  }
}

export class ApproxCountDistinctAcc implements Accumulator {
  private readonly hll = new HyperLogLog();
  private readonly codec: KeyCodec;

  constructor(type: SqlType) {
    this.codec = keyCodecFor(type);
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    if (weight < 0) throw cannotRetract('approx_count_distinct');
    const v = args[0];
    if (isNullAt(v, row)) return;
    this.hll.add(this.codec.key(v, row));
  }
  result(): Value {
    return this.hll.estimate();
  }
  merge(o: Accumulator): void {
    this.hll.merge((o as ApproxCountDistinctAcc).hll);
  }
  write(w: ByteWriter): void {
    this.hll.write(w);
  }
  read(r: ByteReader): void {
    this.hll.read(r);
  }
  bytes(): number {
    return this.hll.bytes();
  }
}
