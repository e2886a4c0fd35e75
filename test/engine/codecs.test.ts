import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeChangeBatch, encodeChangeBatch } from '../../engine/codecs/change-batch';
import { decodeTuple, encodeTuple } from '../../engine/codecs/tuple';
import type { Value } from '../../engine/types';
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
