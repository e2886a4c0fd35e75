// Operators to engine calls with resolved types: arithmetic on the wider numeric type, date/time arithmetic by
// overload, comparisons on the common type of both sides, || on text, JSONB -> and ->> and ?, boolean logic.

import type { ScalarFn } from '../../engine/plan';
import { T, typeDisplayName, type SqlType } from '../../engine/types';
import type { LExpr } from '../logical/expr';
import type { BinaryOp } from '../parse/ast';
import { arithmeticType, castTo, coerce, commonType, isInteger, isNumeric, isString, mismatch, type ParamTypes } from './coerce';
import { applyOverload, chooseOverload, noSuchOperator, TEMPORAL_OPERATORS, type Signature } from './functions';

const BOOL: SqlType = T.bool;

export function call(fn: ScalarFn, args: readonly LExpr[], type: SqlType): LExpr {
  return { kind: 'call', fn, args, type };
}

/** An argument of AND / OR / NOT / WHERE / ...: boolean or an error naming the construct. */
export function requireBool(e: LExpr, what: string, pos: number, params: ParamTypes): LExpr {
  return coerce(e, BOOL, pos, params, () => mismatch(`argument of ${what} must be type boolean, not type ${typeDisplayName(e.type)}`, pos));
}

export function bindBinary(op: BinaryOp, l: LExpr, r: LExpr, pos: number, params: ParamTypes): LExpr {
  switch (op) {
    case 'and': case 'or':
      return call(op, [requireBool(l, op.toUpperCase(), pos, params), requireBool(r, op.toUpperCase(), pos, params)], BOOL);
    case '=': case '<>': case '<': case '<=': case '>': case '>=':
      return compare(op, l, r, pos, params);
    case '+': case '-': case '*': case '/': case '%':
      return arithmetic(op, l, r, pos, params);
    case '||': return concatenate(l, r, pos, params);
    case '->': case '->>': return jsonGet(op, l, r, pos, params);
    case '?': return jsonKeyExists(l, r, pos, params);
  }
}

/**
 * Both sides to their common type; PostgreSQL reads an untyped side as the other side's type. Two numbers compare
 * as arithmetic would combine them (PostgreSQL's cross-type operators: REAL against NUMERIC is double).
 */
export function compare(fn: ScalarFn, l: LExpr, r: LExpr, pos: number, params: ParamTypes, opName: string = fn): LExpr {
  const t = isNumeric(l.type) && isNumeric(r.type) ? arithmeticType(l.type, r.type) : commonType([l.type, r.type]);
  const fail = () => noSuchOperator(opName, [l, r], pos);
  if (t === null) throw fail();
  if (t.name === 'jsonb' && fn !== '=' && fn !== '<>' && fn !== 'is_distinct_from') throw fail();
  return call(fn, [coerce(l, t, pos, params, fail), coerce(r, t, pos, params, fail)], BOOL);
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', l: LExpr, r: LExpr, pos: number, params: ParamTypes): LExpr {
  const fail = () => noSuchOperator(op, [l, r], pos);
  const numericOrUnknown = (e: LExpr) => isNumeric(e.type) || e.type.name === 'unknown';
  if (numericOrUnknown(l) && numericOrUnknown(r) && (isNumeric(l.type) || isNumeric(r.type))) {
    const t = isNumeric(l.type) && isNumeric(r.type) ? arithmeticType(l.type, r.type) : isNumeric(l.type) ? l.type : r.type;
    if (op === '%' && !(isInteger(t) || t.name === 'numeric')) throw fail();
    return call(op, [coerce(l, t, pos, params, fail), coerce(r, t, pos, params, fail)], t);
  }
  if (op === '%') throw fail();
  // An untyped side takes the other side's type when such an overload exists (timestamptz - '...' is
  // timestamptz - timestamptz, as in PostgreSQL); otherwise the overloads decide (ts + '1 hour' is ts + interval).
  const sigs = TEMPORAL_OPERATORS[op];
  let s: Signature | null = null;
  if ((l.type.name === 'unknown') !== (r.type.name === 'unknown')) {
    const known = l.type.name === 'unknown' ? r.type.name : l.type.name;
    s = sigs.find((x) => x.args[0] === known && x.args[1] === known) ?? null;
  }
  s ??= chooseOverload(sigs, [l, r]);
  if (s === null) throw fail();
  return applyOverload(s, [l, r], pos, params);
}

function concatenate(l: LExpr, r: LExpr, pos: number, params: ParamTypes): LExpr {
  const fail = () => noSuchOperator('||', [l, r], pos);
  if (!isString(l.type) && !isString(r.type) && l.type.name !== 'unknown' && r.type.name !== 'unknown') throw fail();
  const toText = (e: LExpr): LExpr => (e.type.name === 'unknown' || isString(e.type) ? coerce(e, T.text, pos, params, fail) : castTo(e, T.text, pos, params));
  return call('||', [toText(l), toText(r)], T.text);
}

function jsonGet(op: '->' | '->>', l: LExpr, r: LExpr, pos: number, params: ParamTypes): LExpr {
  const fail = () => noSuchOperator(op, [l, r], pos);
  const left = coerce(l, T.jsonb, pos, params, fail);
  const key = isInteger(r.type) ? coerce(r, T.int4, pos, params, fail) : coerce(r, T.text, pos, params, fail);
  return call(op, [left, key], op === '->' ? T.jsonb : T.text);
}

/** jsonb ? text: whether the key (or the string element, or the string itself) is at the top level. */
function jsonKeyExists(l: LExpr, r: LExpr, pos: number, params: ParamTypes): LExpr {
  const fail = () => noSuchOperator('?', [l, r], pos);
  return call('?', [coerce(l, T.jsonb, pos, params, fail), coerce(r, T.text, pos, params, fail)], BOOL);
}

/** The integer whose negation no longer fits its type. */
const INTEGER_MIN: Partial<Record<SqlType['name'], number | bigint>> = {
  int2: -32768,
  int4: -2147483648,
  int8: -9223372036854775808n,
};

export function negate(arg: LExpr, pos: number, params: ParamTypes): LExpr {
  // A literal is negated in place unless that leaves its integer type (-(-2147483648)): the kernel then says 22003.
  const folds = arg.kind === 'literal' && !(isInteger(arg.type) && arg.value === INTEGER_MIN[arg.type.name]);
  if (folds && typeof arg.value === 'number') return { ...arg, value: -arg.value };
  if (folds && typeof arg.value === 'bigint') return { ...arg, value: -arg.value };
  if (arg.type.name === 'unknown') return call('neg', [coerce(arg, T.float8, pos, params, () => noSuchOperator('-', [arg], pos))], T.float8);
  if (!isNumeric(arg.type) && arg.type.name !== 'interval') throw noSuchOperator('-', [arg], pos);
  return call('neg', [arg], arg.type);
}
