// Sealing a value built in sealable room frames it where it lies (no copy) and stores exactly the bytes a copying
// seal stores; the room is framed in place only once, and a damaged value is still refused.

import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageError } from '../../storage';
import { seal, sealable, unseal } from '../../storage/frame';

const key = Uint8Array.of(7, 1, 2, 3);
const header = Uint8Array.of(0);

function bodyIn(room: Uint8Array): Uint8Array {
  for (let i = 0; i < room.length; i++) room[i] = (i * 31 + 5) & 0xff;
  return room;
}

test('sealable room is framed in place, with the same bytes as a copying seal', () => {
  const room = bodyIn(sealable(1000));
  const plain = Uint8Array.from(room);
  const framed = seal(key, header, room);
  assert.equal(framed.buffer, room.buffer, 'the value is a view of the room, not a copy');
  assert.deepEqual(Buffer.from(framed), Buffer.from(seal(key, header, plain)));
  assert.deepEqual(Buffer.from(unseal(key, framed, 'test')), Buffer.concat([header, plain]));
});

test('room is framed in place once: sealing it again copies and leaves the first value intact', () => {
  const room = bodyIn(sealable(64));
  const first = seal(key, header, room);
  const firstBytes = Buffer.from(first);
  const otherKey = Uint8Array.of(9, 9);
  const second = seal(otherKey, Uint8Array.of(1, 2, 3), room);
  assert.notEqual(second.buffer, room.buffer);
  assert.deepEqual(Buffer.from(first), firstBytes);
  assert.deepEqual(Buffer.from(unseal(otherKey, second, 'test')), Buffer.concat([Uint8Array.of(1, 2, 3), room]));
});

test('a header longer than the room in front is copied, and ordinary arrays are never framed in place', () => {
  const room = bodyIn(sealable(16));
  const long = new Uint8Array(20).fill(4);
  const framed = seal(key, long, room);
  assert.notEqual(framed.buffer, room.buffer);
  assert.deepEqual(Buffer.from(unseal(key, framed, 'test')), Buffer.concat([long, room]));
  const ordinary = new Uint8Array(new ArrayBuffer(64), 8, 16);
  assert.notEqual(seal(key, header, ordinary).buffer, ordinary.buffer);
});

test('a damaged byte of a value framed in place is detected', () => {
  const framed = seal(key, header, bodyIn(sealable(256)));
  for (const at of [0, 1, 100, framed.length - 1]) {
    const damaged = Uint8Array.from(framed);
    damaged[at] ^= 0x10;
    assert.throws(() => unseal(key, damaged, 'test'), (e: unknown) => e instanceof StorageError && e.reason === 'corrupt');
  }
});
