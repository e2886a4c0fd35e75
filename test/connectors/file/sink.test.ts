// connector = 'file' as a sink, through a real server into a temp directory: a stream's rows as CSV, JSON lines and
// Arrow IPC files (read back with apache-arrow), rolled by size into several files whose names carry their log
// ranges, rolled by time, no .tmp left as a complete file, and a query's changes with _diff = -1 for rows removed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServerAndClient } from '../../helpers/server';
import { waitForValue } from '../../helpers/wait';
import { type SinkRow, arrowRows, completeFiles, csvRows, jsonRows, temporaryFiles } from './sink-files';

/** The server's --file-connector-dir: every directory of these tests is in it. */
const ROOT = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));

function freshDir(): string {
  return mkdtempSync(join(ROOT, 'dir-'));
}

const ids = (rows: readonly SinkRow[]): number[] => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('file sink', () => {
  const fx = withServerAndClient({ args: ['--file-connector-dir', ROOT] });
  after(() => rmSync(ROOT, { recursive: true, force: true }));

  /** 200 rows, one INSERT (so one log entry) each. */
  async function insertRows(stream: string): Promise<void> {
    for (const id of range(200)) await fx.pg.query(`INSERT INTO ${stream} VALUES ($1, $2)`, [id, `name, "${id}"`]);
  }

  for (const [format, ext, read] of [['csv', 'csv', csvRows], ['json', 'jsonl', jsonRows], ['arrow', 'arrow', arrowRows]] as const) {
    test(`${format}: a stream's rows rolled by size, every row once, each file complete`, async () => {
      const dir = freshDir();
      await fx.pg.query(`CREATE STREAM ${format}_rows (id int, name text)`);
      await fx.pg.query(`CREATE SINK ${format}_out FROM ${format}_rows
        WITH (connector = 'file', path = '${dir}', format = '${format}', roll_bytes = '2000', roll_seconds = '1')`);
      await insertRows(`${format}_rows`);
      const rows = await waitForValue(() => completeFiles(dir, ext).flatMap((f) => read(f)),
        (r) => r.length >= 200, `200 rows in ${format} files`);
      assert.deepEqual(ids(rows), range(200));
      for (const r of rows) {
        assert.equal(r.name, `name, "${r.id}"`);
        assert.equal(Number(r._diff), 1);
      }
      const files = completeFiles(dir, ext);
      assert.ok(files.length >= 3, `rolled by size into several files, got ${files.length}`);
      // Names carry the log ranges, which follow one another.
      let next = 1;
      for (const f of files) {
        const m = /-(\d{20})-(\d{20})\.\w+$/.exec(f);
        assert.ok(m, f);
        assert.equal(Number(m[1]), next, `${f} starts where the previous file ended`);
        next = Number(m[2]) + 1;
      }
      assert.deepEqual(temporaryFiles(dir), []);
    });
  }

  test('values of every kind of column, in each format', async () => {
    await fx.pg.query('CREATE STREAM typed (n numeric, t timestamptz, b bool, j jsonb, big int8, f float8, s text)');
    const dirs = { csv: freshDir(), json: freshDir(), arrow: freshDir() };
    for (const [format, dir] of Object.entries(dirs)) {
      await fx.pg.query(`CREATE SINK typed_${format} FROM typed WITH (connector = 'file', path = '${dir}', format = '${format}', roll_seconds = '1')`);
    }
    await fx.pg.query(`INSERT INTO typed VALUES
      (12345678901234567890.123, '2026-01-01 10:00:00.5+00', true, '{"a": [1, 2]}', 9007199254740993, 1.5, 'x'),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const [csv, json, arrow] = await Promise.all([
      waitForValue(() => completeFiles(dirs.csv, 'csv').flatMap(csvRows), (r) => r.length === 2, 'the csv file'),
      waitForValue(() => completeFiles(dirs.json, 'jsonl').flatMap(jsonRows), (r) => r.length === 2, 'the json file'),
      waitForValue(() => completeFiles(dirs.arrow, 'arrow').flatMap(arrowRows), (r) => r.length === 2, 'the arrow file'),
    ]);
    assert.deepEqual(csv, [
      { n: '12345678901234567890.123', t: '2026-01-01 10:00:00.5+00', b: 't', j: '{"a": [1, 2]}', big: '9007199254740993', f: '1.5', s: 'x', _diff: '1' },
      { n: null, t: null, b: null, j: null, big: null, f: null, s: null, _diff: '1' },
    ]);
    assert.equal(json[0].t, '2026-01-01T10:00:00.5+00:00');
    assert.deepEqual(json[0].j, { a: [1, 2] });
    assert.equal(json[0].big, '9007199254740993');
    assert.deepEqual(json[1], { n: null, t: null, b: null, j: null, big: null, f: null, s: null, _diff: 1 });
    assert.equal(arrow[0].big, 9007199254740993n);
    assert.equal(arrow[0].b, true);
    assert.equal(arrow[0].f, 1.5);
    assert.equal(arrow[0].s, 'x');
    assert.equal(arrow[0]._diff, 1);
    assert.deepEqual(Object.values(arrow[1]).slice(0, 7), [null, null, null, null, null, null, null]);
  });

  test('rolled by time: a file that never reaches roll_bytes is written once roll_seconds have passed', async () => {
    const dir = freshDir();
    await fx.pg.query('CREATE STREAM slow_rows (id int, name text)');
    await fx.pg.query(`CREATE SINK slow_out FROM slow_rows
      WITH (connector = 'file', path = '${dir}', format = 'json', roll_seconds = '1')`);
    await fx.pg.query(`INSERT INTO slow_rows VALUES (1, 'a'), (2, 'b')`);
    const files = await waitForValue(() => completeFiles(dir, 'jsonl'), (f) => f.length === 1, 'one file');
    assert.deepEqual(jsonRows(files[0]), [{ id: 1, name: 'a', _diff: 1 }, { id: 2, name: 'b', _diff: 1 }]);
  });

  test("a query's changes: an update is the old row with _diff -1 and the new one with 1", async () => {
    const dir = freshDir();
    await fx.pg.query('CREATE STREAM sales (shop text, amount int)');
    await fx.pg.query(`CREATE CONTINUOUS QUERY shop_totals WITH (trigger_interval = '50 milliseconds') AS
      SELECT shop, sum(amount) AS total FROM sales GROUP BY shop`);
    await fx.pg.query(`CREATE SINK shop_totals_out FROM shop_totals
      WITH (connector = 'file', path = '${dir}', format = 'json', roll_bytes = '1')`);
    await fx.pg.query(`INSERT INTO sales VALUES ('a', 5)`);
    await waitForValue(() => completeFiles(dir, 'jsonl').length, (n) => n >= 1, 'the first file');
    await fx.pg.query(`INSERT INTO sales VALUES ('a', 7)`);
    const rows = await waitForValue(() => completeFiles(dir, 'jsonl').flatMap(jsonRows), (r) => r.length === 3, 'three changes');
    assert.deepEqual(rows[0], { shop: 'a', total: 5, _diff: 1 });
    // The update's two changes come in one entry, in no promised order.
    assert.deepEqual(rows.slice(1).sort((x, y) => Number(x._diff) - Number(y._diff)),
      [{ shop: 'a', total: 5, _diff: -1 }, { shop: 'a', total: 12, _diff: 1 }]);
    const sink = (await fx.pg.query(`SELECT connector, target, state, position FROM sluice.sources WHERE name = 'shop_totals_out'`)).rows;
    assert.deepEqual(sink.map((s) => ({ ...s, position: /^[1-9][0-9]*$/.test(s.position) })),
      [{ connector: 'file', target: dir, state: 'running', position: true }], `position ${sink[0]?.position}`);
  });
});
