// Kafka message values → one Arrow RecordBatch per fetched batch, written column by column into typed arrays by the
// row validator every decoder shares (engine/ingest). JSON messages are one object each, fields matched to columns by
// name (case-insensitive, unknown fields ignored, missing ones NULL); CSV messages are one record each (read by
// COPY's CSV scanner), fields in column order, an empty unquoted field NULL. A record that cannot become a row is returned as a BadRecord with its raw bytes and the
// reason; the rest of the batch goes on.
//
// A JSON message is read from its bytes (engine/ingest/json-object.ts): keys matched to columns without making
// strings, strings without escapes handed to the builders as bytes, numbers read in place; JSON.parse builds no
// object per record. Whatever the scan does not take (invalid JSON, a key named twice, an integer-like key, deep
// nesting) goes through JSON.parse as before, so every record decodes, or fails, exactly as JSON.parse would have it.

import { isUtf8 } from 'node:buffer';
import { type Data, makeData, type RecordBatch } from 'apache-arrow';
import { ARRIVAL_COLUMN } from '../catalog';
import { arrowTypeOf, batchFromData, int32View, writeI64 } from '../columns';
import { T, type Field, type Schema } from '../types';
import {
  CsvScanner, JsonColumnNames, JsonFields, JsonObjectScanner, KEY_NEEDS_PARSE, RecordFields, RecordFormatError, RowBuilder,
  RowRules, type ColumnProblem,
} from '../ingest';
import { AvroReader, type AvroFormat } from './avro/reader';

export type RecordFormat = 'json' | 'csv' | AvroFormat;
export type BadRecordReason = 'parse' | 'type' | 'not_null' | 'encoding' | 'size';

/** A record larger than this is refused (reason 'size') before it is even decoded. */
export const MAX_RECORD_BYTES = 1 << 20;

export interface KafkaRecord {
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as text. */
  readonly offset: string;
  readonly value: Buffer | null;
}

export interface BadRecord {
  /** Its index in the records given to decode. */
  readonly index: number;
  readonly partition: number;
  readonly offset: string;
  readonly raw: Uint8Array;
  readonly reason: BadRecordReason;
  readonly error: string;
}

export interface DecodedRecords {
  /** The good rows, in record order. */
  readonly data: RecordBatch;
  /** For each good row, the index of its record in the input. */
  readonly recordOf: Int32Array;
  readonly bad: BadRecord[];
}

export interface DecoderOptions {
  /** Append the hidden `_arrival` column (streams). */
  readonly arrival: boolean;
  /** Columns that must not be NULL besides those declared NOT NULL (a table's primary key). */
  readonly notNull?: readonly string[];
}

class Bad {
  constructor(readonly reason: BadRecordReason, readonly error: string) {}
}

export class RecordDecoder {
  /** The batch schema: the columns, plus `_arrival` for streams. */
  readonly schema: Schema;
  private readonly names: JsonColumnNames;
  private readonly rules: RowRules;
  private readonly csv = new CsvScanner({ delimiter: ',', nullString: '', endMarker: false });
  private readonly fields = new RecordFields();
  private readonly jsonScanner = new JsonObjectScanner();
  private readonly jsonFields = new JsonFields();
  private fieldColumns = new Int32Array(16);
  private readonly avro: AvroReader | null;

  constructor(readonly columns: readonly Field[], readonly format: RecordFormat, private readonly opts: DecoderOptions) {
    this.schema = opts.arrival ? [...columns, { name: ARRIVAL_COLUMN, type: T.timestamptz, nullable: false }] : columns;
    this.rules = new RowRules(columns, opts.notNull);
    this.names = new JsonColumnNames(columns);
    this.avro = typeof format === 'object' ? new AvroReader(columns, format) : null;
  }

  decode(records: readonly KafkaRecord[], arrivalMicros: number): DecodedRecords {
    const cap = records.length;
    const rows = new RowBuilder(this.rules, cap);
    const recordOf = new Int32Array(cap);
    const bad: BadRecord[] = [];
    // seen[c] === stamp when column c was set by the current record (JSON fields come in any order).
    const seen = new Int32Array(this.columns.length);
    let n = 0;
    for (let r = 0; r < cap; r++) {
      const rec = records[r];
      const problem = this.avro !== null ? this.avroRow(this.avro, rec.value, rows, n)
        : this.format === 'json' ? this.jsonRow(rec.value, rows, n, seen, r + 1) : this.csvRow(rec.value, rows, n);
      if (problem === null) {
        recordOf[n++] = r;
      } else {
        const raw = rec.value ?? new Uint8Array(0);
        bad.push({ index: r, partition: rec.partition, offset: rec.offset, raw, reason: problem.reason, error: problem.error });
      }
    }
    const columns = rows.finish(n);
    if (this.opts.arrival) columns.push(constantTimestamp(arrivalMicros, n));
    return { data: batchFromData(this.schema, columns, n), recordOf: recordOf.subarray(0, n), bad };
  }

  /** The bytes of a record, or why they cannot be read. */
  private sized(value: Buffer | null): Buffer | Bad {
    if (value === null) return new Bad('parse', 'the message has no value');
    if (value.length > MAX_RECORD_BYTES) {
      return new Bad('size', `the message is ${value.length} bytes, over the limit of ${MAX_RECORD_BYTES}`);
    }
    return value;
  }

  /** The bytes of a text record, or why they cannot be read. */
  private readable(value: Buffer | null): Buffer | Bad {
    const bytes = this.sized(value);
    if (bytes instanceof Bad || isUtf8(bytes)) return bytes;
    return new Bad('encoding', 'the message is not valid UTF-8');
  }

  private jsonRow(value: Buffer | null, rows: RowBuilder, row: number, seen: Int32Array, stamp: number): Bad | null {
    const bytes = this.readable(value);
    if (bytes instanceof Bad) return bytes;
    const f = this.jsonFields;
    if (!this.jsonScanner.scan(bytes, f)) return this.parsedJsonRow(bytes, rows, row, seen, stamp, false);
    // Every key is matched first: a key JSON.parse would treat otherwise (named twice, integer-like) sends the whole
    // record there, before any value is set.
    const fieldColumn = this.fieldColumn(f.count);
    for (let k = 0; k < f.count; k++) {
      const c = this.names.ofBytes(bytes, f.keyStart[k], f.keyEnd[k], f.keyEscaped[k] === 1);
      // -stamp: a stamp no record uses, as the columns matched so far are marked with this record's.
      if (c === KEY_NEEDS_PARSE || (c >= 0 && seen[c] === stamp)) return this.parsedJsonRow(bytes, rows, row, seen, -stamp, true);
      if (c >= 0) seen[c] = stamp;
      fieldColumn[k] = c;
    }
    for (let k = 0; k < f.count; k++) {
      const c = fieldColumn[k];
      if (c < 0) continue;
      const problem = rows.setJsonField(c, row, f, k, bytes);
      if (problem !== null) return this.bad(problem);
    }
    return this.nullsForMissing(rows, row, seen, stamp);
  }

  /**
   * The record through JSON.parse: what the scanner leaves to it, and the wording of every invalid JSON. When the
   * scanner did read the record (`scanned`: it only had keys JSON.parse orders or repeats), a number is still set
   * from its own digits, as the scanner's path sets it (row-builder.ts readsNumberDigits).
   */
  private parsedJsonRow(bytes: Buffer, rows: RowBuilder, row: number, seen: Int32Array, stamp: number, scanned: boolean): Bad | null {
    let obj: unknown;
    try {
      obj = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      return new Bad('parse', `invalid JSON: ${(e as Error).message}`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      return new Bad('parse', 'expected a JSON object with one field per column');
    }
    const fields = obj as Record<string, unknown>;
    const fieldOfKey = scanned ? this.lastFieldOfKeys(bytes) : null;
    for (const k in fields) {
      const c = this.names.ofString(k);
      if (c < 0 || seen[c] === stamp) continue;
      seen[c] = stamp;
      const v = fields[k];
      const field = typeof v === 'number' ? fieldOfKey?.get(k) : undefined;
      const problem = field === undefined ? rows.setJson(c, row, v) : rows.setJsonField(c, row, this.jsonFields, field, bytes);
      if (problem !== null) return this.bad(problem);
    }
    return this.nullsForMissing(rows, row, seen, stamp);
  }

  /** Each key of the scanned record and its last field, whose value is the one JSON.parse keeps. */
  private lastFieldOfKeys(bytes: Buffer): Map<string, number> {
    const f = this.jsonFields;
    const fieldOfKey = new Map<string, number>();
    for (let k = 0; k < f.count; k++) {
      const key = f.keyEscaped[k] === 1
        ? (JSON.parse(bytes.toString('utf8', f.keyStart[k] - 1, f.keyEnd[k] + 1)) as string)
        : bytes.toString('utf8', f.keyStart[k], f.keyEnd[k]);
      fieldOfKey.set(key, k);
    }
    return fieldOfKey;
  }

  private nullsForMissing(rows: RowBuilder, row: number, seen: Int32Array, stamp: number): Bad | null {
    for (let c = 0; c < this.columns.length; c++) {
      if (seen[c] === stamp) continue;
      const problem = rows.setNull(c, row);
      if (problem !== null) return this.bad(problem);
    }
    return null;
  }

  /** A reused array of at least n entries for the column of each field. */
  private fieldColumn(n: number): Int32Array {
    if (this.fieldColumns.length < n) this.fieldColumns = new Int32Array(2 * n);
    return this.fieldColumns;
  }

  private avroRow(avro: AvroReader, value: Buffer | null, rows: RowBuilder, row: number): Bad | null {
    const bytes = this.sized(value);
    if (bytes instanceof Bad) return bytes;
    const texts = avro.read(bytes);
    if (typeof texts === 'string') return new Bad('parse', texts);
    for (let c = 0; c < texts.length; c++) {
      const text = texts[c];
      const problem = text === null ? rows.setNull(c, row) : rows.setText(c, row, text);
      if (problem !== null) return this.bad(problem);
    }
    return null;
  }

  private csvRow(value: Buffer | null, rows: RowBuilder, row: number): Bad | null {
    const bytes = this.readable(value);
    if (bytes instanceof Bad) return bytes;
    const fields = this.csvFields(bytes);
    if (fields instanceof Bad) return fields;
    if (fields.count !== this.columns.length) {
      return new Bad('parse', `expected ${this.columns.length} CSV fields, got ${fields.count}`);
    }
    for (let c = 0; c < this.columns.length; c++) {
      const problem = rows.setField(c, row, fields, c, bytes);
      if (problem !== null) return this.bad(problem);
    }
    return null;
  }

  /** The fields of a message holding one CSV record (a trailing newline allowed). */
  private csvFields(bytes: Buffer): RecordFields | Bad {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0a) end--;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    try {
      // Every record is read, so that an unterminated quote anywhere is reported as such.
      let records = 0;
      for (let at = 0; at < end || records === 0; records++) at = this.csv.scan(bytes, at, end, true, this.fields);
      if (records > 1) return new Bad('parse', 'a CSV message must hold one record');
      return this.fields;
    } catch (e) {
      if (e instanceof RecordFormatError) return new Bad('parse', `invalid CSV: ${e.message}`);
      throw e;
    }
  }

  /** A dead letter's reason: a value that does not fit says which column it was for. */
  private bad(problem: ColumnProblem): Bad {
    if (problem.kind === 'not_null') return new Bad('not_null', problem.message);
    return new Bad('type', `column "${this.columns[problem.column].name}": ${problem.message}`);
  }
}

function constantTimestamp(micros: number, n: number): Data {
  const values = new BigInt64Array(n);
  const view = int32View(values);
  for (let i = 0; i < n; i++) writeI64(view, i, micros);
  return makeData({ type: arrowTypeOf(T.timestamptz), length: n, nullCount: 0, data: values } as never);
}
