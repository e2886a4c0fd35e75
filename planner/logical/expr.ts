// Expressions of the logical plan. Like engine/plan.ts's Expr, except that a column is named by a plan-wide unique
// id instead of a position: rules can then move a predicate from node to node without renumbering, and lowering
// turns ids into positions once the plan's shape is final.

import type { Literal, Param, ScalarFn } from '../../engine/plan';
import type { SqlType } from '../../engine/types';

export type LExpr = LColumnRef | Literal | Param | LCall | LCase | LCast;

export interface LColumnRef {
  readonly kind: 'column';
  readonly id: number;
  readonly type: SqlType;
  /** For EXPLAIN and error messages. */
  readonly name: string;
  /** 0-based offset of the reference in the statement, when it was written there. */
  readonly pos?: number;
}

export interface LCall {
  readonly kind: 'call';
  readonly fn: ScalarFn;
  readonly args: readonly LExpr[];
  readonly type: SqlType;
}

export interface LCase {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: LExpr; readonly then: LExpr }[];
  readonly otherwise: LExpr | null;
  readonly type: SqlType;
}

export interface LCast {
  readonly kind: 'cast';
  readonly expr: LExpr;
  readonly type: SqlType;
}

/** Rebuilds an expression bottom-up, replacing each column reference by what `f` returns. */
export function mapColumns(e: LExpr, f: (c: LColumnRef) => LExpr): LExpr {
  switch (e.kind) {
    case 'column': return f(e);
    case 'literal': case 'param': return e;
    case 'call': return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case 'case': return {
      ...e,
      whens: e.whens.map((w) => ({ when: mapColumns(w.when, f), then: mapColumns(w.then, f) })),
      otherwise: e.otherwise === null ? null : mapColumns(e.otherwise, f),
    };
    case 'cast': return { ...e, expr: mapColumns(e.expr, f) };
  }
}

/** Replaces whole subexpressions: `f` returns a replacement or undefined to descend. */
export function mapExpr(e: LExpr, f: (x: LExpr) => LExpr | undefined): LExpr {
  const r = f(e);
  if (r !== undefined) return r;
  switch (e.kind) {
    case 'column': case 'literal': case 'param': return e;
    case 'call': return { ...e, args: e.args.map((a) => mapExpr(a, f)) };
    case 'case': return {
      ...e,
      whens: e.whens.map((w) => ({ when: mapExpr(w.when, f), then: mapExpr(w.then, f) })),
      otherwise: e.otherwise === null ? null : mapExpr(e.otherwise, f),
    };
    case 'cast': return { ...e, expr: mapExpr(e.expr, f) };
  }
}

export function columnIds(e: LExpr, into: Set<number> = new Set()): Set<number> {
  mapColumns(e, (c) => { into.add(c.id); return c; });
  return into;
}

export function usesOnly(e: LExpr, ids: ReadonlySet<number>): boolean {
  for (const id of columnIds(e)) if (!ids.has(id)) return false;
  return true;
}

/** Structural equality, ignoring source positions and display names. */
export function exprEquals(a: LExpr, b: LExpr): boolean {
  return exprKey(a) === exprKey(b);
}

export function exprKey(e: LExpr): string {
  const t = (x: SqlType): string => (x.length === undefined ? x.name : `${x.name}(${x.length})`);
  switch (e.kind) {
    case 'column': return `#${e.id}`;
    case 'param': return `$${e.index}:${t(e.type)}`;
    case 'literal': return `lit(${typeof e.value === 'bigint' ? `${e.value}n` : JSON.stringify(e.value)}:${t(e.type)})`;
    case 'call': return `${e.fn}(${e.args.map(exprKey).join(',')}):${t(e.type)}`;
    case 'cast': return `cast(${exprKey(e.expr)}:${t(e.type)})`;
    case 'case': return `case(${e.whens.map((w) => `${exprKey(w.when)}=>${exprKey(w.then)}`).join(';')};${e.otherwise === null ? '' : exprKey(e.otherwise)}):${t(e.type)}`;
  }
}

export function splitConjuncts(e: LExpr | null): LExpr[] {
  if (e === null) return [];
  if (e.kind === 'call' && e.fn === 'and') return e.args.flatMap((a) => splitConjuncts(a));
  return [e];
}

export function conjunction(parts: readonly LExpr[]): LExpr | null {
  if (parts.length === 0) return null;
  return parts.reduce((l, r) => ({ kind: 'call', fn: 'and', args: [l, r], type: { name: 'bool' } }));
}

const DISPLAY_INFIX: Readonly<Record<string, string>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  and: 'AND', or: 'OR', like: 'LIKE', ilike: 'ILIKE', '||': '||', '->': '->', '->>': '->>', '?': '?',
};

/** A short readable form, for the names of computed columns in EXPLAIN (sum(amount), upper(region)). */
export function displayExpr(e: LExpr): string {
  switch (e.kind) {
    case 'column': return e.name;
    case 'param': return `$${e.index + 1}`;
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'string') return `'${e.value}'`;
      if (typeof e.value === 'object') return 'interval';
      return String(e.value);
    case 'cast': return `${displayExpr(e.expr)}::${e.type.name}`;
    case 'case': return 'case';
    case 'call': {
      const infix = DISPLAY_INFIX[e.fn];
      if (infix !== undefined && e.args.length === 2) return `(${displayExpr(e.args[0])} ${infix} ${displayExpr(e.args[1])})`;
      return `${e.fn}(${e.args.map(displayExpr).join(', ')})`;
    }
  }
}
