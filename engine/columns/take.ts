// Moving rows between Arrow columns without decoding them: filter, take and concatenation copy the raw bits, so an
// int8 or a string passes through an operator exactly as it came in.

import { Data, makeData, type DataType } from 'apache-arrow';
import { int32View } from './arrow';

/** Writes selected rows of Arrow columns (of one type) into a new column. */
class ColumnAppender {
  private length = 0;
  private validity: Uint8Array;
  private nullCount = 0;
  // Fixed-width layouts: elements of `width` slots each (int64 as two int32 slots, interval as four).
  private fixed: { array: Int32Array | Int16Array | Float32Array | Float64Array | Uint8Array; width: number } | null = null;
  private bits: Uint8Array | null = null;
  private offsets: Int32Array | null = null;
  private bytes: Uint8Array | null = null;
  private bytesLength = 0;
  private readonly isBigInt: boolean;

  constructor(private readonly type: DataType, private readonly template: Data, capacity: number) {
    this.validity = new Uint8Array(Math.max(8, (capacity + 7) >> 3));
    const values = template.values as unknown;
    this.isBigInt = values instanceof BigInt64Array;
    if (template.valueOffsets !== undefined && template.valueOffsets !== null) {
      this.offsets = new Int32Array(capacity + 1);
      this.bytes = new Uint8Array(Math.max(16, capacity * 8));
    } else if (type.typeId === 6 /* Bool */) {
      this.bits = new Uint8Array(Math.max(8, (capacity + 7) >> 3));
    } else {
      const width = (this.isBigInt ? 2 : 1) * template.stride;
      const ctor = this.isBigInt ? Int32Array : (values as { constructor: new (n: number) => Int32Array }).constructor;
      this.fixed = { array: new ctor(Math.max(1, capacity * width)), width };
    }
  }

  private static grow<A extends Uint8Array | Int32Array | Int16Array | Float32Array | Float64Array>(a: A, need: number): A {
    if (need <= a.length) return a;
    const ctor = a.constructor as new (n: number) => A;
    const b = new ctor(Math.max(need, a.length * 2));
    b.set(a);
    return b;
  }

  /** Appends rows `indexes` (or the range [start, end) when indexes is null) of `src`. */
  append(src: Data, indexes: ArrayLike<number> | null, start: number, end: number): void {
    if (indexes === null && this.bits === null) {
      this.appendRange(src, start, end);
      return;
    }
    const count = indexes === null ? end - start : indexes.length;
    // Row k of this append comes from source row rows[k].
    const rows: ArrayLike<number> = indexes ?? rangeOf(start, end);
    const base = this.length;
    const total = base + count;
    this.validity = ColumnAppender.grow(this.validity, (total + 7) >> 3);
    const srcValidity = validityOf(src);
    const validity = this.validity;
    if (srcValidity === null) {
      setBits(validity, base, total);
    } else {
      const off = src.offset;
      for (let k = 0; k < count; k++) {
        const b = off + rows[k];
        const o = base + k;
        if ((srcValidity[b >> 3] >> (b & 7)) & 1) validity[o >> 3] |= 1 << (o & 7);
        else this.nullCount++;
      }
    }
    if (this.bits !== null) {
      this.bits = ColumnAppender.grow(this.bits, (total + 7) >> 3);
      const bits = this.bits;
      const sb = src.values as Uint8Array;
      const off = src.offset;
      for (let k = 0; k < count; k++) {
        const b = off + rows[k];
        const o = base + k;
        if ((sb[b >> 3] >> (b & 7)) & 1) bits[o >> 3] |= 1 << (o & 7);
      }
    } else if (this.offsets !== null) {
      this.offsets = ColumnAppender.grow(this.offsets, total + 1);
      const so = src.valueOffsets as Int32Array;
      const sv = src.values as Uint8Array;
      let need = this.bytesLength;
      for (let k = 0; k < count; k++) need += so[rows[k] + 1] - so[rows[k]];
      this.bytes = ColumnAppender.grow(this.bytes!, need);
      const bytes = this.bytes;
      const offsets = this.offsets;
      let pos = this.bytesLength;
      for (let k = 0; k < count; k++) {
        const r = rows[k];
        const a = so[r];
        const b = so[r + 1];
        // Short strings copy faster by hand than through a subarray.
        if (b - a < 32) for (let x = a; x < b; x++) bytes[pos++] = sv[x];
        else {
          bytes.set(sv.subarray(a, b), pos);
          pos += b - a;
        }
        offsets[base + k + 1] = pos;
      }
      this.bytesLength = pos;
    } else if (this.fixed !== null) {
      const { width } = this.fixed;
      this.fixed.array = ColumnAppender.grow(this.fixed.array, total * width);
      const out = this.fixed.array;
      const raw = src.values as unknown;
      const sv = (raw instanceof BigInt64Array ? int32View(raw) : raw) as ArrayLike<number>;
      if (width === 1) {
        for (let k = 0; k < count; k++) out[base + k] = sv[rows[k]];
      } else if (width === 2) {
        for (let k = 0; k < count; k++) {
          const r = rows[k] * 2;
          const o = (base + k) * 2;
          out[o] = sv[r];
          out[o + 1] = sv[r + 1];
        }
      } else {
        for (let k = 0; k < count; k++) {
          const r = rows[k] * width;
          const o = (base + k) * width;
          for (let w = 0; w < width; w++) out[o + w] = sv[r + w];
        }
      }
    }
    this.length = total;
  }

  /**
   * Rows [start, end) of `src`: concatenation, the way a query's epoch output becomes one batch. Contiguous rows
   * copy as whole buffer ranges (a memcpy per column) rather than row by row.
   */
  private appendRange(src: Data, start: number, end: number): void {
    const count = end - start;
    const base = this.length;
    const total = base + count;
    this.validity = ColumnAppender.grow(this.validity, (total + 7) >> 3);
    const srcValidity = validityOf(src);
    if (srcValidity === null) setBits(this.validity, base, total);
    else {
      const validity = this.validity;
      const off = src.offset;
      for (let k = 0; k < count; k++) {
        const b = off + start + k;
        const o = base + k;
        if ((srcValidity[b >> 3] >> (b & 7)) & 1) validity[o >> 3] |= 1 << (o & 7);
        else this.nullCount++;
      }
    }
    if (this.offsets !== null) {
      this.offsets = ColumnAppender.grow(this.offsets, total + 1);
      const so = src.valueOffsets as Int32Array;
      const from = so[start];
      const to = so[end];
      this.bytes = ColumnAppender.grow(this.bytes!, this.bytesLength + to - from);
      this.bytes.set((src.values as Uint8Array).subarray(from, to), this.bytesLength);
      const shift = this.bytesLength - from;
      const offsets = this.offsets;
      for (let k = 1; k <= count; k++) offsets[base + k] = so[start + k] + shift;
      this.bytesLength += to - from;
    } else {
      const fixed = this.fixed!;
      fixed.array = ColumnAppender.grow(fixed.array, total * fixed.width);
      const raw = src.values as unknown;
      const sv = (raw instanceof BigInt64Array ? int32View(raw) : raw) as typeof fixed.array;
      fixed.array.set(sv.subarray(start * fixed.width, end * fixed.width), base * fixed.width);
    }
    this.length = total;
  }

  finish(): Data {
    const n = this.length;
    const nullBitmap = this.nullCount > 0 ? this.validity.subarray(0, (n + 7) >> 3) : undefined;
    const common = { type: this.type, length: n, nullCount: this.nullCount, nullBitmap };
    if (this.bits !== null) return makeData({ ...common, data: this.bits.subarray(0, (n + 7) >> 3) } as never);
    if (this.offsets !== null) {
      return makeData({
        ...common,
        valueOffsets: this.offsets.subarray(0, n + 1),
        data: this.bytes!.subarray(0, this.bytesLength),
      } as never);
    }
    const { array, width } = this.fixed!;
    const used = array.subarray(0, n * width);
    const data = this.isBigInt ? new BigInt64Array(used.buffer, used.byteOffset, n) : used;
    return makeData({ ...common, data } as never);
  }
}

function validityOf(src: Data): Uint8Array | null {
  return src.nullCount > 0 && src.nullBitmap && src.nullBitmap.length > 0 ? src.nullBitmap : null;
}

/** Sets bits [from, to) of a bitmap: whole bytes at once between the partial ones at either end. */
function setBits(bitmap: Uint8Array, from: number, to: number): void {
  let o = from;
  for (; o < to && (o & 7) !== 0; o++) bitmap[o >> 3] |= 1 << (o & 7);
  const wholeEnd = to & ~7;
  if (o < wholeEnd) {
    bitmap.fill(0xff, o >> 3, wholeEnd >> 3);
    o = wholeEnd;
  }
  for (; o < to; o++) bitmap[o >> 3] |= 1 << (o & 7);
}

function rangeOf(start: number, end: number): Int32Array {
  const r = new Int32Array(end - start);
  for (let i = 0; i < r.length; i++) r[i] = start + i;
  return r;
}

/** Rows `indexes` of an Arrow column, in that order. */
export function takeData(src: Data, indexes: ArrayLike<number>): Data {
  const a = new ColumnAppender(src.type, src, indexes.length);
  a.append(src, indexes, 0, 0);
  return a.finish();
}

/** Arrow columns of one type concatenated a part at a time, for a caller that gives the event loop back between parts. */
export class DataConcat {
  private readonly appender: ColumnAppender;

  /** `first`: any part (it gives the type); `total`: the rows of all parts. */
  constructor(first: Data, total: number) {
    this.appender = new ColumnAppender(first.type, first, total);
  }

  add(part: Data): void {
    this.appender.append(part, null, 0, part.length);
  }

  finish(): Data {
    return this.appender.finish();
  }
}

/** Arrow columns of one type, one after the other. */
export function concatData(parts: readonly Data[]): Data {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const p of parts) total += p.length;
  const a = new ColumnAppender(parts[0].type, parts[0], total);
  for (const p of parts) a.append(p, null, 0, p.length);
  return a.finish();
}
