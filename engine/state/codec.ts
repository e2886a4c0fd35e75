// Operator state to bytes and back: a small append-only writer and a reader over the same layout (varints,
// float64s, UTF-8 strings, tagged canonical Values). Durability stores these bytes per state key.

import type { Value } from '../types';

const utf8Decode = new TextDecoder();

export class ByteWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;

  constructor(capacity = 64) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Starts over, keeping the buffer: one writer can encode many values (finish copies each out). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  u8(x: number): this {
    this.ensure(1);
    this.buf[this.pos++] = x;
    return this;
  }

  /** Unsigned integer below 2^53, 7 bits per byte. */
  uvar(x: number): this {
    this.ensure(8);
    while (x >= 0x80) {
      this.buf[this.pos++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.pos++] = x;
    return this;
  }

  /** Signed integer (zigzag), |x| below 2^52. */
  svar(x: number): this {
    return this.uvar(x < 0 ? -2 * x - 1 : 2 * x);
  }

  f64(x: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
    return this;
  }

  i64(x: bigint): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, x, true);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uvar(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** UTF-8, length first; written in place (no intermediate array). */
  str(s: string): this {
    const n = s.length;
    // Short ASCII strings (most keys) skip the byte-length scan: their length is known once checked.
    let ascii = n < 64;
    if (ascii) for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) { ascii = false; break; }
    const len = ascii ? n : Buffer.byteLength(s, 'utf8');
    this.uvar(len);
    this.ensure(len);
    if (ascii) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    } else {
      this.buf.write(s, this.pos, len, 'utf8');
    }
    this.pos += len;
    return this;
  }

  value(v: Value): this {
    if (v === null) return this.u8(0);
    switch (typeof v) {
      case 'boolean': return this.u8(v ? 2 : 1);
      case 'number': return this.u8(3).f64(v);
      // An int8 or a timestamp as its 8 bytes; a decimal string only for what int64 cannot hold.
      case 'bigint': return BigInt.asIntN(64, v) === v ? this.u8(4).i64(v) : this.u8(7).str(v.toString());
      case 'string': return this.u8(5).str(v);
      default: return this.u8(6).svar(v.months).svar(v.days).f64(v.micros);
    }
  }

  /** A copy of the bytes written (the writer may be reset and reused). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new Error('state codec: read past the end');
    return this.buf[this.pos++];
  }

  uvar(): number {
    let x = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      x += (b & 0x7f) * scale;
      if (b < 0x80) return x;
      scale *= 0x80;
    }
  }

  svar(): number {
    const z = this.uvar();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  f64(): number {
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  i64(): bigint {
    const x = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return x;
  }

  bytes(): Uint8Array {
    const n = this.uvar();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    return utf8Decode.decode(this.bytes());
  }

  value(): Value {
    const tag = this.u8();
    switch (tag) {
      case 0: return null;
      case 1: return false;
      case 2: return true;
      case 3: return this.f64();
      case 4: return this.i64();
      case 5: return this.str();
      case 6: return { months: this.svar(), days: this.svar(), micros: this.f64() };
      case 7: return BigInt(this.str());
      default: throw new Error(`state codec: unknown value tag ${tag}`);
    }
  }
}
