// Backend messages of protocol 3.0, built as Buffers: one type byte, an int32 length that counts itself, the body.
// https://www.postgresql.org/docs/15/protocol-message-formats.html

import type { FieldDescription } from '../backend';

/** Builds one message body piece by piece; `finish` prepends the type byte and length. */
export class MessageBuilder {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly type: string) {}

  int8(n: number): this {
    return this.add(Buffer.from([n & 0xff]));
  }

  int16(n: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(n);
    return this.add(b);
  }

  int32(n: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n | 0);
    return this.add(b);
  }

  /** A NUL-terminated string; a NUL inside would corrupt the frame, so it is dropped. */
  cstring(s: string): this {
    return this.add(Buffer.from(s.replace(/\0/g, '') + '\0', 'utf8'));
  }

  bytes(b: Uint8Array): this {
    return this.add(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  finish(): Buffer {
    const header = Buffer.allocUnsafe(5);
    header.write(this.type, 0, 'latin1');
    header.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([header, ...this.parts], this.size + 5);
  }

  private add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
}

const bare = (type: string): Buffer => new MessageBuilder(type).finish();

export const PARSE_COMPLETE = bare('1');
export const BIND_COMPLETE = bare('2');
export const CLOSE_COMPLETE = bare('3');
export const NO_DATA = bare('n');
export const PORTAL_SUSPENDED = bare('s');
export const EMPTY_QUERY_RESPONSE = bare('I');
export const COPY_DONE = bare('c');
export const AUTHENTICATION_OK = new MessageBuilder('R').int32(0).finish();
export const AUTHENTICATION_CLEARTEXT_PASSWORD = new MessageBuilder('R').int32(3).finish();

export function authenticationSasl(mechanisms: readonly string[]): Buffer {
  const m = new MessageBuilder('R').int32(10);
  for (const name of mechanisms) m.cstring(name);
  return m.int8(0).finish();
}

export function authenticationSaslContinue(data: string): Buffer {
  return new MessageBuilder('R').int32(11).bytes(Buffer.from(data, 'utf8')).finish();
}

export function authenticationSaslFinal(data: string): Buffer {
  return new MessageBuilder('R').int32(12).bytes(Buffer.from(data, 'utf8')).finish();
}

export function parameterStatus(name: string, value: string): Buffer {
  return new MessageBuilder('S').cstring(name).cstring(value).finish();
}

export function backendKeyData(processId: number, secret: number): Buffer {
  return new MessageBuilder('K').int32(processId).int32(secret).finish();
}

export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return new MessageBuilder('Z').int8(status.charCodeAt(0)).finish();
}

export function negotiateProtocolVersion(newestMinor: number, unrecognized: readonly string[]): Buffer {
  const m = new MessageBuilder('v').int32(newestMinor).int32(unrecognized.length);
  for (const option of unrecognized) m.cstring(option);
  return m.finish();
}

export function commandComplete(tag: string): Buffer {
  return new MessageBuilder('C').cstring(tag).finish();
}

export function parameterDescription(oids: readonly number[]): Buffer {
  const m = new MessageBuilder('t').int16(oids.length);
  for (const oid of oids) m.int32(oid);
  return m.finish();
}

export function rowDescription(fields: readonly FieldDescription[], formats: readonly number[]): Buffer {
  const m = new MessageBuilder('T').int16(fields.length);
  fields.forEach((f, i) => {
    m.cstring(f.name).int32(f.tableOid).int16(f.columnAttr).int32(f.typeOid).int16(f.typeSize).int32(f.typeModifier);
    m.int16(formats[i] ?? 0);
  });
  return m.finish();
}

/** A DataRow from already encoded column values (null = SQL NULL); sized up front to copy each value once. */
export function dataRow(columns: readonly (Buffer | null)[]): Buffer {
  let size = 4 + 2;
  for (const c of columns) size += 4 + (c === null ? 0 : c.length);
  const out = Buffer.allocUnsafe(size + 1);
  out.write('D', 0, 'latin1');
  out.writeInt32BE(size, 1);
  out.writeInt16BE(columns.length, 5);
  let at = 7;
  for (const c of columns) {
    if (c === null) {
      out.writeInt32BE(-1, at);
      at += 4;
    } else {
      out.writeInt32BE(c.length, at);
      c.copy(out, at + 4);
      at += 4 + c.length;
    }
  }
  return out;
}

export function copyInResponse(columnCount: number, format: 0 | 1 = 0): Buffer {
  return copyResponse('G', columnCount, format);
}

export function copyOutResponse(columnCount: number, format: 0 | 1 = 0): Buffer {
  return copyResponse('H', columnCount, format);
}

function copyResponse(type: string, columnCount: number, format: 0 | 1): Buffer {
  const m = new MessageBuilder(type).int8(format).int16(columnCount);
  for (let i = 0; i < columnCount; i++) m.int16(format);
  return m.finish();
}

export function copyData(data: Uint8Array): Buffer {
  return new MessageBuilder('d').bytes(data).finish();
}

export type NoticeSeverity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface ErrorFields {
  readonly severity: NoticeSeverity;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: number;
}

/** ErrorResponse ('E') for errors, NoticeResponse ('N') for notices and warnings; same fields. */
export function errorOrNotice(type: 'E' | 'N', f: ErrorFields): Buffer {
  const m = new MessageBuilder(type);
  const field = (code: string, value: string | undefined): void => {
    if (value !== undefined) m.int8(code.charCodeAt(0)).cstring(value);
  };
  field('S', f.severity);
  field('V', f.severity);
  field('C', f.code);
  field('M', f.message);
  field('D', f.detail);
  field('H', f.hint);
  field('P', f.position === undefined ? undefined : String(f.position));
  return m.int8(0).finish();
}
