// Binds one expression: names to column ids through the scope, constants to typed literals, operators and functions
// to resolved engine calls with explicit casts, aggregates to references to the aggregate's outputs (when the clause
// allows them). Dispatch is a Record over AstExpr kinds so that a new kind cannot be forgotten.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Literal } from '../../engine/plan';
import { T, typeDisplayName, type SqlType } from '../../engine/types';
import { canonicalNumeric } from '../../engine/values/decimal';
import { SLUICE_VERSION, type PlanContext } from '../context';
import { displayExpr, exprKey, type LExpr } from '../logical/expr';
import type { LAggCall } from '../logical/nodes';
import type { AstExpr } from '../parse/ast';
import { AGGREGATE_NAMES, resolveAggregate } from './aggregates';
import { castTo, coerce, commonType, isInteger, mismatch, type ParamTypes } from './coerce';
import { applyOverload, chooseOverload, FUNCTIONS, noSuchFunction } from './functions';
import { bindBinary, call, compare, negate, requireBool } from './operators';
import type { ScalarSubqueries } from './scalar-subquery';
import type { Scope } from './scope';
import type { BindState } from './state';

/** Collects the aggregate calls of a grouped SELECT; each becomes an output column of the aggregate node. */
export interface AggCollector {
  readonly calls: LAggCall[];
  /** Binding the arguments of an aggregate right now (aggregates cannot nest). */
  inside: boolean;
}

export interface ExprEnv {
  readonly state: BindState;
  readonly scope: Scope;
  /** Null where aggregates are not allowed. */
  readonly aggs: AggCollector | null;
  /** The clause being bound, for messages: "WHERE", "JOIN conditions", "GROUP BY", ... */
  readonly clause: string;
  /** Where scalar subqueries are allowed (the select list, WHERE, HAVING): what joins them in. */
  readonly subqueries?: ScalarSubqueries;
}

type Binder<K extends AstExpr['kind']> = (e: Extract<AstExpr, { kind: K }>, env: ExprEnv) => LExpr;

function lit(value: Literal['value'], type: SqlType): Literal {
  return { kind: 'literal', value, type };
}

const INT4_MAX = 2147483647;

export function numberLiteral(text: string): Literal {
  if (/^-?\d+$/.test(text)) {
    const big = BigInt(text);
    if (big >= -BigInt(INT4_MAX) - 1n && big <= BigInt(INT4_MAX)) return lit(Number(text), T.int4);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return lit(big, T.int8);
  }
  return lit(canonicalNumeric(text), T.numeric);
}

const BINDERS: { readonly [K in AstExpr['kind']]: Binder<K> } = {
  column: (e, env) => {
    const c = env.scope.resolve(e.parts, e.pos);
    return { kind: 'column', id: c.id, type: c.type, name: c.name, pos: e.pos };
  },
  star: (e) => {
    throw new SqlError(SQLSTATE.syntax_error, 'a row value (x.*) is not allowed here', { position: e.pos + 1 });
  },
  number: (e) => numberLiteral(e.text),
  string: (e) => lit(e.value, T.unknown),
  null: () => lit(null, T.unknown),
  bool: (e) => lit(e.value, T.bool),
  param: (e, env) => ({ kind: 'param', index: e.index, type: env.state.params.types[e.index] ?? T.unknown }),
  typed_string: (e, env) => castTo(lit(e.value, T.unknown), e.type.type, e.pos, env.state.params),
  interval: (e) => lit(e.value, T.interval),
  unary: (e, env) => {
    const arg = bindExpr(e.arg, env);
    if (e.op === 'not') return call('not', [requireBool(arg, 'NOT', e.pos, env.state.params)], T.bool);
    if (e.op === '-') return negate(arg, e.pos, env.state.params);
    return arg;
  },
  binary: (e, env) => bindBinary(e.op, bindExpr(e.left, env), bindExpr(e.right, env), e.pos, env.state.params),
  is: (e, env) => {
    const arg = bindExpr(e.arg, env);
    if (e.test === 'null') return call(e.negated ? 'is_not_null' : 'is_null', [arg], T.bool);
    const test = call(e.test === 'true' ? 'is_true' : 'is_false', [requireBool(arg, `IS ${e.test.toUpperCase()}`, e.pos, env.state.params)], T.bool);
    return e.negated ? call('not', [test], T.bool) : test;
  },
  is_distinct: (e, env) => {
    const test = compare('is_distinct_from', bindExpr(e.left, env), bindExpr(e.right, env), e.pos, env.state.params, 'IS DISTINCT FROM');
    return e.negated ? call('not', [test], T.bool) : test;
  },
  between: (e, env) => {
    const arg = bindExpr(e.arg, env);
    const p = env.state.params;
    const test = call('and', [compare('>=', arg, bindExpr(e.low, env), e.pos, p), compare('<=', arg, bindExpr(e.high, env), e.pos, p)], T.bool);
    return e.negated ? call('not', [test], T.bool) : test;
  },
  in_list: (e, env) => {
    // PostgreSQL reads `x IN (y)` as `x = y`, with the operator's types; a longer list takes the common type of x and
    // all the values (so a REAL's `r IN (0.1, 0)` compares as REAL, where `r = 0.1` compares as double).
    if (e.list.length === 1) {
      const test = compare('=', bindExpr(e.arg, env), bindExpr(e.list[0]!, env), e.pos, env.state.params);
      return e.negated ? call('not', [test], T.bool) : test;
    }
    const all = [bindExpr(e.arg, env), ...e.list.map((x) => bindExpr(x, env))];
    const t = commonType(all.map((x) => x.type));
    if (t === null) throw mismatch(`IN types ${all.map((x) => typeDisplayName(x.type)).filter((x, i, a) => a.indexOf(x) === i).join(' and ')} cannot be matched`, e.pos);
    const args = all.map((x) => coerce(x, t, e.pos, env.state.params, () => mismatch('IN types cannot be matched', e.pos)));
    const test = call('in', args, T.bool);
    return e.negated ? call('not', [test], T.bool) : test;
  },
  in_query: (e) => {
    throw new SqlError(SQLSTATE.feature_not_supported, 'IN (SELECT ...) is only supported as a condition of WHERE joined by AND', { position: e.pos + 1 });
  },
  like: (e, env) => {
    const p = env.state.params;
    const arg = bindExpr(e.arg, env);
    const pattern = bindExpr(e.pattern, env);
    const s = chooseOverload([{ fn: e.op, args: ['text', 'text'], result: 'bool' }], [arg, pattern]);
    if (s === null) {
      throw new SqlError(SQLSTATE.undefined_function, `operator does not exist: ${typeDisplayName(arg.type)} ${e.op === 'like' ? '~~' : '~~*'} ${typeDisplayName(pattern.type)}`, {
        position: e.pos + 1,
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    const test = applyOverload(s, [arg, pattern], e.pos, p);
    return e.negated ? call('not', [test], T.bool) : test;
  },
  call: (e, env) => bindCall(e, env),
  cast: (e, env) => castTo(bindExpr(e.arg, env), e.type.type, e.pos, env.state.params),
  case: (e, env) => {
    const p = env.state.params;
    const operand = e.operand === null ? null : bindExpr(e.operand, env);
    const whens = e.whens.map((w) => {
      const value = bindExpr(w.when, env);
      const when = operand === null ? requireBool(value, 'CASE/WHEN', w.when.pos, p) : compare('=', operand, value, w.when.pos, p);
      return { when, then: bindExpr(w.then, env) };
    });
    const otherwise = e.otherwise === null ? null : bindExpr(e.otherwise, env);
    // PostgreSQL resolves the ELSE first: CASE WHEN .. THEN varchar_col ELSE text_col END is TEXT.
    const results = [...(otherwise === null ? [] : [otherwise]), ...whens.map((w) => w.then)];
    const t = commonType(results.map((r) => r.type));
    const fail = () => mismatch(`CASE types ${results.map((r) => typeDisplayName(r.type)).filter((x, i, a) => a.indexOf(x) === i).join(' and ')} cannot be matched`, e.pos);
    if (t === null) throw fail();
    return {
      kind: 'case',
      whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, t, e.pos, p, fail) })),
      otherwise: otherwise === null ? null : coerce(otherwise, t, e.pos, p, fail),
      type: t,
    };
  },
  special: (e, env) => special(e.name, e.pos, env),
  subquery: (e, env) => {
    if (env.subqueries === undefined || env.aggs?.inside === true) {
      throw new SqlError(SQLSTATE.feature_not_supported,
        'a scalar subquery is supported only in the select list, WHERE and HAVING, outside aggregates', { position: e.pos + 1 });
    }
    return env.subqueries.add(e);
  },
  exists: (e) => {
    throw new SqlError(SQLSTATE.feature_not_supported,
      'EXISTS is supported only as a condition of WHERE, alone or AND\'ed with others (not under OR, nor in the select list)', { position: e.pos + 1 });
  },
};

export function bindExpr(e: AstExpr, env: ExprEnv): LExpr {
  return (BINDERS[e.kind] as Binder<AstExpr['kind']>)(e, env);
}

/**
 * current_setting(name [, missing_ok]) with a constant name, folded to the setting's value when it is the same for
 * every session (what Grafana and ORMs read: server_version_num); one a session can SET is 0A000 here (SHOW reads
 * it, and catalog statements run it in the mirror).
 */
function currentSetting(args: readonly LExpr[], ctx: PlanContext, pos: number): LExpr {
  const [name, missingOk] = args;
  const text = (a: LExpr | undefined) => a?.kind === 'literal' && (a.type.name === 'unknown' || a.type.name === 'text');
  const bool = (a: LExpr | undefined) => a?.kind === 'literal' && a.type.name === 'bool';
  if (args.length < 1 || args.length > 2 || !text(name) || (args.length === 2 && !bool(missingOk))) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'current_setting takes a constant setting name (and a constant missing_ok)', {
      position: pos + 1,
    });
  }
  const settingName = String((name as Literal).value);
  const found = ctx.serverSetting(settingName);
  switch (found.kind) {
    case 'server-wide': return lit(found.value, T.text);
    case 'unknown':
      if (missingOk !== undefined && (missingOk as Literal).value === true) return lit(null, T.text);
      throw new SqlError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${settingName}"`);
    case 'per-session':
      throw new SqlError(SQLSTATE.feature_not_supported, `current_setting('${settingName}') is not supported in queries`, {
        position: pos + 1, hint: `SHOW ${settingName} shows it.`,
      });
  }
}

function special(name: string, pos: number, env: ExprEnv): LExpr {
  const ctx = env.state.ctx;
  switch (name) {
    case 'current_user': case 'session_user': return lit(ctx.user, T.text);
    case 'current_schema': return lit('public', T.text);
    case 'current_catalog': return lit(ctx.database, T.text);
    case 'current_timestamp': return call('now', [], T.timestamptz);
    case 'current_date': return { kind: 'cast', expr: call('now', [], T.timestamptz), type: T.date };
    case 'localtimestamp': return { kind: 'cast', expr: call('now', [], T.timestamptz), type: T.timestamp };
    default: throw new SqlError(SQLSTATE.syntax_error, `syntax error at or near "${name}"`, { position: pos + 1 });
  }
}

const DATE_FIELDS = new Set([
  'epoch', 'millennium', 'century', 'decade', 'year', 'isoyear', 'quarter', 'month', 'week', 'day', 'dow', 'isodow',
  'doy', 'hour', 'minute', 'second', 'milliseconds', 'microseconds', 'timezone', 'timezone_hour', 'timezone_minute',
  'julian',
]);
const TRUNC_FIELDS = new Set([
  'microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade',
  'century', 'millennium',
]);
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  millisecond: 'milliseconds', microsecond: 'microseconds', seconds: 'second', minutes: 'minute', hours: 'hour',
  days: 'day', months: 'month', years: 'year', weeks: 'week', quarters: 'quarter', ms: 'milliseconds', us: 'microseconds',
};

/** The unit argument of date_part / date_trunc, checked and normalized now so the kernels never see a bad one. */
function dateField(fn: string, arg: LExpr, valueType: SqlType, pos: number, fields: ReadonlySet<string>): LExpr {
  if (arg.kind !== 'literal' || typeof arg.value !== 'string') {
    if (fn !== 'date_trunc') {
      throw new SqlError(SQLSTATE.feature_not_supported, 'the field of date_part / EXTRACT must be a constant', { position: pos + 1 });
    }
    return arg;
  }
  const raw = arg.value.toLowerCase();
  const field = FIELD_ALIASES[raw] ?? raw;
  if (!fields.has(field)) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `unit "${arg.value}" not recognized for type ${typeDisplayName(valueType)}`, { position: pos + 1 });
  }
  return lit(field, arg.type);
}

function bindCall(e: Extract<AstExpr, { kind: 'call' }>, env: ExprEnv): LExpr {
  const name = e.name;
  if (AGGREGATE_NAMES.has(name)) return bindAggregate(e, env);
  if (e.star || e.distinct) {
    throw new SqlError(SQLSTATE.wrong_object_type, `${e.star ? `${name}(*)` : 'DISTINCT'} specified, but ${name} is not an aggregate function`, { position: e.pos + 1 });
  }
  const ctx = env.state.ctx;
  const p = env.state.params;
  const noArgs = (value: LExpr): LExpr => {
    if (e.args.length !== 0) throw noSuchFunction(name, e.args.map((a) => bindExpr(a, env)), e.pos);
    return value;
  };
  switch (name) {
    case 'version': return noArgs(lit(SLUICE_VERSION, T.text));
    case 'current_database': return noArgs(lit(ctx.database, T.text));
    case 'current_schema': return noArgs(lit('public', T.text));
    case 'current_user': case 'session_user': return noArgs(lit(ctx.user, T.text));
  }
  const args = e.args.map((a) => bindExpr(a, env));
  switch (name) {
    case 'current_setting': return currentSetting(args, ctx, e.pos);
    case 'coalesce': case 'greatest': case 'least': case 'nullif': {
      if (args.length === 0 || (name === 'nullif' && args.length !== 2)) throw noSuchFunction(name, args, e.pos);
      const t = commonType(args.map((a) => a.type));
      const fail = () => mismatch(`${name.toUpperCase()} types ${args.map((a) => typeDisplayName(a.type)).filter((x, i, a) => a.indexOf(x) === i).join(' and ')} cannot be matched`, e.pos);
      if (t === null) throw fail();
      const result = call(name, args.map((a) => coerce(a, t, e.pos, p, fail)), t);
      return name === 'nullif' ? nullifType(result, args[0]!, e.pos, p) : result;
    }
    case 'concat':
      // Each argument prints with its type's output function (a boolean is t / f), not a cast to text (true / false).
      return call('concat', args.map((a) => (a.type.name === 'unknown' ? coerce(a, T.text, e.pos, p, () => noSuchFunction(name, args, e.pos)) : a)), T.text);
  }
  const sigs = FUNCTIONS[name];
  if (sigs === undefined) throw noSuchFunction(name, args, e.pos);
  const s = chooseOverload(sigs, args);
  if (s === null) throw noSuchFunction(name, args, e.pos);
  const bound = applyOverload(s, args, e.pos, p);
  if (bound.kind === 'call' && (s.fn === 'date_part' || s.fn === 'extract' || s.fn === 'date_trunc')) {
    const fields = s.fn === 'date_trunc' ? TRUNC_FIELDS : DATE_FIELDS;
    return { ...bound, args: [dateField(s.fn, bound.args[0], bound.args[1].type, e.args[0].pos, fields), bound.args[1]] };
  }
  return bound;
}

/**
 * NULLIF returns the first argument of its `=`, which keeps its own type where PostgreSQL has a cross-type `=` for
 * the pair (integers among themselves, REAL with DOUBLE): `nullif(smallint_col, 0)` is a SMALLINT.
 */
function nullifType(result: LExpr, first: LExpr, pos: number, p: ParamTypes): LExpr {
  const sameFamily = (isInteger(first.type) && isInteger(result.type))
    || (isFloat(first.type) && isFloat(result.type));
  return sameFamily && first.type.name !== result.type.name ? castTo(result, first.type, pos, p) : result;
}

const isFloat = (t: SqlType): boolean => t.name === 'float4' || t.name === 'float8';

function bindAggregate(e: Extract<AstExpr, { kind: 'call' }>, env: ExprEnv): LExpr {
  const collector = env.aggs;
  if (collector === null) {
    throw new SqlError(SQLSTATE.grouping_error, `aggregate functions are not allowed in ${env.clause}`, { position: e.pos + 1 });
  }
  if (collector.inside) {
    throw new SqlError(SQLSTATE.grouping_error, 'aggregate function calls cannot be nested', { position: e.pos + 1 });
  }
  collector.inside = true;
  let args: LExpr[];
  try {
    args = e.args.map((a) => bindExpr(a, env));
  } finally {
    collector.inside = false;
  }
  const r = resolveAggregate(e.name, args, e.star, e.pos, env.state.params);
  const distinct = e.distinct && r.fn !== 'min' && r.fn !== 'max';
  const key = `${r.fn}|${distinct}|${r.args.map(exprKey).join(',')}`;
  let found = collector.calls.find((c) => `${c.fn}|${c.distinct}|${c.args.map(exprKey).join(',')}` === key);
  if (found === undefined) {
    found = { id: env.state.nextId(), fn: r.fn, args: r.args, distinct, type: r.type };
    collector.calls.push(found);
  }
  return { kind: 'column', id: found.id, type: found.type, name: aggDisplayName(found) };
}

/** count(*), sum(amount), count(DISTINCT tier): the aggregate's output column name in plans. */
export function aggDisplayName(a: Pick<LAggCall, 'fn' | 'args' | 'distinct'>): string {
  if (a.fn === 'count_star') return 'count(*)';
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map(displayExpr).join(', ')})`;
}
