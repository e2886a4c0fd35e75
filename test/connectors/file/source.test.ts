// connector = 'file' as a source, through a real server and real files in a temp directory: CSV (with a header) and
// JSON lines read into streams, lines appended later (a partial line waiting for its newline), a new file matching
// the glob picked up and one not matching ignored, bad lines in sluice.dead_letters with their bytes and reason,
// the state in sluice.sources, and the options refused with 22023 / 0A000.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServerAndClient } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';

/** The server's --file-connector-dir: every directory of these tests is in it. */
const ROOT = mkdtempSync(join(tmpdir(), 'sluice-files-'));

function freshDir(): string {
  return mkdtempSync(join(ROOT, 'dir-'));
}

describe('file source', () => {
  const fx = withServerAndClient({ args: ['--file-connector-dir', ROOT] });
  after(() => rmSync(ROOT, { recursive: true, force: true }));

  const count = async (stream: string): Promise<number> =>
    Number((await fx.pg.query(`SELECT count(*) AS n FROM ${stream}`)).rows[0].n);
  const countReaches = (stream: string, n: number): Promise<number> =>
    waitForValue(() => count(stream), (c) => c === n, `${n} rows in ${stream}`);

  test('CSV files with a header: appended lines, a partial line, a new file (CRLF), a file not matching', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'a.csv'), 'id,name\n1,one\n2,"two, quoted"\n');
    writeFileSync(join(dir, 'notes.txt'), 'id,name\n99,never\n');
    await fx.pg.query(`CREATE STREAM csv_in (id int NOT NULL, name text)
      WITH (connector = 'file', path = '${dir}/*.csv', format = 'csv', header = 'true', poll_interval = '100 milliseconds', retention = '1 day')`);
    await countReaches('csv_in', 2);

    appendFileSync(join(dir, 'a.csv'), '3,three\n4,fo');
    await countReaches('csv_in', 3);
    appendFileSync(join(dir, 'a.csv'), 'ur\n');
    // Windows line ends: the \r goes with the newline.
    writeFileSync(join(dir, 'b.csv'), 'id,name\r\n5,\r\n');
    await countReaches('csv_in', 5);

    const rows = (await fx.pg.query('SELECT id, name FROM csv_in ORDER BY id')).rows;
    assert.deepEqual(rows, [
      { id: 1, name: 'one' }, { id: 2, name: 'two, quoted' }, { id: 3, name: 'three' }, { id: 4, name: 'four' },
      { id: 5, name: null },
    ]);
    const source = (await fx.pg.query(`SELECT connector, target, state, position, lag, messages, dead_letters FROM sluice.sources WHERE name = 'csv_in'`)).rows;
    // Its position: each file read to its end, in bytes.
    const position = `a.csv:${statSync(join(dir, 'a.csv')).size},b.csv:${statSync(join(dir, 'b.csv')).size}`;
    assert.deepEqual(source, [{ connector: 'file', target: `${dir}/*.csv`, state: 'running', position, lag: '0', messages: '5', dead_letters: '0' }]);
  });

  test('JSON lines: bad lines go to sluice.dead_letters with their bytes and reason, the rest arrive', async () => {
    const dir = freshDir();
    const lines = [
      JSON.stringify({ id: 1, amount: 1.5 }),
      'not json{',
      JSON.stringify({ id: 'abc', amount: 2 }),
      '',
      JSON.stringify({ amount: 3 }),
      JSON.stringify({ id: 2, amount: null, extra: true }),
    ];
    writeFileSync(join(dir, 'events-1.jsonl'), `${lines.join('\n')}\n`);
    await fx.pg.query(`CREATE STREAM json_in (id int NOT NULL, amount float8)
      WITH (connector = 'file', path = '${dir}/events-?.jsonl', poll_interval = '100 milliseconds', retention = '1 day')`);
    await countReaches('json_in', 2);
    const dead = await waitForValue(
      async () => (await fx.pg.query(`SELECT "offset", raw, reason FROM sluice.dead_letters WHERE source = 'json_in' ORDER BY "offset"`)).rows,
      (r) => r.length === 3, 'three dead letters');
    const at = (i: number): string => `${dir}/events-1.jsonl:${lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0)}`;
    assert.deepEqual(dead, [
      { offset: at(1), raw: 'not json{', reason: 'parse' },
      { offset: at(2), raw: lines[2], reason: 'type' },
      { offset: at(4), raw: lines[4], reason: 'not_null' },
    ].sort((a, b) => (a.offset < b.offset ? -1 : 1)));
    const rows = (await fx.pg.query('SELECT id, amount FROM json_in ORDER BY id')).rows;
    assert.deepEqual(rows, [{ id: 1, amount: 1.5 }, { id: 2, amount: null }]);
    const source = (await fx.pg.query(`SELECT messages, dead_letters FROM sluice.sources WHERE name = 'json_in'`)).rows;
    assert.deepEqual(source, [{ messages: '5', dead_letters: '3' }]);
  });

  test('on_error = fail stops at the first bad line, keeping the lines before it', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'x.jsonl'), '{"id":1}\n{"id":"bad"}\n{"id":3}\n');
    await fx.pg.query(`CREATE STREAM strict_in (id int)
      WITH (connector = 'file', path = '${dir}/*.jsonl', on_error = 'fail', poll_interval = '100 milliseconds', retention = '1 day')`);
    const source = await waitForValue(
      async () => (await fx.pg.query(`SELECT state, last_error FROM sluice.sources WHERE name = 'strict_in'`)).rows[0],
      (r) => r?.state === 'failed', 'the source to fail');
    assert.match(source.last_error, /bad line at byte 9 of .*x\.jsonl \(type\)/);
    assert.equal(await count('strict_in'), 1);
  });

  test('a file replaced under the same name (rotated, rewritten) is read from its start', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'log.csv'), '1\n2\n3\n');
    await fx.pg.query(`CREATE STREAM rotated (id int)
      WITH (connector = 'file', path = '${dir}/log.csv', format = 'csv', poll_interval = '100 milliseconds', retention = '1 day')`);
    await countReaches('rotated', 3);
    // Rotated: the old file moved away (it no longer matches), a new one in its place.
    renameSync(join(dir, 'log.csv'), join(dir, 'log.csv.1'));
    writeFileSync(join(dir, 'log.csv'), '4\n5\n');
    await countReaches('rotated', 5);
    // Rewritten in place, shorter than what was read of it.
    writeFileSync(join(dir, 'log.csv'), '6\n');
    await countReaches('rotated', 6);
    // Appended to: only the new line.
    appendFileSync(join(dir, 'log.csv'), '7\n');
    await countReaches('rotated', 7);
    const ids = (await fx.pg.query('SELECT id FROM rotated ORDER BY id')).rows.map((r) => r.id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7]);
  });

  test('a stream with WATERMARK FOR: a tumbling window over the files closes as their event time moves on', async () => {
    const dir = freshDir();
    await fx.pg.query(`CREATE STREAM clicks (page text, ts timestamptz, WATERMARK FOR ts AS ts - INTERVAL '1 second')
      WITH (connector = 'file', path = '${dir}/*.jsonl', poll_interval = '100 milliseconds', retention = '1 day')`);
    await fx.pg.query(`CREATE CONTINUOUS QUERY clicks_per_minute WITH (trigger_interval = '50 milliseconds') AS
      SELECT window_start, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE`);
    const click = (second: number): string => `${JSON.stringify({ page: 'p', ts: new Date(Date.UTC(2026, 0, 1, 10, 0, second)).toISOString() })}\n`;
    writeFileSync(join(dir, 'a.jsonl'), click(1) + click(2) + click(30));
    writeFileSync(join(dir, 'b.jsonl'), click(65));
    const rows = await waitForValue(async () => (await fx.pg.query('SELECT n FROM clicks_per_minute')).rows,
      (r) => r.length === 1, 'the first minute closed');
    assert.deepEqual(rows, [{ n: '3' }]);
  });

  test('wrong options are refused before anything is created', async () => {
    const refused = async (sql: string, code: string, message: RegExp): Promise<void> => {
      await assert.rejects(fx.pg.query(sql), (e: { code: string; message: string }) => {
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
        return true;
      });
    };
    await refused(`CREATE STREAM bad0 (id int) WITH (connector = 'file', path = '/etc/*.conf')`, '42501', /path "\/etc\/\*\.conf" is outside the file connector directory/);
    await refused(`CREATE STREAM bad01 (id int) WITH (connector = 'file', path = '${ROOT}/../*.csv')`, '42501', /outside the file connector directory/);
    await refused(`CREATE STREAM bad1 (id int) WITH (connector = 'file')`, '22023', /option "path" is required/);
    await refused(`CREATE STREAM bad2 (id int) WITH (connector = 'file', path = '${ROOT}/x', format = 'avro')`, '22023', /invalid value for option "format"/);
    await refused(`CREATE STREAM bad3 (id int) WITH (connector = 'file', path = '${ROOT}/*.x', format = 'json', header = 'true')`, '22023', /header needs format = 'csv'/);
    await refused(`CREATE STREAM bad4 (id int) WITH (connector = 'file', path = '${ROOT}/*/x.csv')`, '22023', /wildcards only in its file name/);
    await refused(`CREATE STREAM bad5 (id int) WITH (connector = 'file', path = 'relative/*.csv')`, '22023', /absolute path/);
    await refused(`CREATE STREAM bad5b (id int) WITH (connector = 'file', path = '${ROOT}/x', poll_interval = '1 hour')`, '22023', /invalid value for option poll_interval/);
    await refused(`CREATE STREAM bad6 (id int) WITH (connector = 'file', path = '${ROOT}/x', topic = 't')`, '22023', /unrecognized stream option "topic"/);
    await refused(`CREATE SINK bad7 FROM csv_in WITH (connector = 'file', path = '${ROOT}/out', roll_bytes = 'lots')`, '22023', /invalid value for option roll_bytes/);
    await refused(`CREATE TABLE bad8 (id int PRIMARY KEY) WITH (connector = 'file', path = '${ROOT}/x')`, '22023', /invalid value for option "connector"/);
    const left = (await fx.pg.query(`SELECT count(*) AS n FROM sluice.sources WHERE name LIKE 'bad%'`)).rows[0].n;
    assert.equal(left, '0');
  });
});
