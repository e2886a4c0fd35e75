// The scalar functions and operators of SQL.md with their overloads, and PostgreSQL-style overload resolution: among
// the overloads every argument can reach by implicit casts, the one with the most exact matches wins, ties going to
// the one listed first (listed in PostgreSQL's preference order). The chosen overload's argument types are exactly
// what the engine's kernel for `fn` receives.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { ScalarFn } from '../../engine/plan';
import { T, typeDisplayName, type SqlType, type TypeName } from '../../engine/types';
import type { LExpr } from '../logical/expr';
import { canImplicit, coerce, type ParamTypes } from './coerce';

export interface Signature {
  readonly fn: ScalarFn;
  readonly args: readonly TypeName[];
  readonly result: TypeName;
  /** The kernel takes the arguments in the other order (interval + timestamptz runs as timestamptz + interval). */
  readonly swap?: boolean;
}

const sig = (fn: ScalarFn, args: TypeName[], result: TypeName, swap = false): Signature => ({ fn, args, result, swap });
const unary = (fn: ScalarFn, types: TypeName[]): Signature[] => types.map((t) => sig(fn, [t], t));

/** Functions called by name. Keys are the names users write; several names may share a kernel. */
export const FUNCTIONS: Readonly<Record<string, readonly Signature[]>> = {
  abs: unary('abs', ['float8', 'float4', 'int8', 'int4', 'int2', 'numeric']),
  round: [sig('round', ['float8'], 'float8'), sig('round', ['numeric'], 'numeric'), sig('round', ['numeric', 'int4'], 'numeric')],
  trunc: [sig('trunc', ['float8'], 'float8'), sig('trunc', ['numeric'], 'numeric'), sig('trunc', ['numeric', 'int4'], 'numeric')],
  floor: [sig('floor', ['float8'], 'float8'), sig('floor', ['numeric'], 'numeric')],
  ceil: [sig('ceil', ['float8'], 'float8'), sig('ceil', ['numeric'], 'numeric')],
  ceiling: [sig('ceil', ['float8'], 'float8'), sig('ceil', ['numeric'], 'numeric')],
  mod: [
    sig('mod', ['int2', 'int2'], 'int2'), sig('mod', ['int4', 'int4'], 'int4'), sig('mod', ['int8', 'int8'], 'int8'),
    sig('mod', ['numeric', 'numeric'], 'numeric'),
  ],
  power: [sig('power', ['float8', 'float8'], 'float8'), sig('power', ['numeric', 'numeric'], 'numeric')],
  pow: [sig('power', ['float8', 'float8'], 'float8'), sig('power', ['numeric', 'numeric'], 'numeric')],
  sqrt: [sig('sqrt', ['float8'], 'float8'), sig('sqrt', ['numeric'], 'numeric')],
  lower: [sig('lower', ['text'], 'text')],
  upper: [sig('upper', ['text'], 'text')],
  length: [sig('length', ['text'], 'int4')],
  char_length: [sig('length', ['text'], 'int4')],
  character_length: [sig('length', ['text'], 'int4')],
  substring: [sig('substring', ['text', 'int4'], 'text'), sig('substring', ['text', 'int4', 'int4'], 'text')],
  substr: [sig('substring', ['text', 'int4'], 'text'), sig('substring', ['text', 'int4', 'int4'], 'text')],
  btrim: [sig('trim', ['text'], 'text'), sig('trim', ['text', 'text'], 'text')],
  ltrim: [sig('ltrim', ['text'], 'text'), sig('ltrim', ['text', 'text'], 'text')],
  rtrim: [sig('rtrim', ['text'], 'text'), sig('rtrim', ['text', 'text'], 'text')],
  replace: [sig('replace', ['text', 'text', 'text'], 'text')],
  split_part: [sig('split_part', ['text', 'text', 'int4'], 'text')],
  /** position(needle, haystack): POSITION(needle IN haystack). */
  position: [sig('position', ['text', 'text'], 'int4')],
  /** strpos(haystack, needle) is position with the arguments the other way round. */
  strpos: [sig('position', ['text', 'text'], 'int4', true)],
  date_trunc: [
    sig('date_trunc', ['text', 'timestamptz'], 'timestamptz'), sig('date_trunc', ['text', 'timestamp'], 'timestamp'),
    sig('date_trunc', ['text', 'interval'], 'interval'),
  ],
  date_part: [
    sig('date_part', ['text', 'timestamp'], 'float8'), sig('date_part', ['text', 'timestamptz'], 'float8'),
    sig('date_part', ['text', 'interval'], 'float8'),
  ],
  extract: [
    sig('extract', ['text', 'date'], 'numeric'), sig('extract', ['text', 'timestamp'], 'numeric'),
    sig('extract', ['text', 'timestamptz'], 'numeric'), sig('extract', ['text', 'interval'], 'numeric'),
  ],
  /** timezone(zone, value): value AT TIME ZONE zone. */
  timezone: [
    sig('timezone', ['text', 'timestamptz'], 'timestamp'), sig('timezone', ['text', 'timestamp'], 'timestamptz'),
    sig('timezone', ['interval', 'timestamptz'], 'timestamp'), sig('timezone', ['interval', 'timestamp'], 'timestamptz'),
  ],
  now: [sig('now', [], 'timestamptz')],
  to_timestamp: [sig('to_timestamp', ['float8'], 'timestamptz'), sig('to_timestamp', ['text', 'text'], 'timestamptz')],
};

/** Operators whose overloads are listed (the rest are resolved by rule in operators.ts). */
export const TEMPORAL_OPERATORS: Readonly<Record<'+' | '-' | '*' | '/', readonly Signature[]>> = {
  '+': [
    sig('+', ['timestamp', 'interval'], 'timestamp'), sig('+', ['timestamptz', 'interval'], 'timestamptz'),
    sig('+', ['interval', 'timestamp'], 'timestamp', true), sig('+', ['interval', 'timestamptz'], 'timestamptz', true),
    sig('+', ['date', 'int4'], 'date'), sig('+', ['int4', 'date'], 'date', true),
    sig('+', ['interval', 'interval'], 'interval'),
  ],
  '-': [
    sig('-', ['timestamp', 'interval'], 'timestamp'), sig('-', ['timestamptz', 'interval'], 'timestamptz'),
    sig('-', ['timestamptz', 'timestamptz'], 'interval'), sig('-', ['timestamp', 'timestamp'], 'interval'),
    sig('-', ['date', 'date'], 'int4'), sig('-', ['date', 'int4'], 'date'),
    sig('-', ['interval', 'interval'], 'interval'),
  ],
  '*': [sig('*', ['interval', 'float8'], 'interval'), sig('*', ['float8', 'interval'], 'interval', true)],
  '/': [sig('/', ['interval', 'float8'], 'interval')],
};

function argList(args: readonly LExpr[]): string {
  return args.map((a) => typeDisplayName(a.type)).join(', ');
}

export function noSuchFunction(name: string, args: readonly LExpr[], pos: number): SqlError {
  return new SqlError(SQLSTATE.undefined_function, `function ${name}(${argList(args)}) does not exist`, {
    position: pos + 1,
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

export function noSuchOperator(op: string, args: readonly LExpr[], pos: number): SqlError {
  const text = args.length === 1
    ? `operator does not exist: ${op} ${typeDisplayName(args[0].type)}`
    : `operator does not exist: ${typeDisplayName(args[0].type)} ${op} ${typeDisplayName(args[1].type)}`;
  return new SqlError(SQLSTATE.undefined_function, text, {
    position: pos + 1,
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** The best overload for these arguments, or null. */
export function chooseOverload(sigs: readonly Signature[], args: readonly LExpr[]): Signature | null {
  let best: Signature | null = null;
  let bestScore = -1;
  for (const s of sigs) {
    if (s.args.length !== args.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < args.length; i++) {
      const from = args[i].type;
      const to = T[s.args[i]];
      if (from.name === to.name || (from.name === 'varchar' && to.name === 'text')) score++;
      else if (!canImplicit(from, to)) { ok = false; break; }
    }
    if (ok && score > bestScore) { best = s; bestScore = score; }
  }
  return best;
}

/** Applies an overload: coerces each argument to its parameter type and builds the call. */
export function applyOverload(s: Signature, args: readonly LExpr[], pos: number, params: ParamTypes): LExpr {
  const cast = args.map((a, i) => coerce(a, T[s.args[i]], pos, params, () => noSuchFunction(s.fn, args, pos)));
  return { kind: 'call', fn: s.fn, args: s.swap ? [...cast].reverse() : cast, type: T[s.result] };
}

export function resultType(name: TypeName): SqlType {
  return T[name];
}
