// The builder of TEXT columns: values go straight into the Arrow column's UTF-8 bytes and offsets. A COPY or CSV
// field arrives as a range of UTF-8 bytes, and the column it becomes is UTF-8 bytes again; going through a JS string
// (decode, keep, join, encode back) was most of the cost of text columns on the COPY path. Only values that come as
// strings (escaped COPY fields, JSON) are encoded, once, as they are set.
//
// Row i's bytes start where row i - 1's end (offsets[i]), so rows must be set in order, every row every column (the
// ColumnBuilder contract): a row set again after a bad record simply overwrites what the bad one wrote.
//
// The byte ranges handed in are valid UTF-8: every decoder checks its input before scanning it (COPY per line,
// Kafka per message), so copying them keeps exactly the text a decode/encode round trip would.

import { type Data, makeData, type Utf8 } from 'apache-arrow';
import { arrowTypeOf } from '../columns';
import { packBits } from '../columns/arrow';
import type { SqlType } from '../types';
import type { ColumnBuilder, SetResult } from './column-builders';
import { wrongJsonValue } from './problems';

/** Bytes reserved per row up front; the buffer doubles when a batch's text is longer. */
const INITIAL_BYTES_PER_ROW = 32;
/** Below this many bytes a loop copies faster than a native copy, which needs a subarray object made first. */
const SHORT_COPY = 64;

export class Utf8Builder implements ColumnBuilder {
  private utf8: Buffer;
  private readonly offsets: Int32Array;
  private readonly nulls: Uint8Array;

  constructor(private readonly type: SqlType, capacity: number) {
    // Not zeroed: finish() copies out only the bytes rows were written into.
    this.utf8 = Buffer.allocUnsafeSlow(Math.max(64, capacity * INITIAL_BYTES_PER_ROW));
    this.offsets = new Int32Array(capacity + 1);
    this.nulls = new Uint8Array(capacity);
  }

  json(i: number, v: unknown): SetResult {
    if (v === null || v === undefined) return this.text(i, null);
    if (typeof v === 'string') return this.text(i, v);
    if (typeof v === 'number' || typeof v === 'boolean') return this.text(i, String(v));
    return wrongJsonValue(this.type, v);
  }

  text(i: number, s: string | null): SetResult {
    const at = this.offsets[i];
    if (s === null) {
      this.nulls[i] = 1;
      this.offsets[i + 1] = at;
      return null;
    }
    this.reserve(at, 3 * s.length); // a UTF-16 code unit never takes more than 3 UTF-8 bytes
    this.offsets[i + 1] = at + this.utf8.write(s, at, 'utf8');
    this.nulls[i] = 0;
    return null;
  }

  bytes(i: number, src: Buffer, start: number, end: number): SetResult {
    const at = this.offsets[i];
    const length = end - start;
    this.reserve(at, length);
    const out = this.utf8;
    if (length < SHORT_COPY) for (let k = 0; k < length; k++) out[at + k] = src[start + k];
    else out.set(src.subarray(start, end), at);
    this.offsets[i + 1] = at + length;
    this.nulls[i] = 0;
    return null;
  }

  finish(n: number): Data {
    const end = this.offsets[n];
    let nullCount = 0;
    for (let i = 0; i < n; i++) nullCount += this.nulls[i];
    return makeData({
      type: arrowTypeOf(this.type) as Utf8,
      length: n,
      nullCount,
      nullBitmap: nullCount === 0 ? undefined : packBits(this.nulls, n, true),
      valueOffsets: this.offsets.slice(0, n + 1),
      // A copy of just the used bytes: the builder's buffer is larger, and a column must not pin it.
      data: new Uint8Array(this.utf8.buffer, this.utf8.byteOffset, end).slice(),
    });
  }

  /** Makes room for `length` more bytes at `at`. */
  private reserve(at: number, length: number): void {
    if (at + length <= this.utf8.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.utf8.length, at + length));
    this.utf8.copy(grown, 0, 0, at);
    this.utf8 = grown;
  }
}
