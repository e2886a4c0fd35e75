// sum / avg with a NUMERIC result, exact: sum(numeric), avg(numeric), sum(int8) and avg(int2 / int4 / int8), as
// PostgreSQL types them. The sum is one decimal (the largest input scale); avg divides it by the count with
// NUMERIC's division (select_div_scale), as PostgreSQL's numeric_avg does. NaN and infinities are counted aside, so
// a retraction can take them back out.

import type { Vec } from '../columns/vec';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import {
  addDecimal, type Dec, divideDecimal, formatDecimal, multiplyDecimal, parseDecimal, type Decimal,
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

  constructor(private readonly average: boolean) {}

  update(args: readonly Vec[], row: number, weight: number): void {
    const v = args[0];
    if (isNullAt(v, row)) return;
    const d = decimalAt(v, row);
    this.count += weight;
    if (d === 'NaN') this.nans += weight;
    else if (d === 'Infinity') this.posInf += weight;
    else if (d === '-Infinity') this.negInf += weight;
    else this.sum = addDecimal(this.sum, weight === 1 ? d : multiplyDecimal(d, { coef: BigInt(weight), scale: 0 })) as Dec;
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
    return this.sum;
  }

  merge(o: Accumulator): void {
    const x = o as NumericSumAcc;
    this.sum = addDecimal(this.sum, x.sum) as Dec;
    this.count += x.count;
    this.nans += x.nans;
    this.posInf += x.posInf;
    this.negInf += x.negInf;
  }

  write(w: ByteWriter): void {
    w.str(formatDecimal(this.sum)).svar(this.count).svar(this.nans).svar(this.posInf).svar(this.negInf);
  }

  read(r: ByteReader): void {
    this.sum = parseDecimal(r.str()) as Dec;
    this.count = r.svar();
    this.nans = r.svar();
    this.posInf = r.svar();
    this.negInf = r.svar();
  }

  bytes(): number {
    return 64;
  }
}
