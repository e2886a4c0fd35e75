// The complete lines of a file after a byte offset, a bounded chunk at a time. A last line without its newline is
// left for a later read (the writer may be in the middle of it). A line longer than a record may be is returned as
// too long, with its first bytes, once its newline has come; the bytes of it read while looking are not kept.

import type { FileHandle } from 'node:fs/promises';
import { MAX_RECORD_BYTES } from '../kafka/decode';

/** At most this many bytes are read from a file at a time. */
const CHUNK_BYTES = 4 << 20;

export interface FileLine {
  /** The byte offset of the line's first byte. */
  readonly offset: number;
  /** Without its newline (nor a carriage return before it); the first bytes only when `tooLong`. */
  readonly bytes: Buffer;
  readonly tooLong: boolean;
  /** The line's length in bytes without its newline. */
  readonly length: number;
}

export interface ReadLines {
  readonly lines: FileLine[];
  /** The offset past the last complete line (the given offset when there is none yet). */
  readonly end: number;
}

export async function readLines(file: FileHandle, from: number, size: number): Promise<ReadLines> {
  const want = Math.min(size - from, CHUNK_BYTES);
  if (want <= 0) return { lines: [], end: from };
  const buf = Buffer.alloc(want);
  const { bytesRead } = await file.read(buf, 0, want, from);
  const chunk = buf.subarray(0, bytesRead);
  const lines: FileLine[] = [];
  let start = 0;
  for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
    const end = nl > start && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
    lines.push({ offset: from + start, bytes: chunk.subarray(start, end), tooLong: false, length: end - start });
    start = nl + 1;
  }
  if (lines.length === 0 && chunk.length > MAX_RECORD_BYTES) return tooLongLine(file, from, chunk, size);
  return { lines, end: from + start };
}

/** A line of more than MAX_RECORD_BYTES starting at `from`, if its newline is already in the file. */
async function tooLongLine(file: FileHandle, from: number, first: Buffer, size: number): Promise<ReadLines> {
  const buf = Buffer.alloc(CHUNK_BYTES);
  for (let at = from + first.length; at < size;) {
    const { bytesRead } = await file.read(buf, 0, Math.min(CHUNK_BYTES, size - at), at);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) {
      const line = { offset: from, bytes: Buffer.from(first.subarray(0, 1024)), tooLong: true, length: at + nl - from };
      return { lines: [line], end: at + nl + 1 };
    }
    at += bytesRead;
  }
  return { lines: [], end: from };
}
