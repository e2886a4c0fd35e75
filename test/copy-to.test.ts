// COPY ... TO STDOUT of a query or a relation, as users send it: psql 15 (COPY, \copy to a file and to its stdout)
// and a raw protocol client against a real server. text and csv with PostgreSQL's options; a table, a continuous
// query's result and a stream's retained rows, and a stream that keeps none refused as SELECT refuses it; a big result
// that stops going out while its client reads nothing, and a CancelRequest that ends it there with 57014.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { serialize } from 'pg-protocol';
import { errorFields } from './helpers/raw-client';
import { psql } from './helpers/psql';
import { startServer, connectPg, type TestServer } from './helpers/server';
import { waitForSteady, waitForValue } from './helpers/wait';
import { CopySubscriber, SubscribeError } from './subscribe/copy-subscriber';

let server: TestServer;
let sql: Client;

before(async () => {
  server = await startServer();
  sql = await connectPg(server);
  await sql.query('CREATE TABLE people (id BIGINT PRIMARY KEY, name TEXT, note TEXT)');
  await sql.query(`INSERT INTO people VALUES (1, 'plain', 'x'), (2, 'a,b', NULL), (3, 'say "hi"', ''),
    (4, E'tab\\there\\nnew line', 'back\\slash'), (5, 'it''s', 'a''b;c')`);
});

after(async () => {
  await sql?.end().catch(() => undefined);
  if (server) assert.equal(await server.stop(), 0, `server exited badly:\n${server.stderr()}`);
});

async function copyOut(command: string): Promise<string> {
  const r = await psql(server, [command]);
  assert.equal(r.code, 0, `psql -c ${JSON.stringify(command)} failed:\n${r.stderr}`);
  return r.stdout;
}

describe('formats and options, as PostgreSQL 15 writes them', () => {
  test('text: tab separated, \\N for NULL, backslash escapes', async () => {
    assert.equal(await copyOut('COPY (SELECT * FROM people ORDER BY id) TO STDOUT'), [
      '1\tplain\tx', '2\ta,b\t\\N', '3\tsay "hi"\t', '4\ttab\\there\\nnew line\tback\\\\slash', "5\tit's\ta'b;c", '',
    ].join('\n'));
  });

  test('text with HEADER, another DELIMITER (escaped inside values) and NULL', async () => {
    assert.equal(await copyOut("COPY (SELECT id, name, note FROM people WHERE id < 3 ORDER BY id) TO STDOUT (HEADER, DELIMITER ',', NULL 'nil')"),
      'id,name,note\n1,plain,x\n2,a\\,b,nil\n');
  });

  test('csv with HEADER: quoted when needed, the empty string told from NULL', async () => {
    assert.equal(await copyOut('COPY (SELECT * FROM people ORDER BY id) TO STDOUT WITH CSV HEADER'), [
      'id,name,note', '1,plain,x', '2,"a,b",', '3,"say ""hi""",""', '4,"tab\there\nnew line",back\\slash', "5,it's,a'b;c", '',
    ].join('\n'));
  });

  test('csv with DELIMITER, NULL, QUOTE, ESCAPE and FORCE_QUOTE', async () => {
    const out = await copyOut(
      "COPY (SELECT * FROM people ORDER BY id) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'NULL', QUOTE '''', ESCAPE '\\', FORCE_QUOTE (name))");
    assert.equal(out, [
      "1;'plain';x", "2;'a,b';NULL", "3;'say \"hi\"';", "4;'tab\there\nnew line';back\\slash", "5;'it\\'s';'a\\'b;c'", '',
    ].join('\n'));
    assert.equal(await copyOut('COPY (SELECT id, note FROM people WHERE id = 2) TO STDOUT (FORMAT csv, FORCE_QUOTE *)'), '"2",\n');
  });

  test('csv: \\. is quoted only as the only column, where its line would end the data', async () => {
    assert.equal(await copyOut("COPY (SELECT E'\\\\.' AS a) TO STDOUT (FORMAT csv)"), '"\\."\n');
    assert.equal(await copyOut("COPY (SELECT E'\\\\.' AS a, E'\\\\.' AS b) TO STDOUT (FORMAT csv)"), '\\.,\\.\n');
  });

  test('the tag counts the rows, not the header', async () => {
    const s = await CopySubscriber.start(server, 'COPY people (id) TO STDOUT (FORMAT csv, HEADER)');
    const lines = await s.lines(6);
    assert.deepEqual(lines.slice(0, 1), ['id']);
    assert.deepEqual(lines.slice(1).sort(), ['1', '2', '3', '4', '5']);
    const end = await s.client.readUntil('Z');
    assert.deepEqual(end.map((m) => m.type), ['c', 'C', 'Z']);
    assert.equal(end[1].body.toString('utf8'), 'COPY 5\0');
    s.close();
  });
});

describe('what can be copied', () => {
  test('a table, some of its columns, through psql COPY and \\copy to a file and to stdout', async () => {
    const lines = (text: string) => text.trim().split('\n').sort();
    assert.deepEqual(lines(await copyOut('COPY people (name, id) TO STDOUT WITH CSV')),
      ['"a,b",2', '"say ""hi""",3', '"tab\there', "it's,5", 'new line",4', 'plain,1']);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-copy-to-'));
    const file = join(dir, 'out.csv');
    const r = await psql(server, [`\\copy (SELECT id, name FROM people WHERE id IN (1, 2) ORDER BY id) TO '${file}' CSV HEADER`, '\\copy people (id) TO STDOUT']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'id,name\n1,plain\n2,"a,b"\n');
    assert.deepEqual(lines(r.stdout.replace(/^COPY 2\n/, '')), ['1', '2', '3', '4', '5']);
  });

  test("a continuous query's result and a stream's retained rows (without _arrival)", async () => {
    await sql.query("CREATE STREAM clicks (url TEXT, ms INTEGER) WITH (retention = '1 hour')");
    await sql.query("CREATE CONTINUOUS QUERY per_url WITH (trigger_interval = '20ms') AS SELECT url, count(*) AS n FROM clicks GROUP BY url");
    await sql.query("INSERT INTO clicks VALUES ('/a', 10), ('/b', 20), ('/a', 30)");
    assert.deepEqual((await copyOut('COPY clicks TO STDOUT')).trim().split('\n').sort(), ['/a\t10', '/a\t30', '/b\t20']);
    await waitForValue(async () => (await sql.query('SELECT sum(n) AS n FROM per_url')).rows[0].n, (n) => Number(n) === 3, 'per_url caught up');
    const out = (await copyOut('COPY per_url TO STDOUT (FORMAT csv, HEADER)')).split('\n');
    assert.deepEqual([out[0], ...out.slice(1, -1).sort()], ['url,n', '/a,2', '/b,1']);
  });

  test('refusals carry their SQLSTATE', async () => {
    await sql.query('CREATE STREAM unkept (v TEXT)');
    await assert.rejects(sql.query('COPY unkept TO STDOUT'), { code: '0A000', message: 'stream "unkept" keeps no rows to SELECT from' });
    await assert.rejects(sql.query('COPY nowhere TO STDOUT'), { code: '42P01' });
    await assert.rejects(sql.query('COPY people (id, nope) TO STDOUT'), { code: '42703' });
    await assert.rejects(sql.query("COPY people TO '/tmp/people.csv'"), { code: '0A000' });
    await assert.rejects(sql.query("COPY people TO STDOUT (QUOTE '|')"), { code: '0A000', message: 'COPY quote available only in CSV mode' });
    await assert.rejects(sql.query("COPY people TO STDOUT (FORMAT csv, QUOTE ',')"), { code: '22023' });
  });
});

describe('a big result', () => {
  const ROWS = 100_000;

  before(async () => {
    await sql.query('CREATE TABLE big (id BIGINT PRIMARY KEY, body TEXT)');
    const body = 'b'.repeat(300);
    let data = '';
    for (let i = 0; i < ROWS; i++) data += `${i}\t${body}\n`;
    const r = await psql(server, ['COPY big FROM STDIN'], data);
    assert.equal(r.code, 0, r.stderr);
  });

  /** CPU time the server has used, in clock ticks: steady while it waits for a client to read. */
  function serverCpuTicks(): number {
    const fields = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  }

  test('goes out whole, one CopyData per row, to a client that reads', async () => {
    const s = await CopySubscriber.start(server, 'COPY big TO STDOUT');
    const seen = new Set<string>();
    for (let i = 0; i < ROWS; i++) seen.add((await s.line()).split('\t')[0]);
    assert.equal(seen.size, ROWS);
    const end = await s.client.readUntil('Z');
    assert.equal(end[1].body.toString('utf8'), `COPY ${ROWS}\0`);
    s.close();
  });

  test('stops going out while its client reads nothing; a CancelRequest ends it there with 57014', async () => {
    const s = await CopySubscriber.start(server, 'COPY big TO STDOUT');
    s.client.socket.pause();
    // 30 MB of lines against a few MB of socket buffers: a server that waits for the client goes idle.
    await waitForSteady(serverCpuTicks, 1000, 'the server idle, waiting for the client to read', 60_000);
    await s.cancel(server);
    s.client.socket.resume();
    let received = 0;
    let error: SubscribeError | null = null;
    while (error === null) {
      try {
        await s.line();
        received++;
      } catch (e) {
        error = e as SubscribeError;
      }
    }
    assert.equal(error.code, '57014');
    assert.ok(received > 0 && received < ROWS, `received ${received} of ${ROWS} rows before the cancel`);
    await s.client.readUntil('Z');
    s.client.send(serialize.query('SELECT 1'));
    const answer = await s.client.readUntil('Z');
    assert.equal(answer.map((m) => m.type).join(''), 'TDCZ', JSON.stringify(answer.filter((m) => m.type === 'E').map(errorFields)));
    s.close();
  });
});
