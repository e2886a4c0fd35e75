// Where a file source is in each file: the file's identity and the byte offset just past the last complete line it
// made durable. Stored among the stream's source positions (key "file:<path>") in the same atomic write as the rows
// that line ended, so after a crash every line is read again or never. The identity is the inode and a hash of the
// file's first bytes (as many as it had when first read, up to 256): a file replaced under the same name (rotated,
// rewritten) is read from its start, while a file that only grew keeps its position.

import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const HEAD_BYTES = 256;

export interface FilePosition {
  readonly inode: number;
  /** How many of the file's first bytes `head` hashes. */
  readonly headLength: number;
  readonly head: string;
  /** Bytes of the file consumed: everything before this offset was a complete line, read. */
  readonly offset: number;
}

export function positionKey(path: string): string {
  return `file:${path}`;
}

export function pathOfKey(key: string): string | null {
  return key.startsWith('file:') ? key.slice(5) : null;
}

export function encodePosition(p: FilePosition): string {
  return `${p.inode}:${p.headLength}:${p.head}:${p.offset}`;
}

export function decodePosition(text: string): FilePosition | null {
  const m = /^(\d+):(\d+):([0-9a-f]*):(\d+)$/.exec(text);
  return m === null ? null : { inode: Number(m[1]), headLength: Number(m[2]), head: m[3], offset: Number(m[4]) };
}

async function headHash(file: FileHandle, length: number): Promise<string> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, 0);
  return createHash('sha1').update(buf.subarray(0, bytesRead)).digest('hex');
}

/**
 * The position to read `file` (of `inode`, `size` bytes) from: the stored one when it is the same file, else the
 * start of a new file (never read, or replaced since).
 */
export async function currentPosition(
  file: FileHandle, inode: number, size: number, stored: FilePosition | undefined,
): Promise<FilePosition> {
  if (stored !== undefined && stored.inode === inode && stored.headLength <= size && stored.offset <= size &&
    (await headHash(file, stored.headLength)) === stored.head) {
    return stored;
  }
  const headLength = Math.min(size, HEAD_BYTES);
  return { inode, headLength, head: await headHash(file, headLength), offset: 0 };
}
