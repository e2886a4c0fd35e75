// Every stored value ends with a CRC-32 of its key and its payload. LevelDB checks the checksums of its write-ahead
// log, but by default not those of table blocks on read, and a damaged key could move a value under another key;
// this trailer turns both into a loud error instead of garbage results. zlib's crc32 runs at several GB/s.

import { crc32 } from 'node:zlib';
import { StorageError } from './errors';

const TRAILER = 4;

/** The payload is the parts one after another: a small header goes in front of a big body without copying it twice. */
export function seal(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
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
