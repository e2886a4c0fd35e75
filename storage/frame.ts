// Every stored value ends with a CRC-32 of its key and its payload. LevelDB checks the checksums of its write-ahead
// log, but by default not those of table blocks on read, and a damaged key could move a value under another key;
// this trailer turns both into a loud error instead of garbage results. zlib's crc32 runs at several GB/s.
//
// Log entries are the bulk of what is written (every row ingested, every epoch's result), and sealing one used to
// copy it whole just to put a header byte in front and the checksum behind. So a writer that knows an entry's size
// asks for `sealable` room, encodes into it, and seal() frames it where it lies: the header parts go into the spare
// bytes in front, the checksum into those behind, and the value is a view of the same memory. Only room made here
// is framed in place, and only once (a second seal copies), so no other bytes are ever written over. The bytes
// stored are the same either way.

import { crc32 } from 'node:zlib';
import { StorageError } from './errors';

const TRAILER = 4;

/** Spare bytes in front of sealable room, for the header parts (a log value's is one byte: log-values.ts). */
const FRONT_ROOM = 8;

/** Sealable room not yet sealed. */
const unsealedRoom = new WeakSet<Uint8Array>();

/** `length` zeroed bytes to write a value's body into, which seal() then frames without copying. */
export function sealable(length: number): Uint8Array {
  const room = new Uint8Array(new ArrayBuffer(FRONT_ROOM + length + TRAILER), FRONT_ROOM, length);
  unsealedRoom.add(room);
  return room;
}

/** The payload is the parts one after another: a small header goes in front of a big body without copying it twice. */
export function seal(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
  const body = parts[parts.length - 1];
  if (body !== undefined && unsealedRoom.has(body)) {
    const framed = sealInPlace(key, parts, body);
    if (framed !== null) return framed;
  }
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length + TRAILER);
  let crc = crc32(key);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    crc = crc32(p, crc);
  }
  new DataView(out.buffer).setUint32(length, crc, true);
  return out;
}

/** The header parts copied into the room in front of `body`, the checksum behind it; null when they do not fit. */
function sealInPlace(key: Uint8Array, parts: readonly Uint8Array[], body: Uint8Array): Uint8Array | null {
  let headerLength = 0;
  for (let k = 0; k < parts.length - 1; k++) headerLength += parts[k].length;
  if (headerLength > FRONT_ROOM) return null;
  unsealedRoom.delete(body);
  const start = FRONT_ROOM - headerLength;
  const out = new Uint8Array(body.buffer, start, headerLength + body.length + TRAILER);
  let at = 0;
  for (let k = 0; k < parts.length - 1; k++) {
    out.set(parts[k], at);
    at += parts[k].length;
  }
  const payloadLength = out.length - TRAILER;
  const crc = crc32(out.subarray(0, payloadLength), crc32(key));
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(payloadLength, crc, true);
  return out;
}

/** The payload of a sealed value; throws a 'corrupt' StorageError when the checksum does not match. */
export function unseal(key: Uint8Array, value: Uint8Array, where: string): Uint8Array {
  if (value.length < TRAILER) throw corrupt(key, where, `value of ${value.length} bytes is too short`);
  const payload = value.subarray(0, value.length - TRAILER);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(payload.length, true);
  const actual = crc32(payload, crc32(key));
  if (stored !== actual) throw corrupt(key, where, 'checksum mismatch');
  return payload;
}

function corrupt(key: Uint8Array, where: string, what: string): StorageError {
  const hex = Buffer.from(key.subarray(0, 24)).toString('hex');
  return new StorageError('corrupt', `data directory ${where} is corrupted: key ${hex}: ${what}`, undefined,
    'Restore the data directory from a backup; Sluice will not serve results computed from damaged state.');
}
