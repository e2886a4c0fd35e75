// count(*), count(x), sum / avg of intervals, bool_and, bool_or: all retractable. sum, avg and stddev of numbers are
// in engine/aggregate/float-sum.ts.

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
