// PostgreSQL's type rules, cut down to Sluice's types: which casts are implicit, which are allowed at all, the
// common type of a set of expressions (UNION, CASE, COALESCE, IN), and coercing a bound expression to a type, which
// folds constants (so '2026-01-01' compared to a timestamptz is parsed once, here, with a position on error) and
// types untyped parameters from their context.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Literal } from '../../engine/plan';
import { fitVarchar, formatValue, parseValue } from '../../engine/text';
import { readsInSessionZone } from '../../engine/values/datetime';
import { hasModifier, sameType, T, typeDisplayName, type SqlType, type TypeName, type Value } from '../../engine/types';
import { fitNumeric, numericText } from '../../engine/values/decimal';
import type { LExpr } from '../logical/expr';

const NUMERIC_RANK: Partial<Record<TypeName, number>> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };

export function isNumeric(t: SqlType): boolean {
  return NUMERIC_RANK[t.name] !== undefined;
}

export function isInteger(t: SqlType): boolean {
  return t.name === 'int2' || t.name === 'int4' || t.name === 'int8';
}

export function isString(t: SqlType): boolean {
  return t.name === 'text' || t.name === 'varchar';
}

export function isTime(t: SqlType): boolean {
  return t.name === 'timestamptz' || t.name === 'timestamp';
}

const TEMPORAL_RANK: Partial<Record<TypeName, number>> = { date: 1, timestamp: 2, timestamptz: 3 };

/**
 * Casts PostgreSQL applies without being asked (pg_cast castcontext 'i'), plus binary-coercible varchar/text. Into a
 * type with a modifier (varchar(n), numeric(p, s)) only from that same type: anything else must be fitted to it.
 */
export function canImplicit(from: SqlType, to: SqlType): boolean {
  if (from.name === to.name) return !hasModifier(to) || sameType(from, to);
  if (from.name === 'unknown') return true;
  const nf = NUMERIC_RANK[from.name];
  const nt = NUMERIC_RANK[to.name];
  if (nf !== undefined && nt !== undefined) return nf < nt;
  if (isString(from) && isString(to)) return to.name === 'text' || to.length === undefined;
  const tf = TEMPORAL_RANK[from.name];
  const tt = TEMPORAL_RANK[to.name];
  if (tf !== undefined && tt !== undefined) return tf < tt;
  return false;
}

/** Whether CAST(x AS to) exists at all. */
export function canExplicit(from: SqlType, to: SqlType): boolean {
  if (from.name === to.name || from.name === 'unknown' || canImplicit(from, to)) return true;
  if (isString(from) || isString(to)) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if ((from.name === 'bool' && to.name === 'int4') || (from.name === 'int4' && to.name === 'bool')) return true;
  if (TEMPORAL_RANK[from.name] !== undefined && TEMPORAL_RANK[to.name] !== undefined) return true;
  if (from.name === 'jsonb' && (isNumeric(to) || to.name === 'bool')) return true;
  return false;
}

/** + - * / % over two numeric types: the wider type, except that mixing real with anything but real is double. */
export function arithmeticType(a: SqlType, b: SqlType): SqlType {
  if (a.name === 'float4' && b.name === 'float4') return T.float4;
  if (a.name === 'float4' || b.name === 'float4') return T.float8;
  return NUMERIC_RANK[a.name]! >= NUMERIC_RANK[b.name]! ? T[a.name] : T[b.name];
}

/**
 * The type a set of expressions is resolved to (PostgreSQL's "UNION, CASE and related constructs"): all unknown is
 * text; otherwise the first known type, moved along implicit casts to the widest. Null when two cannot be matched.
 * Numbers follow the implicit casts too (int2 → int4 → int8 → numeric → real → double), so `r IN (0.1, 0)` over a
 * REAL compares as REAL, where the operator `r = 0.1` compares as double (arithmeticType).
 * It keeps a modifier (varchar(n), numeric(p, s)) only when every expression has it, as select_common_typmod: an
 * untyped literal compared with a numeric(5,2) column is read as numeric, not rounded to 2 digits first.
 */
export function commonType(types: readonly SqlType[]): SqlType | null {
  const result = commonBaseType(types);
  if (result === null || !hasModifier(result)) return result;
  return types.every((t) => sameType(t, result)) ? result : T[result.name];
}

function commonBaseType(types: readonly SqlType[]): SqlType | null {
  let result: SqlType | null = null;
  for (const t of types) {
    if (t.name === 'unknown') continue;
    if (result === null) { result = t; continue; }
    if (result.name === t.name) continue;
    // TEXT and VARCHAR cast to each other implicitly, so the first one stays (PostgreSQL: coalesce(vc, tx) is VARCHAR);
    // commonType drops a VARCHAR's length unless every input has the same.
    if (isString(result) && isString(t)) continue;
    if (canImplicit(result, t)) result = t;
    else if (!canImplicit(t, result)) return null;
  }
  return result ?? T.text;
}

export function mismatch(message: string, pos: number, hint?: string): SqlError {
  return new SqlError(SQLSTATE.datatype_mismatch, message, { position: pos + 1, hint });
}

/** Parameter types as they get inferred while binding; $n of unknown type takes the type its context needs. */
export interface ParamTypes {
  readonly types: SqlType[];
}

function withPosition(e: unknown, pos: number): unknown {
  if (e instanceof SqlError && e.position === undefined) {
    return new SqlError(e.code, e.message, { position: pos + 1, detail: e.detail, hint: e.hint });
  }
  return e;
}

/** A cast of a constant, done now when it cannot depend on anything at run time. */
export function foldCast(lit: Literal, to: SqlType, pos: number, explicit = false): Literal | null {
  const from = lit.type;
  if (lit.value === null) return { kind: 'literal', value: null, type: to };
  try {
    if (from.name === 'unknown' || isString(from)) {
      if (to.name === 'text' || to.name === 'unknown') return { kind: 'literal', value: String(lit.value), type: T.text };
      const value = parseValue(String(lit.value), to); // a bad constant is an error now, with its position
      // Without an offset, a timestamptz is a wall-clock time in the zone of the session that runs the plan.
      if (to.name === 'timestamptz' && readsInSessionZone(String(lit.value))) return null;
      return { kind: 'literal', value, type: to };
    }
    // A timestamptz prints in the zone of the session that runs the plan.
    if (isString(to) && from.name === 'timestamptz') return null;
    if (isString(to)) {
      // A cast prints booleans as 'true' / 'false' (their output function prints 't' / 'f').
      const text = typeof lit.value === 'boolean' ? String(lit.value) : formatValue(lit.value, from);
      return { kind: 'literal', value: to.name === 'varchar' ? fitVarchar(text, to, explicit) : text, type: to };
    }
    if (isNumeric(from) && isNumeric(to) && (canImplicit(from, to) || (from.name === 'numeric' && to.name === 'numeric'))) {
      const n = lit.value as number | bigint | string;
      // numeric → float reads the numeric's text as float8in / float4in do (22003 naming it when out of range).
      const v: Value = to.name === 'int8' ? BigInt(n) : to.name === 'numeric' ? fitNumeric(numericText(n), to)
        : from.name === 'numeric' ? parseValue(String(n), to)
        : to.name === 'float4' ? Math.fround(Number(n)) : Number(n); // a REAL constant is a REAL's value
      return { kind: 'literal', value: v, type: to };
    }
  } catch (e) {
    throw withPosition(e, pos);
  }
  return null;
}

/** An explicit CAST (or, with `explicit` false, an assignment cast), folded when it can be. */
export function castTo(e: LExpr, to: SqlType, pos: number, params: ParamTypes, explicit = true): LExpr {
  if (e.kind === 'param' && e.type.name === 'unknown') {
    const p = typeParam(e.index, to, params);
    return p.type.name === to.name && !sameType(p.type, to) ? { kind: 'cast', expr: p, type: to } : p;
  }
  if (sameType(e.type, to)) return e;
  if (!canExplicit(e.type, to)) {
    throw new SqlError(SQLSTATE.cannot_coerce, `cannot cast type ${typeDisplayName(e.type)} to ${typeDisplayName(to)}`, { position: pos + 1 });
  }
  if (e.kind === 'literal') {
    // An explicit cast to varchar(n) cuts a longer string (only assignment makes it an error).
    if (explicit && to.name === 'varchar' && typeof e.value === 'string' && (e.type.name === 'unknown' || isString(e.type))) {
      return { kind: 'literal', value: fitVarchar(e.value, to, true), type: to };
    }
    const folded = foldCast(e, to, pos, explicit);
    if (folded !== null) return folded;
  }
  return { kind: 'cast', expr: e, type: to };
}

/**
 * An untyped parameter takes its context's type, but never a numeric's precision and scale: as in PostgreSQL, the
 * value arrives as plain numeric and a cast fits it. (A varchar keeps its length: INSERT checks it at commit, where
 * too long is 22001, which a cast would cut instead.)
 */
function typeParam(index: number, context: SqlType, params: ParamTypes): LExpr {
  const to = context.name === 'numeric' ? T.numeric : context;
  const known = params.types[index];
  if (known === undefined || known.name === 'unknown') {
    params.types[index] = to;
    return { kind: 'param', index, type: to };
  }
  return { kind: 'param', index, type: known };
}

/**
 * Makes `e` of type `to` by an implicit cast, or throws what `fail` builds. Untyped constants and parameters take
 * the type; typed ones need an implicit cast from their type.
 */
export function coerce(e: LExpr, to: SqlType, pos: number, params: ParamTypes, fail: () => SqlError): LExpr {
  if (to.name === 'unknown') return e;
  if (e.kind === 'param' && e.type.name === 'unknown') {
    const p = typeParam(e.index, to, params);
    if (p.type.name === to.name) return sameType(p.type, to) ? p : { kind: 'cast', expr: p, type: to };
    return coerce(p, to, pos, params, fail);
  }
  if (e.type.name === to.name && canImplicit(e.type, to)) return e;
  if (!canImplicit(e.type, to)) throw fail();
  if (e.kind === 'literal') {
    const folded = foldCast(e, to, pos);
    if (folded !== null) return folded;
  }
  return { kind: 'cast', expr: e, type: to };
}

/**
 * Assignment to a column (INSERT, UPDATE): implicit casts, plus the ones PostgreSQL allows in assignment (numeric
 * narrowing, anything to text, between date and timestamps).
 */
export function assignTo(e: LExpr, column: { name: string; type: SqlType }, pos: number, params: ParamTypes): LExpr {
  const to = column.type;
  const fail = () => new SqlError(SQLSTATE.datatype_mismatch,
    `column "${column.name}" is of type ${typeDisplayName(to)} but expression is of type ${typeDisplayName(e.type)}`,
    { position: pos + 1, hint: 'You will need to rewrite or cast the expression.' });
  if (e.type.name === 'unknown' || canImplicit(e.type, to)) return coerce(e, to, pos, params, fail);
  const assignable = (isNumeric(e.type) && isNumeric(to)) || isString(to) ||
    (TEMPORAL_RANK[e.type.name] !== undefined && TEMPORAL_RANK[to.name] !== undefined) ||
    (to.name === 'varchar' && isString(e.type));
  if (!assignable) throw fail();
  return castTo(e, to, pos, params, false);
}
