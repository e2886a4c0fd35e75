// NumberTupleMap (the aggregate's group lookup over numeric key columns) against a Map keyed by the tuple's text:
// random inserts, deletes and lookups, with the values grouping must treat alike (0 and -0, every NaN) or apart
// (fractions, numbers beyond int32), through growth and the rehashes that drop deleted entries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumberTupleMap } from '../../engine/state/number-tuple-map';
import { vecFromValues, type NumVec } from '../../engine/columns/vec';
import { T } from '../../engine/types';
import { seededRandom } from '../helpers/random';

const SPECIAL = [0, -0, NaN, 0.5, -1.25, 2 ** 31, -(2 ** 40) - 3, 1e300, Infinity, -Infinity];

/** The reference key: one text per key the map must tell apart. */
const text = (tuple: readonly number[]): string => tuple.map((x) => (Number.isNaN(x) ? 'NaN' : String(x + 0))).join(',');

for (const width of [1, 2, 3]) {
  test(`NumberTupleMap of width ${width} agrees with a Map keyed by text`, () => {
    const random = seededRandom(width * 7919);
    // Few enough distinct tuples that deletes and lookups often hit an entry.
    const range = [300, 20, 7][width - 1];
    const pick = (): number => (random() < 0.2 ? SPECIAL[Math.floor(random() * SPECIAL.length)] : Math.floor(random() * range));
    const map = new NumberTupleMap<number>(width);
    const reference = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const tuple = Array.from({ length: width }, pick);
      const op = random();
      if (op < 0.5) {
        map.set(tuple, step);
        reference.set(text(tuple), step);
      } else if (op < 0.8) {
        map.delete(tuple);
        reference.delete(text(tuple));
      } else {
        const cols = tuple.map((x) => vecFromValues([1, x], T.float8) as NumVec);
        assert.equal(map.getAt(cols, 1), reference.get(text(tuple)), `step ${step}: ${text(tuple)}`);
      }
      assert.equal(map.size, reference.size);
    }
    assert.ok(reference.size > 100, 'the map grew past its first capacity');
  });
}
