// COPY ... FROM STDIN, as users send it: psql 15 as a subprocess with the data piped to its stdin, against a real
// Sluice server. csv (with HEADER, quoting, empty = NULL, DELIMITER, NULL) and text (tab separated, \N, backslash
// escapes), column lists, \copy; a value that does not parse fails the whole COPY with 22P02 and applies nothing;
// bigints keep every digit; a value too long and a missing NOT NULL value are worded as Kafka's dead letters word them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'pg';
import { RecordDecoder } from '../engine/kafka';
import { T, type Field } from '../engine/types';
import { psql as runPsql, type PsqlResult } from './helpers/psql';
import { startServer, connectPg, type TestServer } from './helpers/server';
import { waitForValue } from './helpers/wait';

let server: TestServer;
let client: Client;

before(async () => {
  server = await startServer();
  client = await connectPg(server);
});

after(async () => {
  await client?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

/** Runs `psql -c command` (one -c per command) with `input` on its stdin; errors print their SQLSTATE. */
function psql(command: string | readonly string[], input: string): Promise<PsqlResult> {
  return runPsql(server, typeof command === 'string' ? [command] : command, input, { verbose: true });
}

async function ok(command: string, input: string): Promise<string> {
  const r = await psql(command, input);
  assert.equal(r.code, 0, `psql -c ${JSON.stringify(command)} failed:\n${r.stderr}\nserver log:\n${server.stderr().slice(-2000)}`);
  return r.stdout.trim();
}

async function rows(sql: string): Promise<(string | null)[][]> {
  const res = await client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return res.rows as (string | null)[][];
}

test('COPY csv with HEADER into a table: quoting, embedded delimiters and quotes, empty field is NULL', async () => {
  await client.query('CREATE TABLE ct (id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION, at TIMESTAMPTZ)');
  const data = 'id,name,amount,at\n' +
    '1,acme,12.5,2026-01-01 10:00:00+00\n' +
    '2,"glo, bex",,2026-01-01 10:00:01+00\n' +
    '3,"say ""hi""",0,\n' +
    '4,"",-1.25,2026-01-01 12:00:00+02\n';
  assert.equal(await ok('COPY ct FROM STDIN WITH (FORMAT csv, HEADER true)', data), 'COPY 4');
  assert.deepEqual(await rows('SELECT * FROM ct ORDER BY id'), [
    ['1', 'acme', '12.5', '2026-01-01 10:00:00+00'],
    ['2', 'glo, bex', null, '2026-01-01 10:00:01+00'],
    ['3', 'say "hi"', '0', null],
    ['4', '', '-1.25', '2026-01-01 10:00:00+00'],
  ]);
});

test('COPY text format: tab separated, \\N is NULL, backslash escapes', async () => {
  const data = '10\tinitech\t1.5\t\\N\n11\t\\N\t2\t2026-01-01 10:00:00+00\n12\ta\\tb\\\\c\\nd\t3\t\\N\n';
  assert.equal(await ok('COPY ct FROM STDIN', data), 'COPY 3');
  assert.deepEqual(await rows('SELECT id, name, amount FROM ct WHERE id >= 10 ORDER BY id'), [
    ['10', 'initech', '1.5'],
    ['11', null, '2'],
    ['12', 'a\tb\\c\nd', '3'],
  ]);
});

test('a value that does not parse fails the whole COPY with 22P02, and none of its rows is applied', async () => {
  const before = await rows('SELECT count(*) FROM ct');
  const r = await psql('COPY ct FROM STDIN WITH (FORMAT csv)', '20,ok,1,\n21,fine,2,\n22,bad,notanumber,\n23,after,3,\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ERROR:\s+22P02: invalid input syntax for type double precision: "notanumber"/);
  assert.match(r.stderr, /COPY ct, line 3, column amount/);
  assert.deepEqual(await rows('SELECT count(*) FROM ct'), before);

  const text = await psql('COPY ct FROM STDIN', '24\tx\t1\t\\N\n25\ty\t2\tnot a time\n');
  assert.notEqual(text.code, 0);
  assert.match(text.stderr, /ERROR:\s+22007/);
  assert.deepEqual(await rows('SELECT count(*) FROM ct'), before);

  // a duplicate key, too, rejects every row of the COPY
  const dup = await psql('COPY ct (id, name) FROM STDIN WITH (FORMAT csv)', '30,new\n1,duplicate\n');
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /ERROR:\s+23505/);
  assert.deepEqual(await rows('SELECT count(*) FROM ct WHERE id = 30'), [['0']]);
});

test('rows of the wrong width fail with 22P04', async () => {
  const extra = await psql('COPY ct FROM STDIN WITH (FORMAT csv)', '40,a,1,,extra\n');
  assert.match(extra.stderr, /ERROR:\s+22P04: extra data after last expected column/);
  const missing = await psql('COPY ct FROM STDIN WITH (FORMAT csv)', '41,a\n');
  assert.match(missing.stderr, /ERROR:\s+22P04: missing data for column "amount"/);
  assert.deepEqual(await rows('SELECT count(*) FROM ct WHERE id >= 40'), [['0']]);
});

test('COPY into a stream feeds its continuous queries; column lists, DELIMITER and NULL options', async () => {
  await client.query("CREATE STREAM cs (k INTEGER, note TEXT, ts TIMESTAMPTZ NOT NULL) WITH (retention = '1 hour')");
  await client.query("CREATE CONTINUOUS QUERY per_k WITH (trigger_interval = '100 milliseconds') AS SELECT k, count(*) AS n FROM cs GROUP BY k");
  assert.equal(await ok("COPY cs FROM STDIN WITH (FORMAT csv, DELIMITER ';', NULL 'NULL')",
    '1;x;2026-01-01 10:00:00+00\n2;NULL;2026-01-01 10:00:01+00\n1;;2026-01-01 10:00:02+00\n'), 'COPY 3');
  assert.equal(await ok('COPY cs (ts, k) FROM STDIN WITH (FORMAT csv, HEADER)', 'ts,k\n2026-01-01 11:00:00+00,7\n'), 'COPY 1');
  // the stream's NOT NULL column: the whole COPY is refused
  const r = await psql('COPY cs FROM STDIN WITH (FORMAT csv)', '8,a,2026-01-01 10:00:00+00\n9,b,\n');
  assert.match(r.stderr, /ERROR:\s+23502/);

  assert.deepEqual(await rows('SELECT k, note, ts FROM cs ORDER BY ts'), [
    ['1', 'x', '2026-01-01 10:00:00+00'],
    ['2', null, '2026-01-01 10:00:01+00'],
    ['1', '', '2026-01-01 10:00:02+00'],
    ['7', null, '2026-01-01 11:00:00+00'],
  ]);
  // Each COPY is one log entry, applied whole: per_k has a row for each of the three keys once it has read both.
  const perK = await waitForValue(() => rows('SELECT k, n FROM per_k ORDER BY k'), (r) => r.length === 3, 'per_k to read both COPYs');
  assert.deepEqual(perK, [['1', '2'], ['2', '1'], ['7', '1']]);
});

test("psql's \\copy sends the client's data the same way", async () => {
  await client.query('CREATE TABLE small (id INTEGER PRIMARY KEY, v TEXT)');
  assert.equal(await ok('\\copy small FROM STDIN WITH (FORMAT csv)', '1,one\n2,two\n'), 'COPY 2');
  assert.deepEqual(await rows('SELECT * FROM small ORDER BY id'), [['1', 'one'], ['2', 'two']]);
});

test('COPY inside a transaction block waits for COMMIT; ROLLBACK drops it', async () => {
  await client.query('CREATE TABLE held (id BIGINT PRIMARY KEY, v TEXT)');
  const data = '1,one\n9223372036854775807,max\n';
  const rolledBack = await psql(['BEGIN', 'COPY held FROM STDIN WITH (FORMAT csv)', 'ROLLBACK'], data);
  assert.equal(rolledBack.code, 0, rolledBack.stderr);
  assert.deepEqual(await rows('SELECT count(*) FROM held'), [['0']]);
  const committed = await psql(['BEGIN', 'COPY held FROM STDIN WITH (FORMAT csv)', 'COMMIT'], data);
  assert.equal(committed.code, 0, committed.stderr);
  assert.deepEqual(await rows('SELECT id, v FROM held ORDER BY v'), [['9223372036854775807', 'max'], ['1', 'one']]);
});

test('COPY statements Sluice does not take are refused with their SQLSTATE', async () => {
  await assert.rejects(client.query('COPY nowhere FROM STDIN'), { code: '42P01' });
  await assert.rejects(client.query("COPY small FROM '/etc/passwd'"), { code: '0A000' });
  await assert.rejects(client.query('COPY small FROM STDIN WITH (FORMAT binary)'), { code: '0A000' });
  await assert.rejects(client.query("COPY small TO '/tmp/small.csv'"), { code: '0A000' });
});

test('bigints keep every digit through COPY, csv and text, up to the int64 limits', async () => {
  await client.query('CREATE TABLE big (k BIGINT PRIMARY KEY, note TEXT)');
  const csv = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-9007199254740993',
    '999999999999999999', '-999999999999999999', '1000000000000000000', '0'];
  assert.equal(await ok('COPY big FROM STDIN WITH (FORMAT csv)', csv.map((k, i) => `${k},csv ${i}`).join('\n') + '\n'), 'COPY 8');
  assert.equal(await ok('COPY big (note, k) FROM STDIN', 'text 0\t+42\ntext 1\t 17 \ntext 2\t-4611686018427387905\n'), 'COPY 3');
  assert.deepEqual(await rows('SELECT k, note FROM big ORDER BY note'), [
    ...csv.map((k, i) => [k, `csv ${i}`]),
    ['42', 'text 0'], ['17', 'text 1'], ['-4611686018427387905', 'text 2'],
  ]);
  const over = await psql('COPY big FROM STDIN WITH (FORMAT csv)', '1,fine\n9223372036854775808,over\n');
  assert.match(over.stderr, /ERROR:\s+22003: value "9223372036854775808" is out of range for type bigint\nDETAIL:\s+COPY big, line 2, column k: "9223372036854775808"/);
  assert.deepEqual(await rows('SELECT count(*) FROM big'), [['11']]);
});

test('COPY and Kafka word a value too long and a missing NOT NULL value the same way', async () => {
  await client.query("CREATE STREAM people (id INTEGER NOT NULL, name VARCHAR(4)) WITH (retention = '1 hour')");
  const columns: Field[] = [{ name: 'id', type: T.int4, nullable: false }, { name: 'name', type: { name: 'varchar', length: 4 }, nullable: true }];
  const errorOf = (r: PsqlResult, code: string): string => {
    assert.notEqual(r.code, 0);
    const m = new RegExp(`ERROR:\\s+${code}: (.*)\\nDETAIL:\\s+(.*)`).exec(r.stderr);
    assert.ok(m, `no ${code} error in:\n${r.stderr}`);
    return `${m[1]} | ${m[2]}`;
  };

  const tooLong = errorOf(await psql('COPY people FROM STDIN WITH (FORMAT csv)', '1,ann\n2,toolong\n'), '22001');
  assert.equal(tooLong, 'value too long for type character varying(4) | COPY people, line 2, column name: "toolong"');
  const nullId = errorOf(await psql('COPY people FROM STDIN', '3\tcy\n\\N\tdan\n'), '23502');
  assert.equal(nullId, 'null value in column "id" of stream "people" violates not-null constraint | COPY people, line 2, column id');
  const absentId = errorOf(await psql('COPY people (name) FROM STDIN WITH (FORMAT csv)', 'bob\n'), '23502');
  assert.equal(absentId, 'null value in column "id" of stream "people" violates not-null constraint | COPY people, line 1, column id');
  assert.deepEqual(await rows('SELECT count(*) FROM people'), [['0']], 'the failed COPYs applied nothing');

  // The same problems in Kafka records become dead letters with the same words (the dead letter names its
  // relation in its own source field, so the NOT NULL message leaves it out).
  const rec = (value: string, i: number) => ({ partition: 0, offset: String(i), value: Buffer.from(value) });
  const json = new RecordDecoder(columns, 'json', { arrival: false }).decode([rec('{"id": 2, "name": "toolong"}', 0), rec('{"name": "dan"}', 1)], 0);
  const csv = new RecordDecoder(columns, 'csv', { arrival: false }).decode([rec('2,toolong', 0), rec(',dan', 1)], 0);
  for (const out of [json, csv]) {
    assert.deepEqual(out.bad.map((b) => [b.reason, b.error]), [
      ['type', `column "name": ${tooLong.split(' | ')[0]}`],
      ['not_null', nullId.split(' | ')[0].replace(' of stream "people"', '')],
    ]);
  }
});
