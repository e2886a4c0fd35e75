// sum / avg / stddev over numbers (REAL, DOUBLE PRECISION, and the integer sums that stay below 2^53), per group,
// answered as PostgreSQL 15 answers them: an Infinity among the values makes the sum and avg Infinity (both signs, or
// a NaN, make them NaN, and stddev NaN), and finite values whose sum leaves the type's range raise 22003, as float4pl
// / float8pl do. avg and stddev share float8_accum's state in PostgreSQL, and so here: they also raise 22003 when the
// values' sum of squared deviations leaves DOUBLE's range.
//
// The state must stay exact under retraction (a continuous query deletes what it inserted), so nothing is folded in
// that cannot be taken out again: infinities and NaNs are counted beside the finite sum, and the finite sum cannot
// overflow. It is two compensated (Neumaier) sums: values below 2^970 as they are (2^53 of them stay below 2^1023),
// larger ones scaled by 2^-100. Their total is the one rounding that may overflow, when the result is read. The sum
// of squared deviations that decides avg's and stddev's overflow is Welford's over the values scaled by 2^-600, whose
// squares cannot overflow either. stddev's own answer comes from Welford's over the values as they are, precise for
// small values; should a huge value make that one overflow, it falls back to the scaled one until the group empties.

import { SqlError, SQLSTATE } from '../errors';
import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import { isNullAt, type Accumulator } from './accumulator';

const BIG = 2 ** 970;
const BIG_SCALE = 2 ** -100;
const BIG_UNSCALE = 2 ** 100;

// The slots of one group's state, `stride` numbers per group in one Float64Array.
const SMALL = 0;
const SMALL_COMP = 1;
const LARGE = 2;
const LARGE_COMP = 3;
/** Non-NULL values, the infinities and NaNs among them included. */
const COUNT = 4;
const POS_INF = 5;
const NEG_INF = 6;
const NAN = 7;
/** avg and stddev: Welford's mean and sum of squared deviations of the finite values scaled by SPREAD_SCALE. */
const SCALED_MEAN = 8;
const SCALED_M2 = 9;
/** stddev: the same of the finite values as they are. */
const MEAN = 10;
const M2 = 11;

const SPREAD_SCALE = 2 ** -600;
/** The largest sum of squared deviations, scaled as SCALED_M2 is (by SPREAD_SCALE squared). */
const SCALED_M2_LIMIT = Number.MAX_VALUE * SPREAD_SCALE * SPREAD_SCALE;
const STRIDES: Record<FloatAggregate, number> = { sum: 8, avg: 10, stddev: 12 };

export function floatOverflow(): SqlError {
  return new SqlError(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
}

/** What a group's state answers: avg and stddev keep the sum of squared deviations too. */
export type FloatAggregate = 'sum' | 'avg' | 'stddev';

export class FloatSums {
  private s: Float64Array = new Float64Array(0);
  private readonly stride: number;

  /** `realResult`: sum(real), whose result must fit a float4. */
  constructor(private readonly fn: FloatAggregate, private readonly realResult: boolean) {
    this.stride = STRIDES[fn];
  }

  grow(groups: number): void {
    const need = groups * this.stride;
    if (need <= this.s.length) return;
    const b = new Float64Array(Math.max(need, this.s.length * 2));
    b.set(this.s);
    this.s = b;
  }

  clear(g: number): void {
    const o = g * this.stride;
    this.s.fill(0, o, o + this.stride);
  }

  /** Adds value `x` with weight `weight` (+1 insert, -1 delete) to group `g`. */
  add(g: number, x: number, weight: number): void {
    const s = this.s;
    const o = g * this.stride;
    if (Number.isFinite(x)) {
      if (Math.abs(x) < BIG) neumaier(s, o + SMALL, weight === 1 ? x : x * weight);
      else neumaier(s, o + LARGE, x * BIG_SCALE * weight);
      if (this.fn !== 'sum') {
        const n = this.finiteCount(o) + weight;
        welford(s, o + SCALED_MEAN, n, x * SPREAD_SCALE, weight);
        if (this.fn === 'stddev') welford(s, o + MEAN, n, x, weight);
      }
    } else {
      s[o + (x > 0 ? POS_INF : x < 0 ? NEG_INF : NAN)] += weight;
    }
    // Back to no values: drop any rounding residue.
    if ((s[o + COUNT] += weight) === 0) s.fill(0, o, o + this.stride);
  }

  /** Adds group `og` of `other` (the same aggregate) into group `g`. */
  merge(g: number, other: FloatSums, og: number): void {
    const s = this.s;
    const t = other.s;
    const o = g * this.stride;
    const p = og * other.stride;
    neumaier(s, o + SMALL, t[p + SMALL] + t[p + SMALL_COMP]);
    neumaier(s, o + LARGE, t[p + LARGE] + t[p + LARGE_COMP]);
    const [na, nb] = [this.finiteCount(o), other.finiteCount(p)];
    for (let k = SCALED_MEAN; k < this.stride; k += 2) chan(s, o + k, na, t, p + k, nb);
    for (const k of [COUNT, POS_INF, NEG_INF, NAN]) s[o + k] += t[p + k];
  }

  result(g: number): Value {
    const s = this.s;
    const o = g * this.stride;
    const n = s[o + COUNT];
    if (n === 0 || (this.fn === 'stddev' && n < 2)) return null;
    const pos = s[o + POS_INF];
    const neg = s[o + NEG_INF];
    if (s[o + NAN] > 0 || (pos > 0 && neg > 0) || (this.fn === 'stddev' && pos + neg > 0)) return NaN;
    if (pos > 0) return Infinity;
    if (neg > 0) return -Infinity;
    const total = this.finiteTotal(o);
    if (!Number.isFinite(total) || (this.realResult && !Number.isFinite(Math.fround(total)))) throw floatOverflow();
    if (this.fn === 'sum') return total;
    if (s[o + SCALED_M2] > SCALED_M2_LIMIT) throw floatOverflow();
    if (this.fn === 'avg') return total / n;
    const m2 = Number.isFinite(s[o + M2]) ? s[o + M2] : s[o + SCALED_M2] / SPREAD_SCALE / SPREAD_SCALE;
    return Math.sqrt(Math.max(0, m2) / (n - 1));
  }

  write(w: ByteWriter, g: number): void {
    const s = this.s;
    const o = g * this.stride;
    w.f64(s[o + SMALL]).f64(s[o + SMALL_COMP]).f64(s[o + LARGE]).f64(s[o + LARGE_COMP]);
    w.svar(s[o + COUNT]).svar(s[o + POS_INF]).svar(s[o + NEG_INF]).svar(s[o + NAN]);
    for (let k = SCALED_MEAN; k < this.stride; k++) w.f64(s[o + k]);
  }

  read(r: ByteReader, g: number): void {
    const s = this.s;
    const o = g * this.stride;
    for (const k of [SMALL, SMALL_COMP, LARGE, LARGE_COMP]) s[o + k] = r.f64();
    for (const k of [COUNT, POS_INF, NEG_INF, NAN]) s[o + k] = r.svar();
    for (let k = SCALED_MEAN; k < this.stride; k++) s[o + k] = r.f64();
  }

  bytes(): number {
    return this.stride * 8;
  }

  private finiteCount(o: number): number {
    const s = this.s;
    return s[o + COUNT] - s[o + POS_INF] - s[o + NEG_INF] - s[o + NAN];
  }

  /** The sum of the finite values, rounded once; ±Infinity when it leaves DOUBLE's range. */
  private finiteTotal(o: number): number {
    const s = this.s;
    const small = s[o + SMALL] + s[o + SMALL_COMP];
    const large = s[o + LARGE] + s[o + LARGE_COMP];
    if (large === 0) return small;
    return (large + small * BIG_SCALE) * BIG_UNSCALE;
  }
}

/**
 * Welford's update (or its inverse, for a negative weight) of the mean at `s[i]` and sum of squared deviations at
 * `s[i + 1]` by `x`, `n` values counted after it.
 */
function welford(s: Float64Array, i: number, n: number, x: number, weight: number): void {
  if (n === 0) {
    s[i] = s[i + 1] = 0;
    return;
  }
  const d = x - s[i];
  s[i] += (d * weight) / n;
  s[i + 1] += d * weight * (x - s[i]);
}

/** Chan et al.'s merge of the mean and sum of squared deviations of `nb` values at `t[j]` into those at `s[i]`. */
function chan(s: Float64Array, i: number, na: number, t: Float64Array, j: number, nb: number): void {
  const n = na + nb;
  if (nb === 0 || n === 0) return;
  const d = t[j] - s[i];
  s[i] += (d * nb) / n;
  s[i + 1] += t[j + 1] + (d * d * na * nb) / n;
}

/** Adds `v` to the compensated sum at `s[i]` (its compensation at `s[i + 1]`). */
function neumaier(s: Float64Array, i: number, v: number): void {
  const sum = s[i];
  const t = sum + v;
  if (Math.abs(sum) >= Math.abs(v)) s[i + 1] += sum - t + v;
  else s[i + 1] += v - t + sum;
  s[i] = t;
}

/** One group's sum, avg or stddev of numbers, for plans that keep an accumulator per group. */
export class FloatSumAcc implements Accumulator {
  private readonly s: FloatSums;
  constructor(fn: FloatAggregate, realResult: boolean) {
    this.s = new FloatSums(fn, realResult);
    this.s.grow(1);
  }

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    this.s.add(0, (v as Extract<Vec, { kind: 'num' }>).values[row], weight);
  }
  result(): Value {
    return this.s.result(0);
  }
  merge(o: Accumulator): void {
    this.s.merge(0, (o as FloatSumAcc).s, 0);
  }
  write(w: ByteWriter): void {
    this.s.write(w, 0);
  }
  read(r: ByteReader): void {
    this.s.read(r, 0);
  }
  bytes(): number {
    return 16 + this.s.bytes();
  }
}
