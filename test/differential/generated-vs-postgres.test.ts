// Sluice answers generated queries exactly like a real PostgreSQL 15 started for the test: the same seeded rows go
// into both (generated-data.ts), then hundreds of generated pull queries (generate.ts) and dozens of continuous
// queries (generate-continuous.ts), fed in several INSERT batches and a DELETE, must give the same text rows, type
// oids and SQLSTATEs. Shapes that differ on purpose are left out of generation by named rules (expressions.ts
// KNOWN_DIFFERENCES, listed in docs/sql.md); any other difference fails the test with the SQL, both answers and the
// seed. Replay a run with SLUICE_DIFF_SEED=<seed>. Without PostgreSQL's binaries the test fails (it never skips).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { findPgBin, startPgCluster, type PgCluster } from '../../bench/postgres/cluster';
import { connectPg, startServer, type TestServer } from '../helpers/server';
import { seededRandom } from '../helpers/random';
import { waitFor } from '../helpers/wait';
import { answerOf, describeDifference, sameAnswer } from './compare';
import { createStatements, insertBatches, RELATIONS, TABLE_PK, TABLE_PLAIN } from './generated-data';
import { Picker, PullQueryGenerator } from './generate';
import { ContinuousQueryGenerator, type GeneratedContinuousQuery } from './generate-continuous';

const SEED = Number(process.env.SLUICE_DIFF_SEED ?? 20261104);
const PULL_QUERIES = 400;
const CONTINUOUS_QUERIES = 30;
const ROWS_PER_RELATION = 40;
const INSERT_BATCHES = 3;
/** Continuous queries are drawn from this many candidates each (those that never meet an error are kept). */
const CANDIDATES_PER_QUERY = 3;
/** Applied after every insert, so continuous queries over tables see rows retracted. */
const DELETES = [`DELETE FROM ${TABLE_PK.name} WHERE id % 5 = 0`, `DELETE FROM ${TABLE_PLAIN.name} WHERE si = 7`];

/** Continuous queries that once differed (compared with the generated ones). */
const CONTINUOUS_STAY_FIXED: readonly GeneratedContinuousQuery[] = [
  // A -0 in join state, in a group key (which shows the first value met) and in the result prints as -0
  `SELECT a.id AS a_id, -a.r4 AS neg, ceil((a.si * 0 - 0.5)::float8) AS c, b.f8 * -1 AS f FROM ${TABLE_PK.name} a ` +
    `JOIN ${TABLE_PLAIN.name} b ON a.id = b.id`,
  `SELECT r4 * -1 AS neg, count(*) AS n FROM ${TABLE_PLAIN.name} GROUP BY 1`,
  // sum / avg of NUMERIC show the largest scale of the rows still there, not of rows deleted since
  `SELECT bo, sum(nu) AS s, avg(nu) AS a, sum(nu * 1) AS s1 FROM ${TABLE_PK.name} GROUP BY bo`,
  `SELECT sum(CASE WHEN id % 5 = 0 THEN 1.5000 ELSE 2 END) AS s, avg(CASE WHEN id % 5 = 0 THEN 1.5000 ELSE 2 END) AS a ` +
    `FROM ${TABLE_PK.name}`, // the rows of scale 4 are deleted (DELETES)
].map((body, i) => ({ name: `fixed_cq_${i + 1}`, body, postgres: body }));

let pg: PgCluster;
let sluice: TestServer;
let oracle: Client;
let client: Client;
let pick: Picker;
let continuous: GeneratedContinuousQuery[] = [];

const withSeed = (what: string): string => `${what}\n(seed ${SEED}: replay with SLUICE_DIFF_SEED=${SEED})`;

before(async () => {
  const bin = findPgBin();
  if (!('dir' in bin)) throw new Error(`PostgreSQL 15 is needed as the oracle: ${bin.reason}`);
  pg = await startPgCluster(bin.dir);
  // Text sorts by code point (collation C) and changes case by Unicode's rules, as Sluice does (docs/sql.md).
  const admin = await pg.connect();
  await admin.query("CREATE DATABASE generated TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'");
  await admin.end();
  oracle = await pg.connect('generated');
  await oracle.query("SET TIME ZONE 'UTC'"); // Sluice's session time zone is UTC (docs/sql.md: Differences)
  sluice = await startServer();
  client = await connectPg(sluice);
  const random = seededRandom(SEED);
  pick = new Picker(random);

  for (const r of RELATIONS) {
    const create = createStatements(r);
    await client.query(create.sluice);
    await oracle.query(create.postgres);
  }
  // Sluice starts its continuous queries over empty inputs and is fed batch by batch, the relations interleaved;
  // PostgreSQL is fed the same statements in the same order (while the continuous queries are chosen).
  const batches = RELATIONS.map((r) => insertBatches(r, random, ROWS_PER_RELATION, INSERT_BATCHES));
  const rounds = Array.from({ length: INSERT_BATCHES }, (_, i) => batches.flatMap((b) => b.slice(i, i + 1)));
  const feed = [...rounds.flat(), ...DELETES];
  continuous = [...await acceptedContinuousQueries(feed), ...CONTINUOUS_STAY_FIXED];
  for (const q of continuous) {
    await client.query(`CREATE CONTINUOUS QUERY ${q.name} WITH (trigger_interval = '50ms') AS ${q.body}`)
      .catch((e: Error) => { throw new Error(withSeed(`CREATE CONTINUOUS QUERY ${q.name} AS ${q.body}: ${e.message}`)); });
  }
  for (const statement of feed) await client.query(statement);
});

after(async () => {
  await client?.end();
  await oracle?.end();
  await sluice?.stop();
  await pg?.stop();
});

/**
 * Generated continuous queries whose batch answer is no error before and after each statement of `feed` (which this
 * applies to PostgreSQL): a continuous query may compute an epoch after any of them, and one that meets an error
 * fails at that epoch (sluice.queries.status), which is no result to compare. The errors themselves are compared in
 * the pull queries.
 */
async function acceptedContinuousQueries(feed: readonly string[]): Promise<GeneratedContinuousQuery[]> {
  const generator = new ContinuousQueryGenerator(pick);
  let candidates = Array.from({ length: CONTINUOUS_QUERIES * CANDIDATES_PER_QUERY }, () => generator.next());
  const withoutError = async (qs: readonly GeneratedContinuousQuery[]): Promise<GeneratedContinuousQuery[]> => {
    const kept: GeneratedContinuousQuery[] = [];
    for (const q of qs) if (!('sqlstate' in (await answerOf(oracle, q.postgres, false)))) kept.push(q);
    return kept;
  };
  candidates = await withoutError(candidates);
  for (const statement of feed) {
    await oracle.query(statement);
    candidates = await withoutError(candidates);
  }
  if (candidates.length < CONTINUOUS_QUERIES) {
    throw new Error(withSeed(`only ${candidates.length} generated continuous queries run without error`));
  }
  return candidates.slice(0, CONTINUOUS_QUERIES);
}

test(`${PULL_QUERIES} generated pull queries answer as in PostgreSQL`, async () => {
  const generator = new PullQueryGenerator(pick);
  const differences: string[] = [];
  for (let i = 0; i < PULL_QUERIES; i++) {
    const q = generator.next();
    const [mine, theirs] = [await answerOf(client, q.sql, q.ordered), await answerOf(oracle, q.sql, q.ordered)];
    if (!sameAnswer(mine, theirs)) differences.push(describeDifference(q.sql, mine, theirs));
  }
  assert.equal(differences.length, 0, withSeed(`${differences.length} of ${PULL_QUERIES} differ:\n${differences.join('\n')}`));
});

test(`${CONTINUOUS_QUERIES} generated continuous queries (and those that once differed) hold what PostgreSQL computes in one batch`, async () => {
  const names = continuous.map((q) => `'${q.name}'`).join(', ');
  const progress = `SELECT name, status, lag, last_error FROM sluice.queries WHERE name IN (${names})`;
  let last: readonly { name: string; status: string; lag: string; last_error: string | null }[] = [];
  await waitFor(async () => {
    last = (await client.query(progress)).rows;
    return last.length === continuous.length && last.every((q) => q.status !== 'running' || Number(q.lag) === 0);
  }, () => withSeed(`every continuous query to read all its input: ${JSON.stringify(last)}`), 30_000);
  const failed = last.filter((q) => q.status !== 'running');
  assert.deepEqual(failed, [], withSeed('continuous queries that stopped'));

  const differences: string[] = [];
  for (const q of continuous) {
    const [mine, theirs] = [await answerOf(client, `SELECT * FROM ${q.name}`, false), await answerOf(oracle, q.postgres, false)];
    if (!sameAnswer(mine, theirs)) differences.push(describeDifference(`${q.name}: ${q.body}`, mine, theirs));
  }
  assert.equal(differences.length, 0, withSeed(`${differences.length} of ${continuous.length} differ:\n${differences.join('\n')}`));
});

test('the differences generation found stay fixed', async () => {
  const statements = [
    // jsonb: a scalar document is a one-element array to `-> 0` and `-> -1`
    `SELECT 'null'::jsonb -> 0, '5'::jsonb -> 0, '"x"'::jsonb ->> 0, '5'::jsonb -> -1, '5'::jsonb -> 1, '{"a": 1}'::jsonb -> 0`,
    // floor and ceil keep the sign of a zero
    'SELECT ceil(-0.5::float8), floor(-0.0::float8), ceil(-0.0::float8)',
    // IN takes the common type of all its values (REAL here); one value is `=` (double here)
    'SELECT 0.1::real IN (0.1, 0), 0.1::real NOT IN (0, 0.1), 0.1::real IN (0.1), 0.1::real = 0.1',
    `SELECT id, r4 IN (0.1, 2.5), r4 IN (0.1) FROM ${TABLE_PK.name} WHERE r4 IS NOT NULL ORDER BY id`,
    // NULLIF keeps its first argument's type where `=` has a cross-type operator
    `SELECT nullif(si, 0), nullif(ii, 7::int8), nullif(r4, 0.5::float8), nullif(bi, 1.5) FROM ${TABLE_PK.name} ORDER BY id`,
    // min / max of VARCHAR are TEXT; COALESCE and UNION keep the first string type, CASE its ELSE's
    `SELECT max(vc), min(vc) FROM ${TABLE_PLAIN.name}`,
    `SELECT coalesce(vc, tx), coalesce(tx, vc), CASE WHEN bo THEN vc ELSE tx END FROM ${TABLE_PK.name} ORDER BY id`,
    `SELECT vc FROM ${TABLE_PK.name} UNION ALL SELECT tx FROM ${TABLE_PK.name}`,
    `SELECT vc FROM ${TABLE_PK.name} WHERE vc IN ('eu', tx) ORDER BY id`,
    // interval / n and avg(interval) as PostgreSQL's interval_div: fields truncated apart, fractions cascading down
    `SELECT avg(iv) FROM ${TABLE_PLAIN.name}`,
    `SELECT iv / 3, iv / 7.5, iv * 0.7, iv * -1.3 FROM ${TABLE_PK.name} ORDER BY id`,
    "SELECT interval '1 mon' / 2 + interval '-3 hours' / 2, interval '1 mon 1 day' / 2",
    // a pull query's outer join computes nothing over the NULL-extended rows a later match takes back
    `SELECT a.id, a.ii + a.ii FROM ${TABLE_PK.name} a WHERE NOT EXISTS (SELECT 1 FROM ${TABLE_PK.name} s WHERE s.ii = 2147483647)`,
    'SELECT v.x * 2 FROM (VALUES (2147483647), (1)) v(x) LEFT JOIN (VALUES (2147483647)) w(y) ON v.x = w.y WHERE w.y IS NULL',
    `SELECT np FROM ${TABLE_PK.name} WHERE NOT EXISTS (SELECT 1 FROM ${TABLE_PK.name}) UNION ALL SELECT np * 1.00 FROM ${TABLE_PK.name}`,
    // -0 and 0 are one join key and one group, and each row shows its own (a group the first it met)
    "SELECT a.x, b.x FROM (VALUES ('-0'::float8), ('0'::float8)) a(x) JOIN (VALUES ('-0'::float8)) b(x) ON a.x = b.x",
    "SELECT a.x, b.x FROM (VALUES ('0'::real), ('-0'::real)) a(x) LEFT JOIN (VALUES ('-0'::real)) b(x) ON a.x = b.x",
    "SELECT x, count(*) FROM (VALUES ('-0'::float8), ('0'::float8)) v(x) GROUP BY x",
    "SELECT x, y, count(*) FROM (VALUES ('-0'::real, 1), ('0'::real, 1)) v(x, y) GROUP BY x, y",
  ];
  const differences: string[] = [];
  for (const sql of statements) {
    const ordered = sql.includes('ORDER BY');
    const [mine, theirs] = [await answerOf(client, sql, ordered), await answerOf(oracle, sql, ordered)];
    if (!sameAnswer(mine, theirs)) differences.push(describeDifference(sql, mine, theirs));
  }
  assert.equal(differences.length, 0, withSeed(`${differences.length} of ${statements.length} differ:\n${differences.join('\n')}`));
});
