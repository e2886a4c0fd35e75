// approx_percentile(x, q): a KLL quantile sketch (Karnin, Lang, Liberty 2016) with k = 400, whose rank error stays
// well under 1% (about 0.5% at 99% confidence); until it first compacts (fewer than ~k values) it is exact. The
// answer is a value of the input (like percentile_disc). Its coin flips come from a seeded generator kept in the
// state, so a restored sketch continues exactly as the original would. It cannot forget: deletes are 0A000.

import type { Vec } from '../columns/vec';
import { SqlError, SQLSTATE } from '../errors';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import { cannotRetract, isNullAt, type Accumulator } from './accumulator';

const K = 400;
const C = 2 / 3;

export class KllSketch {
  /** compactors[h] holds items of weight 2^h. */
  private compactors: number[][] = [[]];
  private size = 0;
  private n = 0;
  private seed = 0x2545f491;

  get count(): number {
    return this.n;
  }

  private capacity(h: number): number {
    const depth = this.compactors.length - h - 1;
    return Math.max(2, Math.ceil(K * C ** depth));
  }

  private maxSize(): number {
    let s = 0;
    for (let h = 0; h < this.compactors.length; h++) s += this.capacity(h);
    return s;
  }

  private coin(): number {
    // xorshift32
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed & 1;
  }

  add(x: number): void {
    this.compactors[0].push(x);
    this.size++;
    this.n++;
    if (this.size >= this.maxSize()) this.compress();
  }

  private compress(): void {
    for (let h = 0; h < this.compactors.length; h++) {
      const items = this.compactors[h];
      if (items.length < this.capacity(h)) continue;
      if (h + 1 === this.compactors.length) this.compactors.push([]);
      items.sort((a, b) => a - b);
      // An odd item out stays at this level; the rest halve, keeping every other one at double weight.
      const keep = items.length % 2 === 1 ? items.pop()! : null;
      const offset = this.coin();
      const up = this.compactors[h + 1];
      for (let i = offset; i < items.length; i += 2) up.push(items[i]);
      this.size -= items.length - Math.floor(items.length / 2);
      this.compactors[h] = keep === null ? [] : [keep];
      if (this.size < this.maxSize()) return;
    }
  }

  merge(o: KllSketch): void {
    while (this.compactors.length < o.compactors.length) this.compactors.push([]);
    for (let h = 0; h < o.compactors.length; h++) {
      for (const x of o.compactors[h]) this.compactors[h].push(x);
      this.size += o.compactors[h].length;
    }
    this.n += o.n;
    while (this.size >= this.maxSize()) {
      const before = this.size;
      this.compress();
      if (this.size === before) break;
    }
  }

  /** The smallest retained value whose weighted rank reaches q·n. */
  quantile(q: number): number | null {
    if (this.n === 0) return null;
    const items: { x: number; w: number }[] = [];
    let total = 0;
    for (let h = 0; h < this.compactors.length; h++) {
      for (const x of this.compactors[h]) {
        items.push({ x, w: 2 ** h });
        total += 2 ** h;
      }
    }
    items.sort((a, b) => a.x - b.x);
    const target = q * total;
    let cum = 0;
    for (const it of items) {
      cum += it.w;
      if (cum >= target) return it.x;
    }
    return items[items.length - 1].x;
  }

  write(w: ByteWriter): void {
    w.uvar(this.n).uvar(this.seed).uvar(this.compactors.length);
    for (const c of this.compactors) {
      w.uvar(c.length);
      for (const x of c) w.f64(x);
    }
  }

  read(r: ByteReader): void {
    this.n = r.uvar();
    this.seed = r.uvar();
    const levels = r.uvar();
    this.compactors = [];
    this.size = 0;
    for (let h = 0; h < levels; h++) {
      const len = r.uvar();
      const c: number[] = new Array(len);
      for (let i = 0; i < len; i++) c[i] = r.f64();
      this.compactors.push(c);
      this.size += len;
    }
  }

  bytes(): number {
    return 64 + this.size * 8;
  }
}

export class ApproxPercentileAcc implements Accumulator {
  private readonly sketch = new KllSketch();

  constructor(private readonly fraction: number) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new SqlError(SQLSTATE.invalid_parameter_value, `percentile value ${fraction} is not between 0 and 1`);
    }
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    if (weight < 0) throw cannotRetract('approx_percentile');
    const v = args[0];
    if (isNullAt(v, row)) return;
    this.sketch.add((v as Extract<Vec, { kind: 'num' }>).values[row]);
  }
  result(): Value {
    return this.sketch.quantile(this.fraction);
  }
  merge(o: Accumulator): void {
    this.sketch.merge((o as ApproxPercentileAcc).sketch);
  }
  write(w: ByteWriter): void {
    this.sketch.write(w);
  }
  read(r: ByteReader): void {
    this.sketch.read(r);
  }
  bytes(): number {
    return this.sketch.bytes();
  }
}
