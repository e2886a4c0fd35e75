// sum / avg with a NUMERIC result, exact: sum(numeric), avg(numeric), sum(int8) and avg(int2 / int4 / int8), as
// PostgreSQL types them. The sum is one decimal (the largest input scale); avg divides it by the count with
// NUMERIC's division (select_div_scale), as PostgreSQL's numeric_avg does. NaN and infinities are counted aside, so
// a retraction can take them back out; so are the values of each scale above 0, so that the result shows the largest
// scale of the values still there (PostgreSQL's over the rows present), not of values retracted since: the sum holds
// no digits beyond that scale, so cutting them is exact.

import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import {
  addDecimal, type Dec, divideDecimal, formatDecimal, multiplyDecimal, parseDecimal, pow10, type Decimal,
} from '../values/decimal';
import { isNullAt, type Accumulator } from './accumulator';

const ZERO: Dec = { coef: 0n, scale: 0 };

/** Row `row` of an integer or NUMERIC argument as a decimal. */
function decimalAt(v: Vec, row: number): Decimal {
  if (v.kind === 'str') return parseDecimal(v.values[row]);
  if (v.kind !== 'num') throw new Error(`engine: numeric sum over ${v.type.name}`);
  return { coef: v.exact !== undefined ? v.exact[row] : BigInt(v.values[row]), scale: 0 };
}

export class NumericSumAcc implements Accumulator {
  private sum: Dec = ZERO;
  private count = 0;
  private nans = 0;
  private posInf = 0;
  private negInf = 0;
  /** How many finite values of each scale above 0 there are (the others are of scale 0). */
  private readonly scaled = new ScaleCounts();

  constructor(private readonly average: boolean) {}

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    const d = decimalAt(v, row);
    this.count += weight;
    if (d === 'NaN') this.nans += weight;
    else if (d === 'Infinity') this.posInf += weight;
    else if (d === '-Infinity') this.negInf += weight;
    else {
      this.sum = addDecimal(this.sum, weight === 1 ? d : multiplyDecimal(d, { coef: BigInt(weight), scale: 0 })) as Dec;
      this.scaled.add(d.scale, weight);
    }
    // Back to no values: forget the scale of what was retracted.
    if (this.count === 0) this.sum = ZERO;
  }

  result(): Value {
    if (this.count === 0) return null;
    const total = this.total();
    return formatDecimal(this.average ? divideDecimal(total, { coef: BigInt(this.count), scale: 0 }) : total);
  }

  private total(): Decimal {
    if (this.nans > 0 || (this.posInf > 0 && this.negInf > 0)) return 'NaN';
    if (this.posInf > 0) return 'Infinity';
    if (this.negInf > 0) return '-Infinity';
    const cut = this.sum.scale - this.scaled.largest();
    return cut <= 0 ? this.sum : { coef: this.sum.coef / pow10(cut), scale: this.sum.scale - cut };
  }

  merge(o: Accumulator): void {
    const x = o as NumericSumAcc;
    this.sum = addDecimal(this.sum, x.sum) as Dec;
    this.count += x.count;
    this.nans += x.nans;
    this.posInf += x.posInf;
    this.negInf += x.negInf;
    this.scaled.merge(x.scaled);
  }

  write(w: ByteWriter): void {
    w.str(formatDecimal(this.sum)).svar(this.count).svar(this.nans).svar(this.posInf).svar(this.negInf);
    this.scaled.write(w);
  }

  read(r: ByteReader): void {
    this.sum = parseDecimal(r.str()) as Dec;
    this.count = r.svar();
    this.nans = r.svar();
    this.posInf = r.svar();
    this.negInf = r.svar();
    this.scaled.read(r);
  }

  bytes(): number {
    return 64;
  }
}

/**
 * Counts of values by scale, for scales above 0, in state as their number and then (scale, count) pairs by scale
 * (an integer sum writes none: engine/aggregate/integer-sum.ts).
 */
class ScaleCounts {
  private readonly counts = new Map<number, number>();

  add(scale: number, weight: number): void {
    if (scale === 0) return;
    const n = (this.counts.get(scale) ?? 0) + weight;
    if (n === 0) this.counts.delete(scale);
    else this.counts.set(scale, n);
  }

  /** The largest scale with values, 0 when none. */
  largest(): number {
    let max = 0;
    for (const scale of this.counts.keys()) if (scale > max) max = scale;
    return max;
  }

  merge(o: ScaleCounts): void {
    for (const [scale, n] of o.counts) this.add(scale, n);
  }

  write(w: ByteWriter): void {
    const scales = [...this.counts.keys()].sort((a, b) => a - b);
    w.uvar(scales.length);
    for (const scale of scales) w.uvar(scale).svar(this.counts.get(scale)!);
  }

  read(r: ByteReader): void {
    this.counts.clear();
    for (let k = r.uvar(); k > 0; k--) {
      const scale = r.uvar();
      this.counts.set(scale, r.svar());
    }
  }
}
