// A log entry's changes as Kafka messages. The value of an insert is the row as a JSON object (column name → value:
// numbers as JSON numbers, except BIGINTs beyond 2^53 and NaN / infinities, which are strings; timestamps in ISO
// 8601, JSONB embedded, other types as their PostgreSQL text). Every message carries headers naming the query, the epoch (the log entry's
// sequence number), the row's position within the entry, and the operation, so a consumer can recognise a message
// re-sent after a crash: the same (sluice-query, sluice-epoch, sluice-position) is the same change.
//
// Keyed sinks (option `key`): with one key column the message key is that column as plain text, as it appears in the
// value but without JSON's quotes (a TEXT key is its raw text, what consumers and log compaction expect; a number is
// its digits, a timestamp ISO 8601, a JSONB its JSON); a NULL key is sent as an empty key, since a compacted topic
// refuses messages without one. With several key columns the key is a JSON object of them. Per entry only the net
// change per key is sent, in order of the key's first appearance: the latest row that the
// entry adds, or else a tombstone (null value) when the entry removes the key's row. An update (-old +new) is thus
// one message with the new row, and the last message per key in the topic is always the key's current row.
// Unkeyed sinks send every change in order; a delete is the deleted row with header sluice-op = delete.
//
// Other value formats (Avro, CSV) change only the value of a message: keys, headers, tombstones and which messages
// are sent stay as above.

import type { ChangeBatch } from '../batch';
import { rowsFromBatch } from '../columns';
import type { Schema, SqlType, Value } from '../types';
import { formatValue } from '../text';

export interface SinkMessage {
  /** null for an unkeyed sink. */
  readonly key: string | null;
  /** null is a tombstone; Avro sinks send bytes. */
  readonly value: string | Buffer | null;
  readonly headers: Record<string, string>;
}

/** A message value's format other than JSON: a row of the sink's visible columns to its bytes or text. */
export interface ValueEncoder {
  encode(row: readonly Value[]): string | Buffer;
}

type JsonOf = (v: Exclude<Value, null>) => string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function jsonNumber(v: Exclude<Value, null>): string {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? String(n) : JSON.stringify(String(n));
}

function isoTimestamp(v: Exclude<Value, null>, type: SqlType, zone: boolean): string {
  const text = formatValue(v, type);
  if (text === 'infinity' || text === '-infinity' || text.endsWith(' BC')) return JSON.stringify(text);
  const iso = text.replace(' ', 'T');
  return JSON.stringify(zone ? iso.replace(/\+00$/, '+00:00') : iso);
}

function jsonOf(type: SqlType): JsonOf {
  switch (type.name) {
    case 'bool': return (v) => (v ? 'true' : 'false');
    case 'int2': case 'int4': case 'float4': case 'float8': return jsonNumber;
    // NUMERIC's text is a JSON number as it is, every digit kept; NaN and infinities go as strings.
    case 'numeric': return (v) => (/^-?\d/.test(String(v)) ? String(v) : JSON.stringify(String(v)));
    // Beyond 2^53 a JSON number loses digits in most JSON parsers (JavaScript's included): such values go as strings.
    case 'int8': return (v) => (typeof v !== 'bigint' ? jsonNumber(v) : v > MAX_SAFE || v < -MAX_SAFE ? `"${v}"` : v.toString());
    case 'jsonb': return (v) => String(v);
    case 'timestamp': return (v) => isoTimestamp(v, type, false);
    case 'timestamptz': return (v) => isoTimestamp(v, type, true);
    default: return (v) => JSON.stringify(formatValue(v, type));
  }
}

export class SinkEncoder {
  private readonly names: string[];
  private readonly json: JsonOf[];

  /** `schema`: the visible columns of the relation shipped (a stream's `_arrival` is left out). */
  constructor(
    private readonly schema: Schema,
    private readonly keyColumns: readonly number[],
    private readonly queryName: string,
    /** Values in another format than JSON (Avro, CSV); null for JSON. */
    private readonly values: ValueEncoder | null = null,
  ) {
    this.names = schema.map((f) => `${JSON.stringify(f.name)}:`);
    this.json = schema.map((f) => jsonOf(f.type));
  }

  get keyed(): boolean {
    return this.keyColumns.length > 0;
  }

  rowJson(row: readonly Value[]): string {
    let out = '{';
    for (let c = 0; c < this.names.length; c++) {
      const v = row[c];
      out += (c === 0 ? '' : ',') + this.names[c] + (v === null ? 'null' : this.json[c](v));
    }
    return out + '}';
  }

  messageKey(row: readonly Value[]): string {
    const k = this.keyColumns;
    const one = (c: number): string => (row[c] === null ? 'null' : this.json[c](row[c] as Exclude<Value, null>));
    if (k.length > 1) return `{${k.map((c) => this.names[c] + one(c)).join(',')}}`;
    const v = row[k[0]];
    if (v === null) return '';
    const json = this.json[k[0]](v);
    return json.startsWith('"') && this.schema[k[0]].type.name !== 'jsonb' ? (JSON.parse(json) as string) : json;
  }

  private value(row: readonly Value[]): string | Buffer {
    return this.values === null ? this.rowJson(row) : this.values.encode(row);
  }

  /**
   * The messages of one log entry (sequence number `seq`) of the relation the sink reads, or of one part of it (a
   * staged COPY's entry comes in parts): `firstPosition` is the entry's row position where the batch starts.
   */
  messages(seq: bigint, batch: ChangeBatch, firstPosition = 0): SinkMessage[] {
    const rows = rowsFromBatch(batch.data, this.schema);
    const diffs = batch.diffs;
    const epoch = seq.toString();
    const headers = (position: number, op: 'insert' | 'delete'): Record<string, string> => ({
      'sluice-query': this.queryName, 'sluice-epoch': epoch, 'sluice-position': String(firstPosition + position),
      'sluice-op': op,
    });
    if (!this.keyed) {
      return rows.map((row, i) => {
        const op = diffs !== null && diffs[i] < 0 ? 'delete' : 'insert';
        return { key: null, value: this.value(row), headers: headers(i, op) };
      });
    }
    // Per key: the net count of each distinct row and where it last appeared.
    const byKey = new Map<string, Map<string, { net: number; last: number }>>();
    rows.forEach((row, i) => {
      const key = this.messageKey(row);
      let values = byKey.get(key);
      if (values === undefined) byKey.set(key, (values = new Map()));
      const value = this.rowJson(row);
      const v = values.get(value) ?? { net: 0, last: i };
      v.net += diffs === null ? 1 : diffs[i];
      v.last = i;
      values.set(value, v);
    });
    const out: SinkMessage[] = [];
    for (const [key, values] of byKey) {
      let insert: { value: string; at: number } | null = null;
      let removed = -1;
      for (const [value, v] of values) {
        if (v.net > 0 && (insert === null || v.last > insert.at)) insert = { value, at: v.last };
        if (v.net < 0) removed = Math.max(removed, v.last);
      }
      if (insert !== null) {
        const value = this.values === null ? insert.value : this.values.encode(rows[insert.at]);
        out.push({ key, value, headers: headers(insert.at, 'insert') });
      }
      else if (removed >= 0) out.push({ key, value: null, headers: headers(removed, 'delete') });
    }
    return out;
  }
}
