// Statements too deep or too wide for Sluice, through node-postgres against the real server: each is refused with
// PostgreSQL's SQLSTATE (54001 stack depth limit exceeded, 54011 too many target list entries), never XX000 from an
// overflowed stack, and the same connection answers the next statement.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseError } from 'pg';
import { withServerAndClient } from '../helpers/server';

const fx = withServerAndClient();

/** The error `sql` fails with (the test fails if it succeeds). */
async function failure(sql: string): Promise<DatabaseError> {
  try {
    await fx.pg.query(sql);
  } catch (e) {
    return e as DatabaseError;
  }
  assert.fail('the statement succeeded');
}

const repeat = (n: number, s: string): string => s.repeat(n);

/** `SELECT (SELECT (... SELECT 1 ...) AS x) AS x`: `levels` scalar subqueries, each in the select list of the next. */
function nestedScalarSubqueries(levels: number): string {
  let sql = 'SELECT 1 AS x';
  for (let i = 0; i < levels; i++) sql = `SELECT (${sql}) AS x`;
  return sql;
}

const TOO_DEEP: Record<string, string> = {
  '1,000 nested parentheses': `SELECT ${repeat(1000, '(')}1${repeat(1000, ')')}`,
  '10,000 NOTs': `SELECT ${repeat(10000, 'NOT ')}true`,
  '5,000 nested CASEs': `SELECT ${repeat(5000, 'CASE WHEN true THEN ')}1${repeat(5000, ' END')}`,
  '2,000 nested subqueries': `SELECT ${repeat(2000, '(SELECT ')}1${repeat(2000, ')')}`,
  'a 350,000-term sum': `SELECT 1${repeat(349999, '+1')}`,
  // Each scalar subquery is bound twice (its correlation check): 25 levels planned for over 20 s before the limit.
  '25 nested scalar subqueries': nestedScalarSubqueries(25),
};

describe('limits of a statement', () => {
  for (const [name, sql] of Object.entries(TOO_DEEP)) {
    test(`${name}: 54001 stack depth limit exceeded, then the connection goes on`, async () => {
      const e = await failure(sql);
      assert.equal(e.code, '54001', e.message);
      assert.equal(e.message, 'stack depth limit exceeded');
      assert.ok(e.hint, 'a hint says what to do');
      assert.ok(Number(e.position) > 0, 'the position where the limit was crossed');
      assert.deepEqual((await fx.pg.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    });
  }

  test('depths within the limit are answered', async () => {
    assert.deepEqual((await fx.pg.query(`SELECT ${repeat(100, '(')}1${repeat(100, ')')} AS v`)).rows, [{ v: 1 }]);
    assert.deepEqual((await fx.pg.query(`SELECT ${repeat(100, 'NOT ')}true AS v`)).rows, [{ v: true }]);
    assert.deepEqual((await fx.pg.query(`SELECT 1${repeat(599, '+1')} AS v`)).rows, [{ v: 600 }]);
    assert.deepEqual((await fx.pg.query(nestedScalarSubqueries(12))).rows, [{ x: 1 }]);
  });

  test('100,000 select-list columns: 54011 target lists can have at most 1664 entries', async () => {
    const e = await failure(`SELECT 1${repeat(99999, ', 1')}`);
    assert.equal(e.code, '54011', e.message);
    assert.equal(e.message, 'target lists can have at most 1664 entries');
    assert.deepEqual((await fx.pg.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  });

  test('1,665 select-list columns are refused, 1,664 answered', async () => {
    assert.equal((await failure(`SELECT 1${repeat(1664, ', 1')}`)).code, '54011');
    const r = await fx.pg.query({ text: `SELECT 1${repeat(1663, ', 1')}`, rowMode: 'array' });
    assert.equal(r.rows[0].length, 1664);
  });
});
