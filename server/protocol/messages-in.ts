// Frontend messages after startup, decoded from their bodies. Every read is bounds-checked: a body that ends early,
// a string without its terminator or bytes left over are protocol violations, never an out-of-range read.

import { protocolViolation } from './errors';

export type FrontendMessage =
  | { readonly kind: 'query'; readonly sql: string }
  | { readonly kind: 'parse'; readonly name: string; readonly sql: string; readonly paramTypeOids: readonly number[] }
  | {
      readonly kind: 'bind';
      readonly portal: string;
      readonly statement: string;
      readonly paramFormats: readonly number[];
      readonly params: readonly (Buffer | null)[];
      readonly resultFormats: readonly number[];
    }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'sync' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'copy_data'; readonly data: Buffer }
  | { readonly kind: 'copy_done' }
  | { readonly kind: 'copy_fail'; readonly message: string }
  | { readonly kind: 'function_call' }
  /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; only the authentication exchange reads its body. */
  | { readonly kind: 'password'; readonly body: Buffer };

export type FrontendMessageKind = FrontendMessage['kind'];

/** Sequential reads over one message body. */
export class BodyReader {
  private at = 0;

  constructor(private readonly body: Buffer) {}

  int8(): number {
    this.need(1);
    return this.body[this.at++];
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.body.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.body.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.at);
    if (end < 0) throw protocolViolation('invalid string in message');
    const s = this.body.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0) throw protocolViolation('invalid length in message');
    this.need(n);
    const b = this.body.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  rest(): Buffer {
    const b = this.body.subarray(this.at);
    this.at = this.body.length;
    return b;
  }

  /** Every message must be consumed exactly; PostgreSQL's pq_getmsgend says "invalid message format". */
  end(): void {
    if (this.at !== this.body.length) throw protocolViolation('invalid message format');
  }

  private need(n: number): void {
    if (this.at + n > this.body.length) throw protocolViolation('insufficient data left in message');
  }
}

type Decoder = (r: BodyReader) => FrontendMessage;

function int16Array<T>(r: BodyReader, read: (r: BodyReader) => T): T[] {
  const n = r.uint16(); // PostgreSQL reads these counts unsigned: up to 65535 parameters
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(read(r));
  return out;
}

function readParam(r: BodyReader): Buffer | null {
  const len = r.int32();
  return len === -1 ? null : r.bytes(len);
}

function target(r: BodyReader): 'S' | 'P' {
  const t = String.fromCharCode(r.int8());
  if (t !== 'S' && t !== 'P') throw protocolViolation(`invalid DESCRIBE/CLOSE message subtype ${t.charCodeAt(0)}`);
  return t;
}

const DECODERS: Record<string, Decoder> = {
  Q: (r) => ({ kind: 'query', sql: r.cstring() }),
  P: (r) => ({ kind: 'parse', name: r.cstring(), sql: r.cstring(), paramTypeOids: int16Array(r, (x) => x.uint32()) }),
  B: (r) => {
    const portal = r.cstring();
    const statement = r.cstring();
    const paramFormats = int16Array(r, (x) => x.int16());
    const params = int16Array(r, readParam);
    const resultFormats = int16Array(r, (x) => x.int16());
    return { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
  },
  D: (r) => ({ kind: 'describe', target: target(r), name: r.cstring() }),
  E: (r) => ({ kind: 'execute', portal: r.cstring(), maxRows: r.int32() }),
  C: (r) => ({ kind: 'close', target: target(r), name: r.cstring() }),
  S: () => ({ kind: 'sync' }),
  H: () => ({ kind: 'flush' }),
  X: () => ({ kind: 'terminate' }),
  d: (r) => ({ kind: 'copy_data', data: r.rest() }),
  c: () => ({ kind: 'copy_done' }),
  f: (r) => ({ kind: 'copy_fail', message: r.cstring() }),
  F: (r) => (r.rest(), { kind: 'function_call' }),
  p: (r) => ({ kind: 'password', body: r.rest() }),
};

export function isKnownMessageType(type: number): boolean {
  return Object.hasOwn(DECODERS, String.fromCharCode(type));
}

export function decodeMessage(type: number, body: Buffer): FrontendMessage {
  const decode = DECODERS[String.fromCharCode(type)];
  if (decode === undefined || !isKnownMessageType(type)) {
    throw protocolViolation(`invalid frontend message type ${type}`);
  }
  const r = new BodyReader(body);
  const message = decode(r);
  r.end();
  return message;
}
