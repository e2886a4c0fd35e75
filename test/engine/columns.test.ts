import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnData, concatBatches, int32View, readI64, rowsFromBatch, takeBatch, vecFromData } from '../../engine/columns';
import { batchFromRows } from '../../engine/columns/rows';
import { arrowSchemaOf } from '../../engine/columns/arrow';
import { RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { T, type Schema, type Value } from '../../engine/types';

const schema: Schema = [
  { name: 'b', type: T.bool, nullable: true },
  { name: 'i2', type: T.int2, nullable: true },
  { name: 'i4', type: T.int4, nullable: true },
  { name: 'i8', type: T.int8, nullable: true },
  { name: 'f4', type: T.float4, nullable: true },
  { name: 'f8', type: T.float8, nullable: true },
  { name: 'n', type: T.numeric, nullable: true },
  { name: 's', type: T.text, nullable: true },
  { name: 'v', type: { name: 'varchar', length: 3 }, nullable: true },
  { name: 'ts', type: T.timestamp, nullable: true },
  { name: 'tz', type: T.timestamptz, nullable: true },
  { name: 'd', type: T.date, nullable: true },
  { name: 'iv', type: T.interval, nullable: true },
  { name: 'j', type: T.jsonb, nullable: true },
];

const rows: Value[][] = [
  [true, 1, 2, 9223372036854775807n, 1.5, 2.25, '3.5', 'héllo', 'abc', 1767261603000000n, -1n, 20000,
    { months: 1, days: 2, micros: 3_000_001 }, '{"a": 1}'],
  [null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  [false, -3, -4, -9007199254740993n, -0.5, 1e300, '0', '', 'x', 0n, 1767261603123456n, -1,
    { months: -1, days: 0, micros: -10_000_000 }, '[]'],
];

test('rows survive batch → rows for every type, int64 bits exactly', () => {
  const batch = batchFromRows(schema, rows);
  assert.equal(batch.numRows, 3);
  assert.deepEqual(rowsFromBatch(batch, schema), rows);
});

test('take and concat move raw values, NULLs included', () => {
  const batch = batchFromRows(schema, rows);
  const taken = takeBatch(schema, batch, [2, 0, 1, 0]);
  assert.deepEqual(rowsFromBatch(taken, schema), [rows[2], rows[0], rows[1], rows[0]]);
  const both = concatBatches(schema, [batch, taken]);
  assert.deepEqual(rowsFromBatch(both, schema), [...rows, rows[2], rows[0], rows[1], rows[0]]);
  const sliced = batch.slice(1, 3);
  assert.deepEqual(rowsFromBatch(takeBatch(schema, sliced, [1, 0]), schema), [rows[2], rows[1]]);
});

test('concat of slices at any offset keeps every value and NULL, past bitmap byte boundaries', () => {
  // 37 rows: row i is rows[i % 3] with its values varied, so a shifted copy shows.
  const many: Value[][] = [];
  for (let i = 0; i < 37; i++) {
    const r = [...rows[i % 3]];
    if (r[3] !== null) r[3] = BigInt(i) * 1000000007n;
    if (r[7] !== null) r[7] = `${r[7]}${i}`;
    many.push(r);
  }
  const batch = batchFromRows(schema, many);
  const allSet = batchFromRows(schema, many.filter((r) => r[0] !== null));
  const cuts: [number, number][] = [[3, 14], [0, 1], [14, 37], [5, 5], [9, 30]];
  const parts = [...cuts.map(([a, b]) => batch.slice(a, b)), allSet.slice(2, 19), allSet];
  const expected = [...cuts.flatMap(([a, b]) => many.slice(a, b)), ...many.filter((r) => r[0] !== null).slice(2, 19),
    ...many.filter((r) => r[0] !== null)];
  const joined = concatBatches(schema, parts);
  assert.equal(joined.numRows, expected.length);
  assert.deepEqual(rowsFromBatch(joined, schema), expected);
});

test('Vec reads decode strings and widen numbers; int64 reads through an Int32 view', () => {
  const batch = batchFromRows(schema, rows);
  const s = vecFromData(columnData(batch, 7), T.text);
  assert.deepEqual(s.kind === "str" && s.values, ['héllo', '', '']);
  assert.deepEqual([...(s.nulls ?? [])], [0, 1, 0]);
  const tz = vecFromData(columnData(batch, 10), T.timestamptz);
  assert.equal(tz.kind === 'num' && tz.values[2], 1767261603123456);
  const view = int32View(columnData(batch, 10).values as BigInt64Array);
  assert.equal(readI64(view, 0), -1);
  const b = vecFromData(columnData(batch.slice(2, 3), 0), T.bool);
  assert.deepEqual(b.kind === "bool" && [...b.values], [0]);
});

test('a batch built from columns keeps its cached Arrow schema and is the batch Arrow would build', () => {
  const built = batchFromRows(schema, rows);
  const arrowSchema = arrowSchemaOf(schema);
  assert.equal(built.schema, arrowSchema, 'the schema object itself, so caches keyed by it hit');
  assert.equal(batchFromRows(schema, rows.slice(1)).schema, arrowSchema);
  const byArrow = new RecordBatch(arrowSchema, built.data);
  assert.ok(built instanceof RecordBatch);
  assert.deepEqual(built.metadata, byArrow.metadata);
  assert.deepEqual(tableToIPC(new Table([built])), tableToIPC(new Table([byArrow])), 'the same IPC bytes');
  assert.deepEqual(rowsFromBatch(built, schema), rows);
});
