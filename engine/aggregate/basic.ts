// count(*), count(x), sum, avg, stddev (sample, like PostgreSQL's stddev), bool_and, bool_or: all retractable.
// Float sums are compensated (Neumaier) so that inserting and deleting the same values returns to the same sum.

import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Interval, Value } from '../types';
import { divideInterval } from '../values/temporal';
import { isNullAt, type Accumulator } from './accumulator';

export class CountStar implements Accumulator {
  n = 0;
  update(_args: readonly Vec[], _row: number, weight: number): void {
    this.n += weight;
  }
  result(): Value {
    return this.n;
  }
  merge(o: Accumulator): void {
    this.n += (o as CountStar).n;
  }
  write(w: ByteWriter): void {
    w.svar(this.n);
  }
  read(r: ByteReader): void {
    this.n = r.svar();
  }
  bytes(): number {
    return 16;
  }
}

export class Count extends CountStar {
  override update(args: readonly Vec[], row: number, weight: number): void {
    if (!isNullAt(args[0], row)) this.n += weight;
  }
}

/** A compensated float sum of non-NULL values and how many there are. */
class NumberSum {
  sum = 0;
  comp = 0;
  count = 0;

  add(x: number, weight: number): void {
    this.addValue(weight === 1 ? x : x * weight, weight);
  }

  private addValue(v: number, count: number): void {
    const t = this.sum + v;
    if (Math.abs(this.sum) >= Math.abs(v)) this.comp += this.sum - t + v;
    else this.comp += v - t + this.sum;
    this.sum = t;
    this.count += count;
    // Back to no values: drop any rounding residue.
    if (this.count === 0) this.sum = this.comp = 0;
  }

  total(): number {
    return this.sum + this.comp;
  }

  mergeFrom(o: NumberSum): void {
    this.addValue(o.total(), o.count);
  }

  write(w: ByteWriter): void {
    w.f64(this.sum).f64(this.comp).svar(this.count);
  }

  read(r: ByteReader): void {
    this.sum = r.f64();
    this.comp = r.f64();
    this.count = r.svar();
  }
}

/** sum / avg over numbers (integer sums stay exact below 2^53). */
export class NumberSumAcc implements Accumulator {
  private readonly s = new NumberSum();
  constructor(private readonly average: boolean) {}

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    this.s.add((v as Extract<Vec, { kind: 'num' }>).values[row], weight);
  }
  result(): Value {
    if (this.s.count === 0) return null;
    return this.average ? this.s.total() / this.s.count : this.s.total();
  }
  merge(o: Accumulator): void {
    this.s.mergeFrom((o as NumberSumAcc).s);
  }
  write(w: ByteWriter): void {
    this.s.write(w);
  }
  read(r: ByteReader): void {
    this.s.read(r);
  }
  bytes(): number {
    return 40;
  }
}

/** sum / avg over intervals, field by field as PostgreSQL adds them. */
export class IntervalSumAcc implements Accumulator {
  months = 0;
  days = 0;
  micros = 0;
  count = 0;
  constructor(private readonly average: boolean) {}

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0] as Extract<Vec, { kind: 'interval' }>;
    if (isNullAt(v, row)) return;
    this.months += weight * v.months[row];
    this.days += weight * v.days[row];
    this.micros += weight * v.micros[row];
    this.count += weight;
  }
  result(): Value {
    if (this.count === 0) return null;
    const sum: Interval = { months: this.months, days: this.days, micros: this.micros };
    return this.average ? divideInterval(sum, this.count) : sum;
  }
  merge(o: Accumulator): void {
    const x = o as IntervalSumAcc;
    this.months += x.months;
    this.days += x.days;
    this.micros += x.micros;
    this.count += x.count;
  }
  write(w: ByteWriter): void {
    w.svar(this.months).svar(this.days).f64(this.micros).svar(this.count);
  }
  read(r: ByteReader): void {
    this.months = r.svar();
    this.days = r.svar();
    this.micros = r.f64();
    this.count = r.svar();
  }
  bytes(): number {
    return 48;
  }
}

/** Sample standard deviation by Welford's method, which can also remove a value and merge (Chan et al.). */
export class StddevAcc implements Accumulator {
  n = 0;
  mean = 0;
  m2 = 0;

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    const x = (v as Extract<Vec, { kind: 'num' }>).values[row];
    if (weight > 0) {
      for (let k = 0; k < weight; k++) {
        this.n++;
        const d = x - this.mean;
        this.mean += d / this.n;
        this.m2 += d * (x - this.mean);
      }
    } else {
      for (let k = 0; k < -weight; k++) {
        this.n--;
        if (this.n === 0) {
          this.mean = this.m2 = 0;
          continue;
        }
        const d = x - this.mean;
        this.mean -= d / this.n;
        this.m2 -= d * (x - this.mean);
      }
    }
  }
  result(): Value {
    if (this.n < 2) return null;
    return Math.sqrt(Math.max(0, this.m2) / (this.n - 1));
  }
  merge(o: Accumulator): void {
    const b = o as StddevAcc;
    if (b.n === 0) return;
    const n = this.n + b.n;
    const d = b.mean - this.mean;
    this.mean += (d * b.n) / n;
    this.m2 += b.m2 + (d * d * this.n * b.n) / n;
    this.n = n;
  }
  write(w: ByteWriter): void {
    w.svar(this.n).f64(this.mean).f64(this.m2);
  }
  read(r: ByteReader): void {
    this.n = r.svar();
    this.mean = r.f64();
    this.m2 = r.f64();
  }
  bytes(): number {
    return 40;
  }
}

/** bool_and / bool_or from counts of true and false inputs. */
export class BoolAcc implements Accumulator {
  trues = 0;
  falses = 0;
  constructor(private readonly and: boolean) {}

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0] as Extract<Vec, { kind: 'bool' }>;
    if (isNullAt(v, row)) return;
    if (v.values[row] === 1) this.trues += weight;
    else this.falses += weight;
  }
  result(): Value {
    if (this.trues + this.falses === 0) return null;
    return this.and ? this.falses === 0 : this.trues > 0;
  }
  merge(o: Accumulator): void {
    const b = o as BoolAcc;
    this.trues += b.trues;
    this.falses += b.falses;
  }
  write(w: ByteWriter): void {
    w.svar(this.trues).svar(this.falses);
  }
  read(r: ByteReader): void {
    this.trues = r.svar();
    this.falses = r.svar();
  }
  bytes(): number {
    return 24;
  }
}
