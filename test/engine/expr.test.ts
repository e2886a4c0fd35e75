import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchFromRows } from '../../engine/columns';
import { valueAt } from '../../engine/columns/vec';
import { SqlError } from '../../engine/errors';
import { BatchColumns, compileExpr, type EvalContext } from '../../engine/expr';
import type { Expr } from '../../engine/plan';
import { parseValue } from '../../engine/text';
import type { Schema, SqlType, Value } from '../../engine/types';
import { UTC_ZONE } from '../../engine/values/timezone';
import { call, cast, col, lit, schemaOf, T } from './helpers';

const ctx: EvalContext = { params: [7], nowMicros: 1767261603000000, zone: UTC_ZONE };

function run(schema: Schema, rows: Value[][], expr: Expr): Value[] {
  const batch = batchFromRows(schema, rows);
  const v = compileExpr(expr).eval(new BatchColumns(batch, schema), ctx);
  assert.equal(v.length, rows.length);
  return Array.from({ length: v.length }, (_, i) => valueAt(v, i));
}

function sqlCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SqlError, String(e));
    return e.code;
  }
  return 'no error';
}

const ints = schemaOf(['a', T.int4], ['b', T.int4]);
const intRows: Value[][] = [[7, 2], [-7, 2], [null, 1], [3, null], [0, 5]];
const a = col(0, T.int4);
const b = col(1, T.int4);

test('integer arithmetic: NULL propagation, truncating division, errors', () => {
  assert.deepEqual(run(ints, intRows, call('+', T.int4, a, b)), [9, -5, null, null, 5]);
  assert.deepEqual(run(ints, intRows, call('-', T.int4, a, b)), [5, -9, null, null, -5]);
  assert.deepEqual(run(ints, intRows, call('*', T.int4, a, b)), [14, -14, null, null, 0]);
  assert.deepEqual(run(ints, intRows, call('/', T.int4, a, b)), [3, -3, null, null, 0]);
  assert.deepEqual(run(ints, intRows, call('%', T.int4, a, b)), [1, -1, null, null, 0]);
  assert.deepEqual(run(ints, intRows, call('neg', T.int4, a)), [-7, 7, null, -3, 0]);
  // Division by zero only where the row is not NULL.
  assert.deepEqual(run(ints, [[null, 0]], call('/', T.int4, a, b)), [null]);
  assert.equal(sqlCode(() => run(ints, [[1, 0]], call('/', T.int4, a, b))), '22012');
  assert.equal(sqlCode(() => run(ints, [[2147483647, 1]], call('+', T.int4, a, b))), '22003');
  const f = schemaOf(['x', T.float8]);
  assert.equal(sqlCode(() => run(f, [[1.5]], call('/', T.float8, col(0, T.float8), lit(0, T.float8)))), '22012');
  assert.deepEqual(run(f, [[1.5], [null]], call('*', T.float8, col(0, T.float8), lit(2, T.float8))), [3, null]);
});

test('comparisons and three-valued logic', () => {
  assert.deepEqual(run(ints, intRows, call('<', T.bool, a, b)), [false, true, null, null, true]);
  assert.deepEqual(run(ints, intRows, call('=', T.bool, a, b)), [false, false, null, null, false]);
  assert.deepEqual(run(ints, intRows, call('is_distinct_from', T.bool, a, b)), [true, true, true, true, true]);
  const bools = schemaOf(['p', T.bool], ['q', T.bool]);
  const rows: Value[][] = [];
  for (const p of [true, false, null]) for (const q of [true, false, null]) rows.push([p, q]);
  const p = col(0, T.bool);
  const q = col(1, T.bool);
  assert.deepEqual(run(bools, rows, call('and', T.bool, p, q)), [true, false, null, false, false, false, null, false, null]);
  assert.deepEqual(run(bools, rows, call('or', T.bool, p, q)), [true, true, true, true, false, null, true, null, null]);
  assert.deepEqual(run(bools, rows, call('not', T.bool, p)), [false, false, false, true, true, true, null, null, null]);
  assert.deepEqual(run(bools, rows.slice(6), call('is_null', T.bool, p)), [true, true, true]);
  assert.deepEqual(run(bools, rows.slice(0, 3), call('is_not_null', T.bool, q)), [true, true, false]);
  assert.deepEqual(run(bools, rows.slice(0, 3), call('is_true', T.bool, q)), [true, false, false]);
  assert.deepEqual(run(bools, rows.slice(0, 3), call('is_false', T.bool, q)), [false, true, false]);
  // AND guards its right side: 1 / a is never computed where a = 0.
  const guarded = call('and', T.bool, call('<>', T.bool, a, lit(0, T.int4)),
    call('>', T.bool, call('/', T.int4, lit(10, T.int4), a), lit(1, T.int4)));
  assert.deepEqual(run(ints, [[0, 0], [5, 0], [20, 0]], guarded), [false, true, false]);
});

test('IN, COALESCE, NULLIF, GREATEST, LEAST, CASE', () => {
  const inList = call('in', T.bool, a, lit(7, T.int4), lit(3, T.int4));
  assert.deepEqual(run(ints, intRows, inList), [true, false, null, true, false]);
  const withNull = call('in', T.bool, a, lit(7, T.int4), lit(null, T.int4));
  assert.deepEqual(run(ints, intRows, withNull), [true, null, null, null, null]);
  assert.deepEqual(run(ints, intRows, call('coalesce', T.int4, a, b, lit(0, T.int4))), [7, -7, 1, 3, 0]);
  assert.deepEqual(run(ints, intRows, call('nullif', T.int4, a, lit(7, T.int4))), [null, -7, null, 3, 0]);
  assert.deepEqual(run(ints, intRows, call('greatest', T.int4, a, b)), [7, 2, 1, 3, 5]);
  assert.deepEqual(run(ints, intRows, call('least', T.int4, a, b)), [2, -7, 1, 3, 0]);
  const caseExpr: Expr = {
    kind: 'case',
    whens: [
      { when: call('=', T.bool, b, lit(0, T.int4)), then: lit(null, T.int4) },
      { when: call('>', T.bool, a, lit(0, T.int4)), then: call('/', T.int4, a, b) },
    ],
    otherwise: lit(-1, T.int4),
    type: T.int4,
  };
  assert.deepEqual(run(ints, [[7, 2], [1, 0], [-1, 0], [null, 1]], caseExpr), [3, null, null, -1]);
  const noElse: Expr = { kind: 'case', whens: [{ when: call('>', T.bool, a, lit(0, T.int4)), then: lit('pos', T.text) }], otherwise: null, type: T.text };
  assert.deepEqual(run(ints, [[1, 0], [-1, 0]], noElse), ['pos', null]);
});

test('math functions with PostgreSQL rounding', () => {
  const f = schemaOf(['x', T.float8], ['n', T.numeric]);
  const x = col(0, T.float8);
  const n = col(1, T.numeric);
  const rows: Value[][] = [[2.5, 2.5], [-2.5, -2.5], [3.7, 1.005], [null, null]];
  assert.deepEqual(run(f, rows, call('round', T.float8, x)), [2, -2, 4, null]);
  assert.deepEqual(run(f, rows, call('round', T.numeric, n)), ['3', '-3', '1', null]);
  assert.deepEqual(run(f, rows, call('round', T.numeric, n, lit(2, T.int4))), ['2.50', '-2.50', '1.01', null]);
  assert.deepEqual(run(f, rows, call('floor', T.float8, x)), [2, -3, 3, null]);
  assert.deepEqual(run(f, rows, call('ceil', T.float8, x)), [3, -2, 4, null]);
  assert.deepEqual(run(f, rows, call('abs', T.float8, x)), [2.5, 2.5, 3.7, null]);
  assert.deepEqual(run(f, [[16, 0], [null, 0]], call('sqrt', T.float8, x)), [4, null]);
  assert.deepEqual(run(f, [[2, 0]], call('power', T.float8, x, lit(10, T.float8))), [1024]);
  assert.deepEqual(run(ints, intRows, call('mod', T.int4, a, b)), [1, -1, null, null, 0]);
  assert.equal(sqlCode(() => run(f, [[-1, 0]], call('sqrt', T.float8, x))), '2201F');
  assert.equal(sqlCode(() => run(ints, [[1, 0]], call('mod', T.int4, a, b))), '22012');
});

test('string functions count characters and propagate NULL', () => {
  const s = schemaOf(['s', T.text], ['t', T.text]);
  const c = col(0, T.text);
  const rows: Value[][] = [['Héllo World', 'o'], ['  pad  ', 'x'], [null, 'a'], ['a,b,,c', ',']];
  assert.deepEqual(run(s, rows, call('lower', T.text, c)), ['héllo world', '  pad  ', null, 'a,b,,c']);
  assert.deepEqual(run(s, rows, call('upper', T.text, c)), ['HÉLLO WORLD', '  PAD  ', null, 'A,B,,C']);
  assert.deepEqual(run(s, rows, call('length', T.int4, c)), [11, 7, null, 6]);
  assert.deepEqual(run(s, rows, call('substring', T.text, c, lit(2, T.int4), lit(3, T.int4))), ['éll', ' pa', null, ',b,']);
  assert.deepEqual(run(s, rows, call('substring', T.text, c, lit(0, T.int4), lit(3, T.int4))), ['Hé', '  ', null, 'a,']);
  assert.deepEqual(run(s, rows, call('substring', T.text, c, lit(7, T.int4))), ['World', ' ', null, '']);
  assert.deepEqual(run(s, rows, call('trim', T.text, c)), ['Héllo World', 'pad', null, 'a,b,,c']);
  assert.deepEqual(run(s, rows, call('ltrim', T.text, c)), ['Héllo World', 'pad  ', null, 'a,b,,c']);
  assert.deepEqual(run(s, rows, call('rtrim', T.text, c, lit('dl', T.text))), ['Héllo Wor', '  pad  ', null, 'a,b,,c']);
  assert.deepEqual(run(s, rows, call('concat', T.text, c, lit(1, T.int4), lit(null, T.text))), ['Héllo World1', '  pad  1', '1', 'a,b,,c1']);
  assert.deepEqual(run(s, rows, call('||', T.text, c, col(1, T.text))), ['Héllo Worldo', '  pad  x', null, 'a,b,,c,']);
  assert.deepEqual(run(s, rows, call('replace', T.text, c, lit('o', T.text), lit('0', T.text))), ['Héll0 W0rld', '  pad  ', null, 'a,b,,c']);
  assert.deepEqual(run(s, rows, call('split_part', T.text, c, lit(',', T.text), lit(2, T.int4))), ['', '', null, 'b']);
  assert.deepEqual(run(s, rows, call('split_part', T.text, c, lit(',', T.text), lit(-1, T.int4))), ['Héllo World', '  pad  ', null, 'c']);
  assert.deepEqual(run(s, rows, call('position', T.int4, col(1, T.text), c)), [5, 0, null, 2]);
  assert.deepEqual(run(s, rows, call('like', T.bool, c, lit('H_llo%', T.text))), [true, false, null, false]);
  assert.deepEqual(run(s, rows, call('ilike', T.bool, c, lit('%WORLD', T.text))), [true, false, null, false]);
  assert.deepEqual(run(s, [['100%'], ['100']], call('like', T.bool, c, lit('100\\%', T.text))), [true, false]);
});

test('dates, timestamps and intervals', () => {
  const ts = (t: string): Value => parseValue(t, T.timestamptz);
  const iv = (t: string): Value => parseValue(t, T.interval);
  const s = schemaOf(['t', T.timestamptz], ['i', T.interval], ['d', T.date]);
  const t = col(0, T.timestamptz);
  const i = col(1, T.interval);
  const d = col(2, T.date);
  const rows: Value[][] = [
    [ts('2026-01-31 10:15:30.5+00'), iv('1 month 1 day'), parseValue('2024-02-29', T.date)],
    [null, null, null],
  ];
  assert.deepEqual(run(s, rows, call('+', T.timestamptz, t, i)), [ts('2026-03-01 10:15:30.5+00'), null]);
  assert.deepEqual(run(s, rows, call('-', T.timestamptz, t, i)), [ts('2025-12-30 10:15:30.5+00'), null]);
  assert.deepEqual(run(s, rows, call('-', T.interval, t, lit(ts('2026-01-01 00:00:00+00'), T.timestamptz))),
    [iv('30 days 10:15:30.5'), null]);
  assert.deepEqual(run(s, rows, call('+', T.date, d, lit(1, T.int4))), [parseValue('2024-03-01', T.date), null]);
  assert.deepEqual(run(s, rows, call('+', T.timestamp, d, i)), [parseValue('2024-03-30', T.timestamp), null]);
  assert.deepEqual(run(s, rows, call('*', T.interval, i, lit(2, T.float8))), [iv('2 mons 2 days'), null]);
  assert.deepEqual(run(s, rows, call('date_trunc', T.timestamptz, lit('hour', T.text), t)), [ts('2026-01-31 10:00:00+00'), null]);
  assert.deepEqual(run(s, rows, call('date_trunc', T.timestamptz, lit('month', T.text), t)), [ts('2026-01-01 00:00:00+00'), null]);
  assert.deepEqual(run(s, rows, call('date_trunc', T.timestamptz, lit('week', T.text), t)), [ts('2026-01-26 00:00:00+00'), null]);
  const part = (f: string): Value[] => run(s, rows.slice(0, 1), call('date_part', T.float8, lit(f, T.text), t));
  assert.deepEqual(part('year'), [2026]);
  assert.deepEqual(part('second'), [30.5]);
  assert.deepEqual(part('dow'), [6]);
  assert.deepEqual(part('doy'), [31]);
  assert.deepEqual(part('epoch'), [1769854530.5]);
  assert.deepEqual(run(s, rows.slice(0, 1), call('date_part', T.float8, lit('day', T.text), i)), [1]);
  assert.deepEqual(run(s, rows.slice(0, 1), call('date_part', T.float8, lit('month', T.text), d)), [2]);
  assert.deepEqual(run(s, rows, call('now', T.timestamptz)), [1767261603000000n, 1767261603000000n]);
  assert.deepEqual(run(s, rows.slice(0, 1), call('to_timestamp', T.timestamptz, lit(1.5, T.float8))), [1500000n]);
  assert.equal(sqlCode(() => run(s, rows, call('date_trunc', T.timestamptz, lit('fortnight', T.text), t))), '22023');
  assert.deepEqual(run(s, rows, call('<', T.bool, i, lit(iv('31 days'), T.interval))), [false, null]);
});

test('jsonb -> and ->>', () => {
  const s = schemaOf(['j', T.jsonb]);
  const j = col(0, T.jsonb);
  const rows: Value[][] = [['{"a": {"b": [10, "x"]}, "s": "hi", "n": null}'], [null], ['[1, 2]']];
  assert.deepEqual(run(s, rows, call('->', T.jsonb, j, lit('a', T.text))), ['{"b": [10, "x"]}', null, null]);
  assert.deepEqual(run(s, rows, call('->>', T.text, j, lit('s', T.text))), ['hi', null, null]);
  assert.deepEqual(run(s, rows, call('->>', T.text, j, lit('n', T.text))), [null, null, null]);
  assert.deepEqual(run(s, rows, call('->', T.jsonb, j, lit('n', T.text))), ['null', null, null]);
  assert.deepEqual(run(s, rows, call('->>', T.text, j, lit(-1, T.int4))), [null, null, '2']);
  const nested = call('->>', T.text, call('->', T.jsonb, call('->', T.jsonb, j, lit('a', T.text)), lit('b', T.text)), lit(0, T.int4));
  assert.deepEqual(run(s, rows, nested), ['10', null, null]);
});

test('casts between types', () => {
  const s = schemaOf(['s', T.text], ['f', T.float8], ['b', T.bool], ['t', T.timestamptz]);
  const rows: Value[][] = [['42', 2.5, true, 1767261603500000n], [null, null, null, null]];
  const c = (i: number, from: SqlType, to: SqlType): Value[] => run(s, rows, cast(col(i, from), to));
  assert.deepEqual(c(0, T.text, T.int4), [42, null]);
  assert.deepEqual(c(0, T.text, T.int8), [42n, null]);
  assert.deepEqual(c(1, T.float8, T.int4), [2, null]);
  assert.deepEqual(c(1, T.float8, T.text), ['2.5', null]);
  assert.deepEqual(c(2, T.bool, T.text), ['true', null]);
  assert.deepEqual(c(2, T.bool, T.int4), [1, null]);
  assert.deepEqual(c(3, T.timestamptz, T.text), ['2026-01-01 10:00:03.5+00', null]);
  assert.deepEqual(c(3, T.timestamptz, T.date), [20454, null]);
  assert.deepEqual(run(s, rows, cast(col(0, T.text), { name: 'varchar', length: 1 })), ['4', null]);
  assert.deepEqual(run(s, rows, cast(lit('{"b":1,"a":2}', T.text), T.jsonb)), ['{"a": 2, "b": 1}', '{"a": 2, "b": 1}']);
  assert.deepEqual(run(s, rows.slice(0, 1), cast(lit('3.5', T.jsonb), T.float8)), [3.5]);
  assert.deepEqual(run(s, rows.slice(0, 1), cast(lit('1 hour', T.unknown), T.interval)), [{ months: 0, days: 0, micros: 3600000000 }]);
  assert.equal(sqlCode(() => run(s, [['abc', 0, true, 0n]], cast(col(0, T.text), T.int4))), '22P02');
  assert.equal(sqlCode(() => run(s, [['1', 3e10, true, 0n]], cast(col(1, T.float8), T.int4))), '22003');
  assert.equal(sqlCode(() => run(s, rows, cast(col(2, T.bool), T.timestamptz))), '42804');
  assert.deepEqual(run(s, rows, { kind: 'param', index: 0, type: T.int4 }), [7, 7]);
});
