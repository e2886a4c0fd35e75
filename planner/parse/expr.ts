// Expressions by precedence climbing, with PostgreSQL's precedence (lowest first): OR, AND, NOT, IS, comparison,
// BETWEEN / IN / LIKE, other operators (|| -> ->>), + -, * / %, AT TIME ZONE, unary minus, ::. SQL's special call syntaxes
// (EXTRACT, SUBSTRING ... FROM ... FOR, POSITION ... IN, TRIM ... FROM, CAST) become ordinary calls here.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { AstExpr, BinaryOp } from './ast';
import { isReserved, NESTING_COST, syntaxError, type Cursor } from './cursor';
import { parseQuery, startsQuery } from './query';
import { parseIntervalLiteral, parseSubstring, parseTrim } from './special-forms';
import { isTypeWord, parseType } from './types';

export function parseExpr(c: Cursor): AstExpr {
  const depth = c.depth();
  c.nest(c.peek().start, NESTING_COST.expression);
  const e = parseOr(c);
  c.unnest(depth);
  return e;
}

function parseOr(c: Cursor): AstExpr {
  const depth = c.depth();
  let left = parseAnd(c);
  while (c.isWord('or')) {
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    left = { kind: 'binary', op: 'or', left, right: parseAnd(c), pos };
  }
  c.unnest(depth);
  return left;
}

function parseAnd(c: Cursor): AstExpr {
  const depth = c.depth();
  let left = parseNot(c);
  while (c.isWord('and')) {
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    left = { kind: 'binary', op: 'and', left, right: parseNot(c), pos };
  }
  c.unnest(depth);
  return left;
}

function parseNot(c: Cursor): AstExpr {
  if (c.isWord('not')) {
    const depth = c.depth();
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.prefix);
    const arg = parseNot(c);
    c.unnest(depth);
    return { kind: 'unary', op: 'not', arg, pos };
  }
  return parseIs(c);
}

function parseIs(c: Cursor): AstExpr {
  const depth = c.depth();
  let arg = parseComparison(c);
  for (;;) {
    if (c.isWord('isnull') || c.isWord('notnull')) {
      const t = c.next();
      c.nest(t.start, NESTING_COST.link);
      arg = { kind: 'is', arg, test: 'null', negated: t.value === 'notnull', pos: t.start };
      continue;
    }
    if (!c.isWord('is')) {
      c.unnest(depth);
      return arg;
    }
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    const negated = c.acceptWord('not');
    if (c.acceptWord('distinct')) {
      c.expectWord('from');
      arg = { kind: 'is_distinct', left: arg, right: parseComparison(c), negated, pos };
    } else if (c.acceptWord('null')) {
      arg = { kind: 'is', arg, test: 'null', negated, pos };
    } else if (c.acceptWord('true')) {
      arg = { kind: 'is', arg, test: 'true', negated, pos };
    } else if (c.acceptWord('false')) {
      arg = { kind: 'is', arg, test: 'false', negated, pos };
    } else {
      throw c.unexpected();
    }
  }
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

function parseComparison(c: Cursor): AstExpr {
  const left = parsePredicate(c);
  const t = c.peek();
  if (t.kind === 'op' && COMPARISONS.has(t.value)) {
    c.next();
    return { kind: 'binary', op: t.value as BinaryOp, left, right: parsePredicate(c), pos: t.start };
  }
  return left;
}

function parsePredicate(c: Cursor): AstExpr {
  const arg = parseOther(c);
  const negated = c.isWord('not') && (c.isWord('between', 1) || c.isWord('in', 1) || c.isWord('like', 1) || c.isWord('ilike', 1));
  if (negated) c.next();
  const t = c.peek();
  if (c.acceptWord('between')) {
    if (c.isWord('symmetric')) throw c.unexpected();
    const low = parseOther(c);
    c.expectWord('and');
    const high = parseOther(c);
    return { kind: 'between', arg, low, high, negated, pos: t.start };
  }
  if (c.acceptWord('in')) {
    c.expectOp('(');
    if (startsQuery(c)) {
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'in_query', arg, query, negated, pos: t.start };
    }
    const list = parseExprList(c);
    c.expectOp(')');
    return { kind: 'in_list', arg, list, negated, pos: t.start };
  }
  if (c.isWord('like') || c.isWord('ilike')) {
    const op = c.next().value as 'like' | 'ilike';
    return { kind: 'like', op, arg, pattern: parseOther(c), negated, pos: t.start };
  }
  if (negated) throw c.unexpected();
  return arg;
}

function parseOther(c: Cursor): AstExpr {
  const depth = c.depth();
  let left = parseAdditive(c);
  while (c.isOp('||') || c.isOp('->') || c.isOp('->>') || c.isOp('?')) {
    const t = c.next();
    c.nest(t.start, NESTING_COST.link);
    left = { kind: 'binary', op: t.value as BinaryOp, left, right: parseAdditive(c), pos: t.start };
  }
  c.unnest(depth);
  return left;
}

function parseAdditive(c: Cursor): AstExpr {
  const depth = c.depth();
  let left = parseMultiplicative(c);
  while (c.isOp('+') || c.isOp('-')) {
    const t = c.next();
    c.nest(t.start, NESTING_COST.link);
    left = { kind: 'binary', op: t.value as BinaryOp, left, right: parseMultiplicative(c), pos: t.start };
  }
  c.unnest(depth);
  return left;
}

function parseMultiplicative(c: Cursor): AstExpr {
  const depth = c.depth();
  let left = parseAtTimeZone(c);
  while (c.isOp('*') || c.isOp('/') || c.isOp('%')) {
    const t = c.next();
    c.nest(t.start, NESTING_COST.link);
    left = { kind: 'binary', op: t.value as BinaryOp, left, right: parseAtTimeZone(c), pos: t.start };
  }
  c.unnest(depth);
  return left;
}

/** `value AT TIME ZONE zone` is PostgreSQL's timezone(zone, value). */
function parseAtTimeZone(c: Cursor): AstExpr {
  const depth = c.depth();
  let value = parseUnary(c);
  while (c.isWord('at') && c.isWord('time', 1) && c.isWord('zone', 2)) {
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    c.next();
    c.next();
    const zone = parseUnary(c);
    value = { kind: 'call', name: 'timezone', args: [zone, value], distinct: false, star: false, pos };
  }
  c.unnest(depth);
  return value;
}

function parseUnary(c: Cursor): AstExpr {
  if (c.isOp('-') || c.isOp('+')) {
    const depth = c.depth();
    const t = c.next();
    c.nest(t.start, NESTING_COST.prefix);
    const arg = parseUnary(c);
    c.unnest(depth);
    // -5 is one constant, as in PostgreSQL, so that it keeps integer typing and folds; -(-5) is the constant 5
    // (PostgreSQL's doNegate), typed by its own digits: -(-2147483648) is the bigint 2147483648.
    if (t.value === '-' && arg.kind === 'number') {
      const text = arg.text.startsWith('-') ? arg.text.slice(1) : `-${arg.text}`;
      return { kind: 'number', text, pos: t.start };
    }
    return { kind: 'unary', op: t.value as '-' | '+', arg, pos: t.start };
  }
  return parsePostfix(c);
}

function parsePostfix(c: Cursor): AstExpr {
  const depth = c.depth();
  let e = parsePrimary(c);
  while (c.isOp('::')) {
    const pos = c.next().start;
    c.nest(pos, NESTING_COST.link);
    e = { kind: 'cast', arg: e, type: parseType(c), pos };
  }
  c.unnest(depth);
  return e;
}

export function parseExprList(c: Cursor): AstExpr[] {
  const out = [parseExpr(c)];
  while (c.acceptOp(',')) out.push(parseExpr(c));
  return out;
}

const SPECIAL_NAMES = new Set([
  'current_user', 'session_user', 'user', 'current_date', 'current_timestamp', 'current_schema', 'current_catalog',
  'localtimestamp',
]);


function parsePrimary(c: Cursor): AstExpr {
  const t = c.peek();
  switch (t.kind) {
    case 'number': c.next(); return { kind: 'number', text: t.value, pos: t.start };
    case 'string': c.next(); return { kind: 'string', value: t.value, pos: t.start };
    case 'param': {
      c.next();
      const n = Number(t.value);
      if (n < 1) throw syntaxError(`there is no parameter $${t.value}`, t.start);
      return { kind: 'param', index: n - 1, pos: t.start };
    }
    case 'quoted': return parseColumnRef(c);
    case 'op':
      if (t.value === '(') {
        c.next();
        if (startsQuery(c)) {
          const query = parseQuery(c);
          c.expectOp(')');
          return { kind: 'subquery', query, pos: t.start };
        }
        const e = parseExpr(c);
        c.expectOp(')');
        return e;
      }
      throw c.unexpected();
    case 'word':
      return parseWordPrimary(c);
    default:
      throw c.unexpected();
  }
}

function parseWordPrimary(c: Cursor): AstExpr {
  const t = c.peek();
  const w = t.value;
  const next = c.peek(1);
  switch (w) {
    case 'null': c.next(); return { kind: 'null', pos: t.start };
    case 'true': c.next(); return { kind: 'bool', value: true, pos: t.start };
    case 'false': c.next(); return { kind: 'bool', value: false, pos: t.start };
    case 'case': return parseCase(c);
    case 'cast': {
      c.next();
      c.expectOp('(');
      const arg = parseExpr(c);
      c.expectWord('as');
      const type = parseType(c);
      c.expectOp(')');
      return { kind: 'cast', arg, type, pos: t.start };
    }
    case 'exists': {
      c.next();
      c.expectOp('(');
      const query = parseQuery(c);
      c.expectOp(')');
      return { kind: 'exists', query, pos: t.start };
    }
    case 'interval':
      if (next.kind === 'string') return parseIntervalLiteral(c);
      break;
    case 'extract':
      if (c.isOp('(', 1)) {
        c.next(); c.next();
        const field = c.expectAnyName();
        c.expectWord('from');
        const arg = parseExpr(c);
        c.expectOp(')');
        return { kind: 'call', name: 'extract', args: [{ kind: 'string', value: field.name, pos: field.pos }, arg], distinct: false, star: false, pos: t.start };
      }
      break;
    case 'substring':
      if (c.isOp('(', 1)) return parseSubstring(c);
      break;
    case 'position':
      if (c.isOp('(', 1)) {
        c.next(); c.next();
        const needle = parseOther(c);
        c.expectWord('in');
        const haystack = parseOther(c);
        c.expectOp(')');
        return { kind: 'call', name: 'position', args: [needle, haystack], distinct: false, star: false, pos: t.start };
      }
      break;
    case 'trim':
      if (c.isOp('(', 1)) return parseTrim(c);
      break;
  }
  if (SPECIAL_NAMES.has(w) && !c.isOp('(', 1)) {
    c.next();
    return { kind: 'special', name: w === 'user' ? 'current_user' : w, pos: t.start };
  }
  if (next.kind === 'string' && isTypeWord(w)) {
    const type = parseType(c);
    const s = c.expectString();
    return { kind: 'typed_string', type, value: s.value, pos: t.start };
  }
  if (isReserved(w)) throw c.unexpected();
  return parseColumnRef(c);
}

/** name, a.name, a.b.name, a.*; and name(...) / schema.name(...) as a function call. */
function parseColumnRef(c: Cursor): AstExpr {
  const first = c.next();
  const parts = [first.value];
  while (c.isOp('.')) {
    c.next();
    if (c.isOp('*')) {
      const star = c.next();
      return { kind: 'star', qualifier: parts.join('.'), pos: first.start ?? star.start };
    }
    parts.push(c.expectAnyName().name);
  }
  if (c.isOp('(')) return parseCall(c, parts[parts.length - 1], first.start);
  return { kind: 'column', parts, pos: first.start };
}

function parseCall(c: Cursor, name: string, pos: number): AstExpr {
  c.expectOp('(');
  if (c.acceptOp('*')) {
    c.expectOp(')');
    return { kind: 'call', name, args: [], distinct: false, star: true, pos };
  }
  if (c.acceptOp(')')) return { kind: 'call', name, args: [], distinct: false, star: false, pos };
  const distinct = c.acceptWord('distinct');
  if (!distinct) c.acceptWord('all');
  const args = parseExprList(c);
  c.expectOp(')');
  if (c.isWord('over') || c.isWord('filter') || c.isWord('within')) {
    throw new SqlError(SQLSTATE.feature_not_supported, `${c.peek().value.toUpperCase()} clauses of function calls are not supported`, {
      position: c.peek().start + 1,
    });
  }
  return { kind: 'call', name, args, distinct, star: false, pos };
}

function parseCase(c: Cursor): AstExpr {
  const pos = c.next().start;
  const operand = c.isWord('when') ? null : parseExpr(c);
  const whens: { when: AstExpr; then: AstExpr }[] = [];
  while (c.acceptWord('when')) {
    const when = parseExpr(c);
    c.expectWord('then');
    whens.push({ when, then: parseExpr(c) });
  }
  if (whens.length === 0) throw c.unexpected();
  const otherwise = c.acceptWord('else') ? parseExpr(c) : null;
  c.expectWord('end');
  return { kind: 'case', operand, whens, otherwise, pos };
}
