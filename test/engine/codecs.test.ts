import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Dictionary, Field as ArrowField, Int32, RecordBatch, Schema as ArrowSchema, Struct, Table, Utf8, makeData, tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import type { ChangeBatch } from '../../engine/batch';
import { decodeChangeBatch, encodeChangeBatch } from '../../engine/codecs/change-batch';
import { decodeTuple, encodeTuple } from '../../engine/codecs/tuple';
import { batchFromRows, rowsFromBatch } from '../../engine/columns/rows';
import { T, type Field, type Schema, type Value } from '../../engine/types';
import { ks, rowsBatch, tsMicros } from '../storage/helpers/batches';

test('change batch without weights round-trips rows and types', () => {
  const b = rowsBatch([1n, 2n, -3n], ['a', null, 'ünï']);
  const back = decodeChangeBatch(encodeChangeBatch(b));
  assert.equal(back.diffs, null);
  assert.deepEqual(ks(back), [1n, 2n, -3n]);
  assert.deepEqual([0, 1, 2].map((i) => back.data.getChild('s')!.get(i)), ['a', null, 'ünï']);
  assert.equal(tsMicros(back, 2), 1_700_000_000_000_000n - 3n);
  assert.equal(String(back.data.schema.fields[2].type), String(b.data.schema.fields[2].type));
});

test('change batch weights round-trip, including an odd row count (padding)', () => {
  const b = rowsBatch([5n, 6n, 7n], undefined, [1, -1, 1]);
  const bytes = encodeChangeBatch(b);
  // Decode from a misaligned copy, as LevelDB may hand back any byte offset.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const back = decodeChangeBatch(shifted.subarray(3));
  assert.deepEqual([...back.diffs!], [1, -1, 1]);
  assert.deepEqual(ks(back), [5n, 6n, 7n]);
});

test('an empty change batch round-trips', () => {
  const back = decodeChangeBatch(encodeChangeBatch(rowsBatch([])));
  assert.equal(back.data.numRows, 0);
  assert.equal(back.data.schema.fields.length, 3);
});

test('a damaged change batch fails with a corruption error, not garbage', () => {
  const bytes = encodeChangeBatch(rowsBatch([1n, 2n]));
  assert.throws(() => decodeChangeBatch(bytes.subarray(0, bytes.length - 40)), { name: 'StorageError' });
  const wrongHeader = Uint8Array.from(bytes);
  wrongHeader[0] = 9;
  assert.throws(() => decodeChangeBatch(wrongHeader), /unknown change batch header/);
});

// One column of every SQL type, each with a value and a NULL to carry.
const EVERY_TYPE: readonly { readonly field: Field; readonly value: Value }[] = [
  { field: { name: 'b', type: T.bool, nullable: true }, value: true },
  { field: { name: 'i2', type: T.int2, nullable: true }, value: -7 },
  { field: { name: 'i4', type: T.int4, nullable: true }, value: 123456 },
  { field: { name: 'i8', type: T.int8, nullable: true }, value: -(1n << 62n) },
  { field: { name: 'f4', type: T.float4, nullable: true }, value: 0.5 },
  { field: { name: 'f8', type: T.float8, nullable: true }, value: 1e300 },
  { field: { name: 'n', type: T.numeric, nullable: true }, value: '37.25' },
  { field: { name: 't', type: T.text, nullable: true }, value: 'żółw' },
  { field: { name: 'v', type: { name: 'varchar', length: 12 }, nullable: true }, value: 'short' },
  { field: { name: 'ts', type: T.timestamp, nullable: true }, value: 1_700_000_000_000_001n },
  { field: { name: 'tz', type: T.timestamptz, nullable: false }, value: -5n },
  { field: { name: 'd', type: T.date, nullable: true }, value: 19_000 },
  { field: { name: 'iv', type: T.interval, nullable: true }, value: { months: 1, days: -2, micros: 3 } },
  { field: { name: 'j', type: T.jsonb, nullable: true }, value: '{"a": [1, 2]}' },
  { field: { name: 'u', type: T.unknown, nullable: true }, value: null },
];

/** Rows of a schema: row i holds each column's value, or NULL on every third row where the column is nullable. */
function sampleRows(cols: typeof EVERY_TYPE, n: number): Value[][] {
  return Array.from({ length: n }, (_, i) => cols.map((c) => (c.field.nullable && i % 3 === 1 ? null : c.value)));
}

/** What encodeChangeBatch wrote before it cached schema messages: Arrow's own writer after the header and weights. */
function viaTableToIPC(b: ChangeBatch): Uint8Array {
  const ipc = tableToIPC(new Table([b.data]), 'stream');
  const diffBytes = b.diffs === null ? 0 : (b.diffs.length * 4 + 7) & ~7;
  const out = new Uint8Array(8 + diffBytes + ipc.length);
  out[0] = 1;
  out[1] = b.diffs === null ? 0 : 1;
  new DataView(out.buffer).setUint32(4, b.data.numRows, true);
  if (b.diffs !== null) out.set(new Uint8Array(b.diffs.buffer, b.diffs.byteOffset, b.diffs.byteLength), 8);
  out.set(ipc, 8 + diffBytes);
  return out;
}

test('change batches encode byte for byte as Arrow\'s own IPC writer does, for every type, NULLs, weights and 0 rows', () => {
  // Every single-column schema, then wider ones, each at several sizes: the schema cache is hit from the second size
  // on, and the same column with the other nullability, or in another order, must not reuse another schema's bytes.
  const schemas = [
    ...EVERY_TYPE.map((c) => [c]),
    ...EVERY_TYPE.map((c) => [{ ...c, field: { ...c.field, nullable: !c.field.nullable } }]),
    EVERY_TYPE,
    [...EVERY_TYPE].reverse(),
  ];
  let checked = 0;
  for (const cols of schemas) {
    const schema: Schema = cols.map((c) => c.field);
    for (const n of [0, 1, 3, 10, 1000]) {
      const rows = sampleRows(cols, n);
      const data = batchFromRows(schema, rows);
      for (const diffs of [null, Int32Array.from(rows, (_, i) => (i % 2 === 0 ? 1 : -1))]) {
        const b: ChangeBatch = { data, diffs };
        const bytes = encodeChangeBatch(b);
        assert.deepEqual(Buffer.from(bytes), Buffer.from(viaTableToIPC(b)), `${cols.map((c) => c.field.name)} × ${n}`);
        const back = decodeChangeBatch(bytes);
        assert.deepEqual(rowsFromBatch(back.data, schema), rows);
        assert.deepEqual(back.diffs === null ? null : [...back.diffs], diffs === null ? null : [...diffs]);
        checked++;
      }
    }
  }
  assert.equal(checked, (EVERY_TYPE.length * 2 + 2) * 5 * 2);
});

test('a change batch keeps Arrow\'s bytes for schema, field and batch metadata, and for dictionary columns', () => {
  const k = vectorFromArray([1, 2, 3], new Int32()).data[0];
  const withMetadata = (note: string, origin: string): RecordBatch => {
    const schema = new ArrowSchema([new ArrowField('k', new Int32(), true, new Map([['note', note]]))],
      new Map([['origin', origin]]));
    const data = makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children: [k] });
    return new RecordBatch(schema, data, new Map([['batch', `${note}/${origin}`]]));
  };
  // Schemas differing only in metadata follow one another: each must get its own schema message.
  const batches = [withMetadata('a', 'x'), withMetadata('b', 'x'), withMetadata('a', 'y'), withMetadata('a', 'x'),
    new Table({ d: vectorFromArray(['x', 'y', 'x'], new Dictionary(new Utf8(), new Int32())) }).batches[0]];
  for (const data of batches) {
    const b: ChangeBatch = { data, diffs: null };
    assert.deepEqual(Buffer.from(encodeChangeBatch(b)), Buffer.from(viaTableToIPC(b)));
  }
});

test('tuples round-trip every kind of value', () => {
  const values: Value[] = [null, true, false, 0, -1.5, 1e300, 42n, -(1n << 63n), (1n << 63n) - 1n, '', 'a\u0000b', 'żółw',
    { months: -2, days: 3, micros: 4.5 }];
  assert.deepEqual(decodeTuple(encodeTuple(values)), values);
});

test('tuple byte order is value order', () => {
  const cmp = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const sortedBy = <V extends Value>(vals: V[]): V[] =>
    vals.map((v) => [v, encodeTuple([v])] as const).sort((x, y) => cmp(x[1], y[1])).map((x) => x[0]);
  assert.deepEqual(sortedBy([3, -0.5, 2, -10, 1e-9, -Infinity, Infinity]), [-Infinity, -10, -0.5, 1e-9, 2, 3, Infinity]);
  assert.deepEqual(sortedBy([5n, -7n, 0n, -(1n << 62n), 1n << 62n]), [-(1n << 62n), -7n, 0n, 5n, 1n << 62n]);
  assert.deepEqual(sortedBy(['b', 'a', 'ab', '', 'a\u0000', 'é']), ['', 'a', 'a\u0000', 'ab', 'b', 'é']);
  // Tuples: the first value decides, then the second.
  const a = encodeTuple(['a', 2n]);
  const b = encodeTuple(['a', 10n]);
  const c = encodeTuple(['ab', 1n]);
  assert.ok(cmp(a, b) < 0 && cmp(b, c) < 0);
  assert.deepEqual(encodeTuple([-0]), encodeTuple([0]));
  assert.ok(cmp(encodeTuple([null]), encodeTuple([false])) < 0);
});

test('tuples decode from a Buffer inside a larger pool (as LevelDB returns them) without changing it', () => {
  const row: Value[] = ['d', 7n, 37.57142857142857, -1.5, null, true];
  const bytes = encodeTuple(row);
  const pool = Buffer.alloc(bytes.length + 13, 0xab);
  pool.set(bytes, 5);
  const view = pool.subarray(5, 5 + bytes.length);
  const before = Buffer.from(view);
  assert.deepEqual(decodeTuple(view), row);
  assert.deepEqual(Buffer.from(view), before, 'decoding changed the bytes it read');
  assert.deepEqual(decodeTuple(view), row);
});
