// The streaming replication protocol's CopyData frames (XLogData 'w', primary keepalive 'k', standby status 'r') and
// the pgoutput plugin's logical messages in them (protocol version 1), as PostgreSQL 15 documents them in "Streaming
// Replication Protocol" and "Logical Replication Message Formats". Only what a table's change feed needs is decoded;
// Type, Origin and Message messages are recognised and ignored.

/** A tuple column: text output, null, or 'unchanged' (a TOASTed value the update did not touch, not sent). */
export type TupleValue = string | null | typeof UNCHANGED;
export const UNCHANGED = Symbol('unchanged TOAST value');

export interface RelationColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly isKey: boolean;
}

export type LogicalMessage =
  | { readonly tag: 'begin'; readonly finalLsn: bigint }
  | { readonly tag: 'commit'; readonly endLsn: bigint }
  | { readonly tag: 'relation'; readonly oid: number; readonly schema: string; readonly name: string; readonly columns: readonly RelationColumn[] }
  | { readonly tag: 'insert'; readonly oid: number; readonly tuple: readonly TupleValue[] }
  | { readonly tag: 'update'; readonly oid: number; readonly old: readonly TupleValue[] | null; readonly tuple: readonly TupleValue[] }
  | { readonly tag: 'delete'; readonly oid: number; readonly old: readonly TupleValue[] }
  | { readonly tag: 'truncate'; readonly oids: readonly number[] }
  | { readonly tag: 'other' };

export type ReplicationFrame =
  | { readonly tag: 'xlog'; readonly walEnd: bigint; readonly message: LogicalMessage }
  | { readonly tag: 'keepalive'; readonly walEnd: bigint; readonly replyNow: boolean };

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number { return this.buf.readUInt8(this.at++); }
  i16(): number { const v = this.buf.readInt16BE(this.at); this.at += 2; return v; }
  i32(): number { const v = this.buf.readInt32BE(this.at); this.at += 4; return v; }
  u32(): number { const v = this.buf.readUInt32BE(this.at); this.at += 4; return v; }
  u64(): bigint { const v = this.buf.readBigUInt64BE(this.at); this.at += 8; return v; }
  char(): string { return String.fromCharCode(this.u8()); }
  cstring(): string {
    const end = this.buf.indexOf(0, this.at);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.buf.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  bytes(n: number): Buffer { const b = this.buf.subarray(this.at, this.at + n); this.at += n; return b; }
  rest(): Buffer { return this.buf.subarray(this.at); }
}

export function decodeFrame(chunk: Buffer): ReplicationFrame {
  const r = new Reader(chunk);
  const kind = r.char();
  if (kind === 'w') {
    r.u64(); // start of the data in WAL
    const walEnd = r.u64();
    r.u64(); // send time
    return { tag: 'xlog', walEnd, message: decodeMessage(r.rest()) };
  }
  if (kind === 'k') {
    const walEnd = r.u64();
    r.u64();
    return { tag: 'keepalive', walEnd, replyNow: r.u8() === 1 };
  }
  throw new Error(`replication: unexpected CopyData message '${kind}'`);
}

function decodeMessage(buf: Buffer): LogicalMessage {
  const r = new Reader(buf);
  switch (r.char()) {
    case 'B': return { tag: 'begin', finalLsn: r.u64() };
    case 'C': {
      r.u8(); // flags
      r.u64(); // the commit's LSN
      return { tag: 'commit', endLsn: r.u64() };
    }
    case 'R': return relation(r);
    case 'I': {
      const oid = r.u32();
      expect(r.char(), 'N');
      return { tag: 'insert', oid, tuple: tuple(r) };
    }
    case 'U': {
      const oid = r.u32();
      let kind = r.char();
      let old: TupleValue[] | null = null;
      if (kind === 'K' || kind === 'O') {
        old = tuple(r);
        kind = r.char();
      }
      expect(kind, 'N');
      return { tag: 'update', oid, old, tuple: tuple(r) };
    }
    case 'D': {
      const oid = r.u32();
      r.char(); // 'K' (the replica identity's columns) or 'O' (the whole old row)
      return { tag: 'delete', oid, old: tuple(r) };
    }
    case 'T': {
      const n = r.i32();
      r.u8(); // options (CASCADE, RESTART IDENTITY)
      return { tag: 'truncate', oids: Array.from({ length: n }, () => r.u32()) };
    }
    default: return { tag: 'other' };
  }
}

function relation(r: Reader): LogicalMessage {
  const oid = r.u32();
  const schema = r.cstring();
  const name = r.cstring();
  r.u8(); // replica identity setting
  const n = r.i16();
  const columns: RelationColumn[] = [];
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    const colName = r.cstring();
    const typeOid = r.u32();
    r.i32(); // type modifier
    columns.push({ name: colName, typeOid, isKey: (flags & 1) === 1 });
  }
  return { tag: 'relation', oid, schema, name, columns };
}

function tuple(r: Reader): TupleValue[] {
  const n = r.i16();
  const values: TupleValue[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    if (kind === 'n') values.push(null);
    else if (kind === 'u') values.push(UNCHANGED);
    else if (kind === 't') values.push(r.bytes(r.i32()).toString('utf8'));
    else throw new Error(`pgoutput: unexpected tuple column kind '${kind}'`);
  }
  return values;
}

function expect(got: string, want: string): void {
  if (got !== want) throw new Error(`pgoutput: expected '${want}', got '${got}'`);
}

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

/** A standby status update telling the server everything up to `lsn` is durable (written, flushed and applied). */
export function standbyStatus(lsn: bigint): Buffer {
  const b = Buffer.alloc(34);
  b.write('r', 0);
  b.writeBigUInt64BE(lsn, 1);
  b.writeBigUInt64BE(lsn, 9);
  b.writeBigUInt64BE(lsn, 17);
  b.writeBigUInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_MICROS, 25);
  b.writeUInt8(0, 33);
  return b;
}

/** An LSN as PostgreSQL writes it (XXX/XXXXXXXX). */
export function lsnText(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text.trim());
  if (m === null) throw new Error(`not an LSN: "${text}"`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}
