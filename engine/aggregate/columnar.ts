// Aggregates kept as columns over group numbers: count(*), count(x), and sum / avg over numbers. Each field is a
// Float64Array indexed by group, so a group costs a few array slots instead of an accumulator object (or two), and a
// batch is one loop over the input's typed arrays. The arithmetic and the state bytes are exactly those of CountStar,
// Count (engine/aggregate/basic.ts) and FloatSumAcc (engine/aggregate/float-sum.ts); integer sums are exact below
// 2^53. sum(int8) and avg over integers, exact NUMERICs, are columns of their own (engine/aggregate/integer-sum.ts).

import { REPR, type Vec } from '../columns/vec';
import type { AggCall } from '../plan';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Value } from '../types';
import type { GroupedAggregate } from './grouped';
import { FloatSums } from './float-sum';
import { IntegerSumColumns } from './integer-sum';

const INTEGER_TYPES: ReadonlySet<string> = new Set(['int2', 'int4', 'int8']);

/** The columnar form of `call`, or null when it has none (DISTINCT, or a function kept as objects). */
export function columnarAggregate(call: AggCall): GroupedAggregate | null {
  if (call.distinct) return null;
  switch (call.fn) {
    case 'count_star': return new CountColumn(false);
    case 'count': return new CountColumn(true);
    case 'sum':
    case 'avg':
      if (REPR[call.args[0].type.name] !== 'num') return null;
      // A NUMERIC result (sum(int8), avg(int)) is exact: engine/aggregate/integer-sum.ts, not a float column.
      if (call.type.name !== 'numeric') return new SumColumns(call.fn === 'avg', call.type.name === 'float4');
      return INTEGER_TYPES.has(call.args[0].type.name) ? new IntegerSumColumns(call.fn === 'avg') : null;
    default: return null;
  }
}

/** A column twice as long as needed, with its old contents. */
function grown(a: Float64Array, capacity: number): Float64Array {
  if (capacity <= a.length) return a;
  const b = new Float64Array(Math.max(capacity, a.length * 2));
  b.set(a);
  return b;
}

class CountColumn implements GroupedAggregate {
  private n: Float64Array = new Float64Array(0);

  /** `ofValues`: count(x), which skips NULLs; otherwise count(*). */
  constructor(private readonly ofValues: boolean) {}

  grow(capacity: number): void {
    this.n = grown(this.n, capacity);
  }

  clear(g: number): void {
    this.n[g] = 0;
  }

  release(): void {}

  update(args: readonly Vec[], groups: Int32Array, weights: Int32Array | null, rows: number): void {
    const n = this.n;
    const nulls = this.ofValues ? args[0].nulls : null;
    for (let i = 0; i < rows; i++) {
      const g = groups[i];
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      n[g] += weights === null ? 1 : weights[i];
    }
  }

  result(g: number): Value {
    return this.n[g];
  }

  write(w: ByteWriter, g: number): void {
    w.svar(this.n[g]);
  }

  read(r: ByteReader, g: number): void {
    this.n[g] = r.svar();
  }

  bytes(): number {
    return 8;
  }
}

/** sum / avg over numbers, in the columns of engine/aggregate/float-sum.ts. */
class SumColumns implements GroupedAggregate {
  private readonly sums: FloatSums;

  constructor(average: boolean, realResult: boolean) {
    this.sums = new FloatSums(average ? 'avg' : 'sum', realResult);
  }

  grow(capacity: number): void {
    this.sums.grow(capacity);
  }

  clear(g: number): void {
    this.sums.clear(g);
  }

  release(): void {}

  update(args: readonly Vec[], groups: Int32Array, weights: Int32Array | null, rows: number): void {
    const v = args[0] as Extract<Vec, { kind: 'num' }>;
    const values = v.values;
    const nulls = v.nulls;
    for (let i = 0; i < rows; i++) {
      const g = groups[i];
      if (g < 0 || (nulls !== null && nulls[i] === 1)) continue;
      this.sums.add(g, values[i], weights === null ? 1 : weights[i]);
    }
  }

  result(g: number): Value {
    return this.sums.result(g);
  }

  write(w: ByteWriter, g: number): void {
    this.sums.write(w, g);
  }

  read(r: ByteReader, g: number): void {
    this.sums.read(r, g);
  }

  bytes(): number {
    return this.sums.bytes();
  }
}
