// A keyed topic read as a table: each message with a value is an upsert of the row it holds (its primary key
// columns identify the row); a message with a null value (a tombstone) deletes the row whose key is the message key,
// given as a JSON object of the key columns, or for a one-column key as a bare value (`42`, `"abc"` or abc). Within
// one fetched batch only the last message per key counts, in message order, so the table's log gets one change per
// key: what a consumer replaying the whole topic would end with.

import { isUtf8 } from 'node:buffer';
import type { TableDef } from '../catalog';
import { rowsFromBatch, valuesFromData } from '../columns';
import type { Field, Value } from '../types';
import { rowKey } from '../runtime/result-set';
import { columnBuilder, CsvScanner, RecordFields, RecordFormatError } from '../ingest';
import { avroKeyReader, type AvroReader } from './avro/reader';
import { type BadRecord, type KafkaRecord, type RecordFormat, RecordDecoder } from './decode';

export interface KeyedRecord extends KafkaRecord {
  readonly key: Buffer | null;
}

export interface TableChanges {
  /** Full rows to insert or replace. */
  readonly upserts: Value[][];
  /** Full-width rows with only the key columns set (TableState reads only those). */
  readonly deleteKeys: Value[][];
  readonly bad: BadRecord[];
}

export class TableRecords {
  private readonly decoder: RecordDecoder;
  private readonly keyColumns: readonly number[];
  private readonly avroKeys: AvroReader | null;

  constructor(private readonly def: TableDef, private readonly format: RecordFormat) {
    this.decoder = new RecordDecoder(def.columns, format, { arrival: false, notNull: def.primaryKey });
    this.keyColumns = def.primaryKey.map((k) => def.columns.findIndex((c) => c.name === k));
    this.avroKeys = typeof format === 'object' ? avroKeyReader(this.keyColumns.map((c) => def.columns[c]), format) : null;
  }

  changes(records: readonly KeyedRecord[]): TableChanges {
    const values: KafkaRecord[] = [];
    const valueIndex: number[] = [];
    records.forEach((r, i) => {
      if (r.value !== null) {
        values.push(r);
        valueIndex.push(i);
      }
    });
    const decoded = this.decoder.decode(values, 0);
    const bad: BadRecord[] = decoded.bad.map((b) => ({ ...b, index: valueIndex[b.index] }));
    // What each record became, in record order: a row, a key to delete, or nothing (bad).
    const outcome = new Array<{ row: Value[]; del: boolean } | null>(records.length).fill(null);
    const rows = rowsFromBatch(decoded.data, this.def.columns);
    for (let i = 0; i < rows.length; i++) outcome[valueIndex[decoded.recordOf[i]]] = { row: rows[i], del: false };
    records.forEach((r, i) => {
      if (r.value !== null) return;
      const key = this.keyRow(r.key);
      if (typeof key === 'string') {
        bad.push({ index: i, partition: r.partition, offset: r.offset, raw: r.key ?? new Uint8Array(0), reason: key === ENCODING ? 'encoding' : 'parse', error: key === ENCODING ? 'the tombstone\'s key is not valid UTF-8' : key });
      } else {
        outcome[i] = { row: key, del: true };
      }
    });
    const last = new Map<string, { row: Value[]; del: boolean }>();
    for (const o of outcome) {
      if (o === null) continue;
      const k = rowKey(this.keyColumns.map((c) => o.row[c]));
      last.delete(k); // re-insert so the map keeps the order of each key's last message
      last.set(k, o);
    }
    const upserts: Value[][] = [];
    const deleteKeys: Value[][] = [];
    for (const o of last.values()) (o.del ? deleteKeys : upserts).push(o.row);
    bad.sort((a, b) => a.index - b.index);
    return { upserts, deleteKeys, bad };
  }

  /** A tombstone's key as a full-width row, or why it cannot be one. */
  private keyRow(key: Buffer | null): Value[] | string {
    if (key === null) return 'a tombstone (null value) without a key deletes nothing';
    if (this.avroKeys !== null) return this.avroKeyRow(this.avroKeys, key);
    if (!isUtf8(key)) return ENCODING;
    const text = key.toString('utf8');
    const keyFields = this.keyColumns.map((c) => this.def.columns[c]);
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const row = new Array<Value>(this.def.columns.length).fill(null);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const obj = parsed as Record<string, unknown>;
      const lower = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), obj[k]]));
      for (let i = 0; i < keyFields.length; i++) {
        const f = keyFields[i];
        const v = f.name in obj ? obj[f.name] : lower.get(f.name.toLowerCase());
        const got = jsonValue(f, v);
        if (typeof got === 'string') return `tombstone key: ${got}`;
        row[this.keyColumns[i]] = got.value;
      }
      return row;
    }
    if (keyFields.length === 1) {
      // A bare value: JSON when it parses as JSON (42, "abc"), else the text itself (abc).
      const got = parsed === undefined ? textValue(keyFields[0], text) : jsonValue(keyFields[0], parsed);
      if (typeof got === 'string') return `tombstone key: ${got}`;
      row[this.keyColumns[0]] = got.value;
      return row;
    }
    if (this.format === 'csv') {
      const fields = csvRecord(key);
      if (fields === null || fields.length !== keyFields.length) return `tombstone key: expected ${keyFields.length} CSV fields`;
      for (let i = 0; i < keyFields.length; i++) {
        const got = textValue(keyFields[i], fields[i]);
        if (typeof got === 'string') return `tombstone key: ${got}`;
        row[this.keyColumns[i]] = got.value;
      }
      return row;
    }
    return `tombstone key: expected a JSON object with the columns ${this.def.primaryKey.join(', ')}`;
  }

  private avroKeyRow(avro: AvroReader, key: Buffer): Value[] | string {
    const texts = avro.read(key);
    if (typeof texts === 'string') return `tombstone key: ${texts}`;
    const row = new Array<Value>(this.def.columns.length).fill(null);
    for (let i = 0; i < this.keyColumns.length; i++) {
      const got = textValue(this.def.columns[this.keyColumns[i]], texts[i]);
      if (typeof got === 'string') return `tombstone key: ${got}`;
      row[this.keyColumns[i]] = got.value;
    }
    return row;
  }
}

const ENCODING = '\u0000encoding';

function jsonValue(f: Field, v: unknown): { value: Value } | string {
  if (v === null || v === undefined) return `missing key column "${f.name}"`;
  const b = columnBuilder(f, 1);
  const problem = b.json(0, v);
  return problem !== null ? `column "${f.name}": ${problem.message}` : { value: valuesFromData(b.finish(1), f.type)[0] };
}

function textValue(f: Field, s: string | null): { value: Value } | string {
  if (s === null) return `missing key column "${f.name}"`;
  const b = columnBuilder(f, 1);
  const problem = b.text(0, s);
  return problem !== null ? `column "${f.name}": ${problem.message}` : { value: valuesFromData(b.finish(1), f.type)[0] };
}

/** The fields of a key holding one CSV record, or null. */
function csvRecord(key: Buffer): (string | null)[] | null {
  const fields = new RecordFields();
  let next: number;
  try {
    next = new CsvScanner({ delimiter: ',', nullString: '', endMarker: false }).scan(key, 0, key.length, true, fields);
  } catch (e) {
    if (e instanceof RecordFormatError) return null;
    throw e;
  }
  if (next < key.length) return null;
  return Array.from({ length: fields.count }, (_, k) => fields.textAt(k, key));
}
