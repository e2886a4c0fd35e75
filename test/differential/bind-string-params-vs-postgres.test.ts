// Parameters declared in Parse as "char" (18), name (19), unknown (705) or bpchar (1042) answer like PostgreSQL 15:
// the same Parse / Describe / Bind / Execute go, byte for byte (pg-protocol's serializer), to a real PostgreSQL and
// a real Sluice server, and the parameter types described, the rows (as text) and the SQLSTATE of a failure must be
// the same. (Sluice plans "char", name and bpchar as text, so a column that is just `$1` is described as text, and
// an operator error names text where PostgreSQL names the declared type: only the SQLSTATE is compared.)

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { withPostgresOracle } from '../helpers/postgres-oracle';
import { errorFields, RawClient, type BackendMessage } from '../helpers/raw-client';

const fx = withPostgresOracle({
  database: 'sluice',
  setup: [
    'CREATE TABLE words (id int PRIMARY KEY, w text)',
    "INSERT INTO words VALUES (1, 'ab'), (2, 'a'), (3, 'ab  '), (4, 'A')",
    'CREATE TABLE kept (id int PRIMARY KEY, w text, v varchar(10))',
  ],
});

// Raw sessions beside the fixture's node-postgres clients, opened by the first test (once the fixture's servers run).
let sessions: { sluice: RawClient; postgres: RawClient } | null = null;
async function rawSessions(): Promise<{ sluice: RawClient; postgres: RawClient }> {
  sessions ??= {
    sluice: (await RawClient.session(fx.sluice)).client,
    postgres: (await RawClient.session({ host: '127.0.0.1', port: fx.pg.port }, { user: 'postgres', database: 'postgres' })).client,
  };
  return sessions;
}
after(() => {
  sessions?.sluice.close();
  sessions?.postgres.close();
});

const CHAR = 18;
const NAME = 19;
const UNKNOWN = 705;
const BPCHAR = 1042;

/** The text values of a DataRow (null for NULL). */
function row(m: BackendMessage): (string | null)[] {
  const out: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < m.body.readInt16BE(0); i++) {
    const len = m.body.readInt32BE(at);
    at += 4;
    out.push(len < 0 ? null : m.body.toString('utf8', at, at + len));
    if (len > 0) at += len;
  }
  return out;
}

/** What a client learns from one statement: the parameter types described, then the rows or the SQLSTATE. */
async function answer(c: RawClient, sql: string, oid: number, value: string | Buffer): Promise<string> {
  c.send(
    serialize.parse({ text: sql, types: [oid] }), serialize.describe({ type: 'S' }),
    serialize.bind({ values: [value] }), serialize.execute({}), serialize.sync(),
  );
  const seen: unknown[] = [];
  for (const m of await c.readUntil('Z', 20_000)) {
    if (m.type === 't') seen.push({ params: Array.from({ length: m.body.readInt16BE(0) }, (_, i) => m.body.readInt32BE(2 + 4 * i)) });
    if (m.type === 'D') seen.push(row(m));
    if (m.type === 'E') seen.push({ error: errorFields(m).C });
  }
  return JSON.stringify(seen);
}

async function sameAsPostgres(cases: readonly [sql: string, oid: number, value: string | Buffer][]): Promise<void> {
  const { sluice, postgres } = await rawSessions();
  for (const [sql, oid, value] of cases) {
    const what = `${sql} with $1 of type ${oid} = ${JSON.stringify(value.toString())}`;
    const expected = await answer(postgres, sql, oid, value);
    assert.doesNotMatch(expected, /"error"/, `PostgreSQL should accept ${what}`);
    assert.equal(await answer(sluice, sql, oid, value), expected, what);
  }
}

test('a parameter of each string type compares, measures and concatenates as PostgreSQL\'s does', async () => {
  const cases: [string, number, string][] = [];
  for (const oid of [CHAR, NAME, UNKNOWN, BPCHAR]) {
    for (const value of ['ab  ', 'ab', '']) {
      cases.push(['SELECT id FROM words WHERE w = $1 ORDER BY id', oid, value]);
      cases.push(['SELECT length($1), upper($1)', oid, value]);
    }
  }
  await sameAsPostgres(cases);
});

test('"char" keeps one byte (or the byte of a \\ooo escape), name 63 bytes, bpchar drops trailing spaces', async () => {
  const long = 'é'.repeat(40); // 80 bytes: 63 would cut the 32nd character in two
  await sameAsPostgres([
    ['SELECT $1::text, length($1)', CHAR, '\\101'],
    ['SELECT $1::text, length($1)', CHAR, 'xyz'],
    ['SELECT $1::text, length($1)', NAME, long],
    ['SELECT $1::text, length($1)', BPCHAR, ' a b  '],
    ['SELECT length($1)', CHAR, Buffer.from('q')],
    ['SELECT length($1)', BPCHAR, Buffer.from('ab  ')],
  ]);
});

test('a parameter declared unknown takes its type from where it is used, as an undeclared one does', async () => {
  await sameAsPostgres([
    ['SELECT 1 + $1', UNKNOWN, '41'],
    ['SELECT w FROM words WHERE id = $1', UNKNOWN, '3'],
    ['SELECT $1::int * 2', UNKNOWN, '21'],
  ]);
});

test('a written string parameter is stored as PostgreSQL stores it', async () => {
  let id = 0;
  for (const oid of [CHAR, NAME, UNKNOWN, BPCHAR]) {
    id++;
    await sameAsPostgres([
      [`INSERT INTO kept VALUES (${id}, $1, 'x') RETURNING w`, oid, 'ab  '],
      [`UPDATE kept SET v = $1 WHERE id = ${id} RETURNING w, v`, oid, 'cd  '],
    ]);
  }
});

test('the same errors as PostgreSQL: a string type meeting an integer, a "char" of two binary bytes', async () => {
  const { sluice, postgres } = await rawSessions();
  for (const oid of [CHAR, NAME, BPCHAR]) {
    for (const sql of ['SELECT id FROM words WHERE id = $1', 'SELECT 1 + $1']) {
      const expected = await answer(postgres, sql, oid, '1');
      assert.match(expected, /"error":"42883"/);
      assert.equal(await answer(sluice, sql, oid, '1'), expected, `${sql} with $1 of type ${oid}`);
    }
  }
  const twoBytes = await answer(postgres, 'SELECT $1::text', CHAR, Buffer.from('ab'));
  assert.match(twoBytes, /"error":"22P03"/);
  assert.equal(await answer(sluice, 'SELECT $1::text', CHAR, Buffer.from('ab')), twoBytes);
});
