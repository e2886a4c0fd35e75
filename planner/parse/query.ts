// SELECT: the query expression (UNION [ALL], VALUES, parenthesized queries), ORDER BY / LIMIT / OFFSET, the select
// core, and FROM with joins, subqueries and the window table functions TUMBLE / HOP / SESSION.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { AstExpr, ColumnAliases, FromItem, OrderItem, Query, QueryBody, SelectCore, SelectItem, WindowFnName } from './ast';
import { isReserved, NESTING_COST, type Cursor } from './cursor';
import { parseExpr, parseExprList } from './expr';

export function startsQuery(c: Cursor): boolean {
  return c.isWord('select') || c.isWord('values') || c.isWord('with');
}

function unsupported(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1 });
}

export function parseQuery(c: Cursor): Query {
  const pos = c.peek().start;
  if (c.isWord('with')) throw unsupported('WITH queries (common table expressions) are not supported', pos);
  const depth = c.depth();
  c.nest(pos, NESTING_COST.query);
  const body = parseUnion(c);
  const orderBy: OrderItem[] = [];
  if (c.acceptWord('order')) {
    c.expectWord('by');
    do orderBy.push(parseOrderItem(c)); while (c.acceptOp(','));
  }
  let limit: AstExpr | null = null;
  let offset: AstExpr | null = null;
  for (;;) {
    if (limit === null && c.acceptWord('limit')) {
      if (!c.acceptWord('all')) limit = parseExpr(c);
    } else if (offset === null && c.acceptWord('offset')) {
      offset = parseExpr(c);
      if (!c.acceptWord('rows')) c.acceptWord('row');
    } else if (limit === null && c.isWord('fetch')) {
      c.next();
      if (!c.acceptWord('first')) c.expectWord('next');
      limit = parseExpr(c);
      if (!c.acceptWord('rows')) c.expectWord('row');
      c.expectWord('only');
    } else {
      break;
    }
  }
  c.unnest(depth);
  return { body, orderBy, limit, offset, pos, end: c.lastEnd() };
}

function parseOrderItem(c: Cursor): OrderItem {
  const expr = parseExpr(c);
  let descending = false;
  if (c.acceptWord('desc')) descending = true;
  else c.acceptWord('asc');
  let nullsFirst: boolean | null = null;
  if (c.acceptWord('nulls')) {
    if (c.acceptWord('first')) nullsFirst = true;
    else { c.expectWord('last'); nullsFirst = false; }
  }
  return { expr, descending, nullsFirst };
}

function parseUnion(c: Cursor): QueryBody {
  const depth = c.depth();
  let left = parseSimpleQuery(c);
  for (;;) {
    if (c.isWord('except') || c.isWord('intersect')) {
      throw unsupported(`${c.peek().value.toUpperCase()} is not supported`, c.peek().start);
    }
    if (!c.isWord('union')) {
      c.unnest(depth);
      return left;
    }
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    const all = c.acceptWord('all');
    if (!all) c.acceptWord('distinct');
    left = { kind: 'union', all, left, right: parseSimpleQuery(c), pos };
  }
}

function parseSimpleQuery(c: Cursor): QueryBody {
  const t = c.peek();
  if (c.isOp('(')) {
    c.next();
    const query = parseQuery(c);
    c.expectOp(')');
    return { kind: 'nested', query, pos: t.start };
  }
  if (c.acceptWord('values')) {
    const rows: AstExpr[][] = [];
    do {
      c.expectOp('(');
      rows.push(parseExprList(c));
      c.expectOp(')');
    } while (c.acceptOp(','));
    return { kind: 'values', rows, pos: t.start };
  }
  return parseSelectCore(c);
}

function parseSelectCore(c: Cursor): SelectCore {
  const pos = c.expectWord('select').start;
  let distinct = false;
  if (c.isWord('distinct')) {
    c.next();
    if (c.isWord('on')) throw unsupported('SELECT DISTINCT ON is not supported', c.peek().start);
    distinct = true;
  } else {
    c.acceptWord('all');
  }
  const items: SelectItem[] = [];
  // PostgreSQL accepts an empty select list; Sluice has no use for it.
  do items.push(parseSelectItem(c)); while (c.acceptOp(','));
  if (c.isWord('into')) throw unsupported('SELECT INTO is not supported', c.peek().start);
  const from: FromItem[] = [];
  if (c.acceptWord('from')) {
    do from.push(parseJoinTree(c)); while (c.acceptOp(','));
  }
  const where = c.acceptWord('where') ? parseExpr(c) : null;
  const groupBy: AstExpr[] = [];
  if (c.acceptWord('group')) {
    c.expectWord('by');
    groupBy.push(...parseExprList(c));
  }
  const having = c.acceptWord('having') ? parseExpr(c) : null;
  if (c.isWord('window')) throw unsupported('WINDOW clauses are not supported; use TUMBLE, HOP or SESSION in FROM', c.peek().start);
  return { kind: 'select', distinct, items, from, where, groupBy, having, pos };
}

/** RETURNING and its select list, if the statement has one. */
export function parseReturning(c: Cursor): readonly SelectItem[] | null {
  if (!c.acceptWord('returning')) return null;
  const items: SelectItem[] = [];
  do items.push(parseSelectItem(c)); while (c.acceptOp(','));
  return items;
}

function parseSelectItem(c: Cursor): SelectItem {
  const t = c.peek();
  if (c.acceptOp('*')) return { kind: 'star', qualifier: null, pos: t.start };
  const expr = parseExpr(c);
  if (expr.kind === 'star') return { kind: 'star', qualifier: expr.qualifier, pos: expr.pos };
  return { kind: 'expr', expr, alias: parseAlias(c), pos: t.start };
}

/** [AS] name; without AS only a non-reserved word. */
function parseAlias(c: Cursor): string | null {
  if (c.acceptWord('as')) return c.expectAnyName().name;
  const t = c.peek();
  if (t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.value))) {
    c.next();
    return t.value;
  }
  return null;
}

function parseJoinTree(c: Cursor): FromItem {
  let left = parseTableFactor(c);
  for (;;) {
    const t = c.peek();
    let joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
    if (c.isWord('natural')) throw unsupported('NATURAL joins are not supported', t.start);
    if (c.acceptWord('join') || c.acceptWord('inner', 'join')) joinType = 'inner';
    else if (c.acceptWord('cross', 'join')) joinType = 'cross';
    else if (c.isWord('left') || c.isWord('right') || c.isWord('full')) {
      joinType = c.next().value as 'left' | 'right' | 'full';
      c.acceptWord('outer');
      c.expectWord('join');
    } else {
      return left;
    }
    const right = parseTableFactor(c);
    let on: AstExpr | null = null;
    let using: { name: string; pos: number }[] | null = null;
    if (joinType !== 'cross') {
      if (c.acceptWord('on')) {
        on = parseExpr(c);
      } else {
        c.expectWord('using');
        c.expectOp('(');
        using = [c.expectIdent()];
        while (c.acceptOp(',')) using.push(c.expectIdent());
        c.expectOp(')');
      }
    }
    left = { kind: 'join', joinType, left, right, on, using, pos: t.start };
  }
}

const WINDOW_FNS = new Set<string>(['tumble', 'hop', 'session']);

function parseTableFactor(c: Cursor): FromItem {
  const t = c.peek();
  if (c.isOp('(')) {
    c.next();
    if (c.isWord('select') || c.isWord('values') || c.isWord('with')) {
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'subquery', query, ...parseTableAliasWithColumns(c), pos: t.start };
    }
    const inner = parseJoinTree(c);
    c.expectOp(')');
    return inner;
  }
  if (t.kind === 'word' && WINDOW_FNS.has(t.value) && c.isOp('(', 1)) return parseWindowFn(c);
  if (t.kind === 'word' && c.isOp('(', 1)) return parseFunctionInFrom(c);
  const first = c.expectIdent();
  let schema: string | null = null;
  let name = first.name;
  if (c.acceptOp('.')) {
    schema = name;
    name = c.expectAnyName().name;
  }
  return { kind: 'relation', schema, name, ...parseTableAliasWithColumns(c), pos: first.pos };
}

/** [AS] t [(a, b, ...)] after a relation or a subquery. */
function parseTableAliasWithColumns(c: Cursor): { alias: string | null; columnAliases?: ColumnAliases } {
  const alias = parseAlias(c);
  if (alias === null || !c.isOp('(')) return { alias };
  const pos = c.next().start;
  const names = [c.expectIdent().name];
  while (c.acceptOp(',')) names.push(c.expectIdent().name);
  c.expectOp(')');
  return { alias, columnAliases: { names, pos } };
}

function parseTableAlias(c: Cursor): string | null {
  const alias = parseAlias(c);
  if (alias !== null && c.isOp('(')) throw unsupported('column aliases in FROM are not supported', c.peek().start);
  return alias;
}

/**
 * A scalar function in FROM, as PostgreSQL reads it: one row with one column named by the alias, else by the
 * function (`SELECT * FROM current_schema()`, which TypeORM sends). Written as the subquery it means.
 */
function parseFunctionInFrom(c: Cursor): FromItem {
  const start = c.peek().start;
  const call = parseExpr(c);
  const end = c.peek().start;
  const alias = parseTableAlias(c);
  const column = alias ?? (call.kind === 'call' ? call.name : null);
  const item: SelectItem = { kind: 'expr', expr: call, alias: column, pos: start };
  const body: SelectCore = { kind: 'select', distinct: false, items: [item], from: [], where: null, groupBy: [], having: null, pos: start };
  return { kind: 'subquery', query: { body, orderBy: [], limit: null, offset: null, pos: start, end }, alias: column, pos: start };
}

/** TUMBLE(src, time_col, size), HOP(src, time_col, slide, size), SESSION(src, time_col, gap). Flink's
 * `TABLE src` and `DESCRIPTOR(col)` spellings are accepted too. */
function parseWindowFn(c: Cursor): FromItem {
  const t = c.next();
  c.expectOp('(');
  let source: FromItem;
  const s = c.peek();
  if (c.isOp('(')) {
    c.next();
    const query = parseQuery(c);
    c.expectOp(')');
    source = { kind: 'subquery', query, alias: null, pos: s.start };
  } else {
    c.acceptWord('table');
    const first = c.expectIdent();
    let schema: string | null = null;
    let name = first.name;
    if (c.acceptOp('.')) {
      schema = name;
      name = c.expectAnyName().name;
    }
    source = { kind: 'relation', schema, name, alias: null, pos: first.pos };
  }
  const args: AstExpr[] = [];
  while (c.acceptOp(',')) {
    if (c.isWord('descriptor') && c.isOp('(', 1)) {
      c.next(); c.next();
      args.push(parseExpr(c));
      c.expectOp(')');
    } else {
      args.push(parseExpr(c));
    }
  }
  c.expectOp(')');
  return { kind: 'window_fn', fn: t.value as WindowFnName, source, args, alias: parseTableAlias(c), pos: t.start };
}
