// sum(int8) and avg(int2 / int4 / int8) as columns: the exact NUMERIC of NumericSumAcc (engine/aggregate/numeric-sum.ts)
// without a decimal object per group. Each group's sum is a float64 slot while it stays within ±(2^53 - 1), where
// adding integers is exact (a double only rounds an integer beyond 2^53); the first row that would leave that range
// moves the group to a BigInt of its own, which it keeps until it is cleared. So the usual group is two Float64Array
// slots (sum, count) and a batch is one loop over the input's doubles, and sums past 2^64 stay exact.
//
// Integers have no NaN or infinities and are of scale 0, so the state bytes are NumericSumAcc's with those counts at
// zero and no counts by scale: stored state reads back into either form.

import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import { divideDecimal, formatDecimal, parseDecimal } from '../values/decimal';
import type { GroupedAggregate } from './grouped';

type NumVec = Extract<Vec, { kind: 'num' }>;

function grown(a: Float64Array, capacity: number): Float64Array {
  if (capacity <= a.length) return a;
  const b = new Float64Array(Math.max(capacity, a.length * 2));
  b.set(a);
  return b;
}

/** Row i of an integer column, exactly (the int64 when the Vec carries it, as NumericSumAcc reads it). */
function bigAt(v: NumVec, i: number): bigint {
  return v.exact !== undefined ? v.exact[i] : BigInt(v.values[i]);
}

export class IntegerSumColumns implements GroupedAggregate {
  /** The sum of a group while it is within ±MAX_SAFE_INTEGER and not in `bigSums`. */
  private sum: Float64Array = new Float64Array(0);
  /** Non-NULL values in the group (with their weights). */
  private count: Float64Array = new Float64Array(0);
  /** The sums of the groups that left the float range, exactly. */
  private readonly bigSums = new Map<number, bigint>();

  constructor(private readonly average: boolean) {}

  grow(capacity: number): void {
    this.sum = grown(this.sum, capacity);
    this.count = grown(this.count, capacity);
  }

  clear(g: number): void {
    this.sum[g] = this.count[g] = 0;
    this.bigSums.delete(g);
  }

  release(g: number): void {
    this.bigSums.delete(g);
  }

  update(args: readonly Vec[], groups: Int32Array, weights: Int32Array | null, rows: number): void {
    const v = args[0] as NumVec;
    const { values, nulls } = v;
    const { sum, count, bigSums } = this;
    for (let i = 0; i < rows; i++) {
      const g = groups[i];
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      const weight = weights === null ? 1 : weights[i];
      // A product or sum of integers rounds only beyond 2^53, so one within range is exact.
      const x = weight === 1 ? values[i] : values[i] * weight;
      const t = sum[g] + x;
      if (Math.abs(x) <= Number.MAX_SAFE_INTEGER && Math.abs(t) <= Number.MAX_SAFE_INTEGER && !bigSums.has(g)) {
        sum[g] = t;
      } else {
        bigSums.set(g, (bigSums.get(g) ?? BigInt(sum[g])) + bigAt(v, i) * BigInt(weight));
      }
      // Back to no values: a sum of zero, as NumericSumAcc (a retraction read from doubles may not match its insert).
      if ((count[g] += weight) === 0) this.clear(g);
    }
  }

  /** The group's exact sum. */
  private total(g: number): bigint {
    return this.bigSums.get(g) ?? BigInt(this.sum[g]);
  }

  result(g: number): Value {
    const n = this.count[g];
    if (n === 0) return null;
    if (!this.average) return this.bigSums.has(g) ? this.total(g).toString() : String(this.sum[g]);
    return formatDecimal(divideDecimal({ coef: this.total(g), scale: 0 }, { coef: BigInt(n), scale: 0 }));
  }

  write(w: ByteWriter, g: number): void {
    // NumericSumAcc's record: the sum as decimal text, the count, then no NaNs, no infinities, no scales above 0.
    w.str(this.total(g).toString()).svar(this.count[g]).svar(0).svar(0).svar(0).uvar(0);
  }

  read(r: ByteReader, g: number): void {
    const sum = parseDecimal(r.str());
    const count = r.svar();
    const specials = r.svar() + r.svar() + r.svar();
    const scales = r.uvar();
    if (sum === 'NaN' || sum === 'Infinity' || sum === '-Infinity' || sum.scale !== 0 || specials !== 0 || scales !== 0) {
      throw new Error('engine: stored integer sum state is not an integer');
    }
    this.clear(g);
    this.count[g] = count;
    const exact = sum.coef;
    if (exact >= BigInt(-Number.MAX_SAFE_INTEGER) && exact <= BigInt(Number.MAX_SAFE_INTEGER)) this.sum[g] = Number(exact);
    else this.bigSums.set(g, exact);
  }

  bytes(g: number): number {
    return this.bigSums.has(g) ? 64 : 16;
  }
}
