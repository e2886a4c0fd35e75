// The epoch gate (engine/runtime/epoch-gate.ts) lets a bounded number of epochs compute at once, the rest in the
// order they came, and a place given up twice is still given up once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EpochGate } from '../../engine/runtime/epoch-gate';

/** Lets every settled promise's continuations run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('at most `capacity` callers are inside at once; the others enter in order as places are given up', async () => {
  const gate = new EpochGate(2);
  const entered: number[] = [];
  const leaves = new Map<number, () => void>();
  for (let i = 0; i < 5; i++) void gate.enter().then((leave) => { entered.push(i); leaves.set(i, leave); });
  await settle();
  assert.deepEqual(entered, [0, 1]);

  leaves.get(1)!();
  leaves.get(1)!(); // a second leave gives nothing more up
  await settle();
  assert.deepEqual(entered, [0, 1, 2], 'one place given up: one more caller in, the first that waited');

  leaves.get(0)!();
  leaves.get(2)!();
  await settle();
  assert.deepEqual(entered, [0, 1, 2, 3, 4]);

  leaves.get(3)!();
  leaves.get(4)!();
  const again: number[] = [];
  for (let i = 0; i < 3; i++) void gate.enter().then(() => again.push(i));
  await settle();
  assert.deepEqual(again, [0, 1], 'with everyone gone, the gate holds `capacity` again');
});
