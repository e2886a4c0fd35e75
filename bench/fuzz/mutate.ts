// Damage to well-formed sessions: each frame is kept, changed or joined by junk with a small probability, so that
// most of a session still parses and the damage lands at every depth of the server's handling.

import { serialize } from 'pg-protocol';
import type { Prng } from '../nexmark/prng';
import { pick } from './sessions';

export type Mutation =
  | 'flip-bit' | 'type-byte' | 'length-small' | 'length-huge' | 'length-negative' | 'truncate' | 'extend'
  | 'duplicate' | 'drop' | 'junk-frame' | 'ssl-request' | 'cancel-request' | 'copy-data';

const MUTATIONS: readonly Mutation[] = [
  'flip-bit', 'type-byte', 'length-small', 'length-huge', 'length-negative', 'truncate', 'extend', 'duplicate',
  'drop', 'junk-frame', 'ssl-request', 'cancel-request', 'copy-data',
];

/** The frames after damage, and which mutations were applied (for the report). */
export function mutateSession(rng: Prng, frames: readonly Buffer[], rate: number, applied: Mutation[]): Buffer[] {
  const out: Buffer[] = [];
  for (const f of frames) {
    if (rng.nextDouble() >= rate) {
      out.push(f);
      continue;
    }
    const m = pick(rng, MUTATIONS);
    applied.push(m);
    out.push(...mutateFrame(rng, f, m));
  }
  return out;
}

function mutateFrame(rng: Prng, f: Buffer, m: Mutation): Buffer[] {
  // A startup packet has no type byte: its length is at 0, a typed frame's at 1.
  const lengthAt = f.length >= 8 && f[0] === 0 ? 0 : 1;
  const copy = Buffer.from(f);
  switch (m) {
    case 'flip-bit':
      copy[rng.nextInt(copy.length)] ^= 1 << rng.nextInt(8);
      return [copy];
    case 'type-byte':
      copy[0] = rng.nextInt(256);
      return [copy];
    case 'length-small':
      return [withLength(copy, lengthAt, rng.nextInt(4))];
    case 'length-huge':
      return [withLength(copy, lengthAt, 0x7fffff00 - rng.nextInt(1 << 20))];
    case 'length-negative':
      return [withLength(copy, lengthAt, -1 - rng.nextInt(1000))];
    case 'truncate':
      return [copy.subarray(0, rng.nextInt(copy.length))];
    case 'extend':
      return [Buffer.concat([copy, randomBytes(rng, 1 + rng.nextInt(64))])];
    case 'duplicate':
      return [copy, copy];
    case 'drop':
      return [];
    case 'junk-frame':
      return [copy, randomBytes(rng, 1 + rng.nextInt(32))];
    case 'ssl-request':
      return [serialize.requestSsl(), copy];
    case 'cancel-request':
      return [serialize.cancel(rng.nextUint32() | 0, rng.nextUint32() | 0), copy];
    case 'copy-data':
      return [serialize.copyData(randomBytes(rng, rng.nextInt(40))), copy];
  }
}

function withLength(f: Buffer, at: number, length: number): Buffer {
  if (f.length >= at + 4) f.writeInt32BE(length, at);
  return f;
}

function randomBytes(rng: Prng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.nextInt(256);
  return b;
}
