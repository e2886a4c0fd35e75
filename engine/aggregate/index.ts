// One accumulator factory per aggregate call of a plan. The result types follow PostgreSQL (sum(int4) is int8,
// avg(int) numeric, ...) as the planner typed them in AggCall.type; accumulators compute in float64 or exact counts, and
// exactly in decimal when the result is NUMERIC.

import { SqlError, SQLSTATE } from '../errors';
import type { AggCall, AggFn } from '../plan';
import type { SqlType } from '../types';
import type { Accumulator, AccumulatorFactory } from './accumulator';
import { BoolAcc, Count, CountStar, IntervalSumAcc } from './basic';
import { FloatSumAcc } from './float-sum';
import { ApproxCountDistinctAcc } from './hll';
import { NumericSumAcc } from './numeric-sum';
import { ApproxPercentileAcc } from './kll';
import { AppendMinMaxAcc, DistinctAcc, MinMaxAcc } from './multiset';

export type { Accumulator, AccumulatorFactory } from './accumulator';

function argType(call: AggCall): SqlType {
  const a = call.args[0];
  if (a === undefined) throw new Error(`engine: ${call.fn} needs an argument`);
  return a.type;
}

function percentileFraction(call: AggCall): number {
  let q = call.args[1];
  while (q !== undefined && q.kind === 'cast') q = q.expr;
  if (q === undefined || q.kind !== 'literal' || q.value === null) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'approx_percentile needs a constant fraction as its second argument');
  }
  return Number(q.value);
}

function sumFactory(call: AggCall, average: boolean): AccumulatorFactory {
  if (argType(call).name === 'interval') return () => new IntervalSumAcc(average);
  if (call.type.name === 'numeric') return () => new NumericSumAcc(average);
  const realResult = call.type.name === 'float4';
  return () => new FloatSumAcc(average ? 'avg' : 'sum', realResult);
}

const FACTORIES: Record<AggFn, (call: AggCall) => AccumulatorFactory> = {
  count_star: () => () => new CountStar(),
  count: () => () => new Count(),
  sum: (call) => sumFactory(call, false),
  avg: (call) => sumFactory(call, true),
  min: (call) => () => new MinMaxAcc(argType(call), false),
  max: (call) => () => new MinMaxAcc(argType(call), true),
  stddev: () => () => new FloatSumAcc('stddev', false),
  bool_and: () => () => new BoolAcc(true),
  bool_or: () => () => new BoolAcc(false),
  approx_count_distinct: (call) => () => new ApproxCountDistinctAcc(argType(call)),
  approx_percentile: (call) => {
    const q = percentileFraction(call);
    return () => new ApproxPercentileAcc(q);
  },
};

/**
 * The factory of fresh accumulators for one aggregate call; DISTINCT wraps the aggregate in a multiplicity map.
 * `appendOnly`: the input never deletes (engine/operators/properties.ts), so min / max keep only their extreme.
 */
export function accumulatorFactory(call: AggCall, appendOnly = false): AccumulatorFactory {
  if (appendOnly && (call.fn === 'min' || call.fn === 'max')) {
    const type = argType(call);
    const max = call.fn === 'max';
    return () => new AppendMinMaxAcc(type, max);
  }
  const base = FACTORIES[call.fn](call);
  // DISTINCT changes nothing for min / max, and count(DISTINCT *) does not exist.
  if (!call.distinct || call.fn === 'min' || call.fn === 'max' || call.fn === 'count_star') return base;
  const type = argType(call);
  return (): Accumulator => new DistinctAcc(type, base());
}
