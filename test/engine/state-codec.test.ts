// The state codec's tagged values: every kind of Value round-trips exactly, a bigint in int64 range as its 8 bytes
// and one beyond it (numeric arithmetic can make one) as text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from '../../engine/state/codec';
import type { Value } from '../../engine/types';

test('values round-trip through ByteWriter.value and ByteReader.value', () => {
  const values: Value[] = [
    null, true, false, 0, -0.5, NaN, Infinity, 'text', '', { months: -1, days: 2, micros: 3.5 },
    0n, -1n, 9007199254740993n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 10n ** 30n,
  ];
  const w = new ByteWriter();
  for (const v of values) w.value(v);
  const r = new ByteReader(w.finish());
  const back = values.map(() => r.value());
  assert.deepEqual(back, values);
  assert.ok(r.done, 'nothing left over');
  assert.equal(new ByteWriter().value(2n ** 62n).length, 9, 'an int64 bigint is a tag and 8 bytes');
});
