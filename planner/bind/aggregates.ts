// Aggregate functions of SQL.md and their result types, as PostgreSQL types them (sum(int4) is bigint, avg(int) is
// numeric, ...). Arguments keep their own type, except approx_percentile's value (double precision) and fraction (a
// double precision constant).

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { AggFn } from '../../engine/plan';
import { T, type SqlType, type TypeName } from '../../engine/types';
import type { LExpr } from '../logical/expr';
import { canImplicit, coerce, foldCast, isNumeric, type ParamTypes } from './coerce';
import { noSuchFunction } from './functions';

export const AGGREGATE_NAMES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'stddev', 'stddev_samp', 'bool_and', 'bool_or', 'every',
  'approx_count_distinct', 'approx_percentile',
]);

export interface ResolvedAggregate {
  readonly fn: AggFn;
  readonly args: readonly LExpr[];
  readonly type: SqlType;
}

const SUM: Partial<Record<TypeName, TypeName>> = {
  int2: 'int8', int4: 'int8', int8: 'numeric', numeric: 'numeric', float4: 'float4', float8: 'float8', interval: 'interval',
};
const AVG: Partial<Record<TypeName, TypeName>> = {
  int2: 'numeric', int4: 'numeric', int8: 'numeric', numeric: 'numeric', float4: 'float8', float8: 'float8', interval: 'interval',
};
const STDDEV: Partial<Record<TypeName, TypeName>> = {
  int2: 'numeric', int4: 'numeric', int8: 'numeric', numeric: 'numeric', float4: 'float8', float8: 'float8',
};
const ORDERED = new Set<TypeName>([
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'timestamp', 'timestamptz', 'date', 'interval', 'bool',
]);

export function resolveAggregate(
  name: string, args: readonly LExpr[], star: boolean, pos: number, params: ParamTypes,
): ResolvedAggregate {
  const fail = (): SqlError => noSuchFunction(name, args, pos);
  if (star) {
    if (name !== 'count') throw fail();
    return { fn: 'count_star', args: [], type: T.int8 };
  }
  // An untyped constant or parameter argument: PostgreSQL reads it as text where that works.
  const typed = args.map((a) => (a.type.name === 'unknown' && name !== 'approx_percentile' ? coerce(a, T.text, pos, params, fail) : a));
  const one = (): LExpr => {
    if (typed.length !== 1) throw fail();
    return typed[0];
  };
  const byTable = (fn: AggFn, table: Partial<Record<TypeName, TypeName>>): ResolvedAggregate => {
    const a = one();
    const result = table[a.type.name];
    if (result === undefined) throw fail();
    return { fn, args: [a], type: T[result] };
  };
  switch (name) {
    case 'count': return { fn: 'count', args: [one()], type: T.int8 };
    case 'sum': return byTable('sum', SUM);
    case 'avg': return byTable('avg', AVG);
    case 'stddev': case 'stddev_samp': return byTable('stddev', STDDEV);
    case 'min': case 'max': {
      const a = one();
      if (!ORDERED.has(a.type.name)) throw fail();
      // VARCHAR has no min/max of its own: PostgreSQL's are TEXT's, and so is their result.
      return { fn: name, args: [a], type: a.type.name === 'varchar' ? T.text : a.type };
    }
    case 'bool_and': case 'bool_or': case 'every': {
      const a = one();
      if (a.type.name !== 'bool') throw fail();
      return { fn: name === 'every' ? 'bool_and' : name, args: [a], type: T.bool };
    }
    case 'approx_count_distinct': return { fn: 'approx_count_distinct', args: [one()], type: T.int8 };
    case 'approx_percentile': {
      if (typed.length !== 2) throw fail();
      const [value, fraction] = typed;
      if (!isNumeric(value.type) && value.type.name !== 'unknown') throw fail();
      const v = coerce(value, T.float8, pos, params, fail);
      if (fraction.kind !== 'literal' || !(isNumeric(fraction.type) || fraction.type.name === 'unknown') || !canImplicit(fraction.type, T.float8)) {
        throw new SqlError(SQLSTATE.feature_not_supported, 'the fraction of approx_percentile must be a constant between 0 and 1', { position: pos + 1 });
      }
      const f = fraction.type.name === 'float8' ? fraction : foldCast(fraction, T.float8, pos)!;
      const q = Number(f.value);
      if (!(q >= 0 && q <= 1)) {
        throw new SqlError(SQLSTATE.numeric_value_out_of_range, `percentile value ${q} is not between 0 and 1`, { position: pos + 1 });
      }
      return { fn: 'approx_percentile', args: [v, f], type: T.float8 };
    }
    default: throw fail();
  }
}
