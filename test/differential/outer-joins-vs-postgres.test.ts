// RIGHT, FULL, LEFT and INNER joins answer exactly like PostgreSQL 15: the same seeded tables (NULL keys,
// duplicate rows) in a real PostgreSQL and a real Sluice server, the same generated pull queries through
// node-postgres, and the same rows (as a multiset), column names and types must come back. SLUICE_JOIN_SEED=n
// replays a seed (printed with every difference).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { withPostgresOracle } from '../helpers/postgres-oracle';
import { seededRandom } from '../helpers/random';

const seed = Number(process.env.SLUICE_JOIN_SEED ?? Date.now() % 1_000_000);

const fx = withPostgresOracle({ setup: seededTables(seededRandom(seed)) });

/** Two tables whose keys collide often, with NULLs in every column and some rows twice, and a small third one. */
function seededTables(r: () => number): string[] {
  const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number, nulls: number): string => (r() < nulls ? 'NULL' : String(lo + Math.floor(r() * (hi - lo + 1))));
  const text = (): string => pick(["'a'", "'b'", "'c'", 'NULL']);
  const rows = (n: number, row: () => string): string => {
    const out: string[] = [];
    while (out.length < n) {
      const one = `(${row()})`;
      out.push(one);
      if (r() < 0.15) out.push(one);
    }
    return out.join(', ');
  };
  let id = 0;
  return [
    'CREATE TABLE ta (id INTEGER, k INTEGER, k2 TEXT, v INTEGER)',
    'CREATE TABLE tb (k INTEGER, k2 TEXT, w INTEGER)',
    'CREATE TABLE tc (k2 TEXT, label TEXT)',
    `INSERT INTO ta VALUES ${rows(40, () => `${++id}, ${int(0, 7, 0.15)}, ${text()}, ${int(-20, 80, 0.1)}`)}`,
    `INSERT INTO tb VALUES ${rows(30, () => `${int(2, 10, 0.15)}, ${text()}, ${int(-20, 80, 0.1)}`)}`,
    "INSERT INTO tc VALUES ('a', 'alpha'), ('b', 'beta'), ('d', 'delta'), (NULL, 'none')",
  ];
}

const JOIN_TYPES = ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const;

/** ON conditions: equi keys, residual terms over one side or both, an expression as the key, USING. */
const CONDITIONS = [
  'ON ta.k = tb.k',
  'ON ta.k = tb.k AND ta.k2 = tb.k2',
  'ON ta.k = tb.k AND ta.v > tb.w',
  'ON tb.k = ta.k + 1',
  'ON ta.k = tb.k AND tb.w > 10',
  'ON ta.k = tb.k AND ta.v IS NOT NULL',
  'USING (k)',
];

const WHERES = ['', ' WHERE ta.id IS NULL', ' WHERE tb.w > 0 OR ta.v < 10', ' WHERE coalesce(ta.k, tb.k) > 4', ' WHERE tb.k2 IS NOT DISTINCT FROM ta.k2'];

const COLUMNS = 'ta.id, ta.k, ta.k2, ta.v, tb.k AS bk, tb.k2 AS bk2, tb.w';
const AGGREGATES = 'count(*) AS n, count(ta.id) AS na, count(tb.w) AS nb, sum(ta.v) AS sa, sum(tb.w) AS sb';

/** The rows (sorted: the queries have no ORDER BY), column names and type oids, or the error: what a client sees. */
async function answer(c: Client, sql: string): Promise<string> {
  try {
    const res = await c.query({ text: sql, rowMode: 'array' });
    const rows = (res.rows as unknown[][]).map((row) => JSON.stringify(row)).sort();
    return JSON.stringify({ columns: res.fields.map((f) => [f.name, f.dataTypeID]), rows });
  } catch (e) {
    const err = e as { code?: string; message: string };
    return JSON.stringify({ error: err.code, message: err.message });
  }
}

/** Every query is one PostgreSQL answers with rows, so agreeing on an error would not count. */
async function sameAsPostgres(queries: readonly string[]): Promise<void> {
  for (const sql of queries) {
    const expected = await answer(fx.oracle, sql);
    assert.ok(!expected.startsWith('{"error"'), `PostgreSQL refused ${sql}: ${expected}`);
    assert.equal(await answer(fx.client, sql), expected, `seed ${seed}: ${sql}`);
  }
}

test('two-table joins of every type, condition and filter give PostgreSQL\'s rows', async () => {
  const queries: string[] = [];
  for (const type of JOIN_TYPES) {
    for (const on of CONDITIONS) {
      for (const where of WHERES) {
        queries.push(`SELECT ${COLUMNS} FROM ta ${type} JOIN tb ${on}${where}`);
      }
      queries.push(`SELECT ${AGGREGATES} FROM ta ${type} JOIN tb ${on}`);
      queries.push(`SELECT tb.k2, ${AGGREGATES} FROM ta ${type} JOIN tb ${on} GROUP BY tb.k2`);
    }
  }
  await sameAsPostgres(queries);
});

test('SELECT * keeps the SQL\'s column order and names, and outer joins nest', async () => {
  const queries: string[] = [];
  for (const type of JOIN_TYPES) {
    queries.push(`SELECT * FROM ta ${type} JOIN tb ON ta.k = tb.k AND ta.k2 < tb.k2`);
    queries.push(`SELECT * FROM tb ${type} OUTER JOIN ta ON ta.k = tb.k`.replace('INNER OUTER', 'INNER'));
    for (const outer of JOIN_TYPES) {
      queries.push(`SELECT ta.id, tb.w, tc.label FROM ta ${type} JOIN tb ON ta.k = tb.k ${outer} JOIN tc ON tc.k2 = tb.k2`);
      queries.push(`SELECT ta.id, tb.w, tc.label FROM tc ${outer} JOIN (ta ${type} JOIN tb ON ta.k = tb.k) ON tc.k2 = ta.k2`);
    }
    queries.push(`SELECT s.id, tb.w FROM (SELECT id, k FROM ta WHERE v > 30) AS s ${type} JOIN tb ON s.k = tb.k`);
  }
  // No equality to hash on: PostgreSQL takes these for RIGHT (not FULL) joins.
  queries.push('SELECT ta.id, tb.k, tb.w FROM ta RIGHT JOIN tb ON ta.k < tb.k AND tb.w > 50');
  queries.push('SELECT ta.id, tb.k, tb.w FROM ta LEFT JOIN tb ON ta.k > tb.k AND ta.v < 0');
  await sameAsPostgres(queries);
});
