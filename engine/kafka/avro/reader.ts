// Avro message values → the PostgreSQL text of each column, which the row builders every decoder shares then check
// and store (so a value out of a column's range is a dead letter with PostgreSQL's message, as for JSON and CSV).
// Fields are matched to columns by name, case-insensitively; every column needs a field of a type it can take,
// checked at CREATE. With avro_wire = 'confluent' each message starts with the magic byte 0 and a 4-byte schema id,
// which is checked only against avro_schema_id when given: with no schema registry here, the inline schema is the one
// every message is read with.

import type * as avro from 'avsc';
import { SqlError, SQLSTATE } from '../../errors';
import type { Field, TypeName } from '../../types';
import { formatDate, formatTimestamp } from '../../values/datetime';
import { recordFields, unsupported, type AvroField, type AvroKind } from './schema';

export type AvroWire = 'plain' | 'confluent';

export interface AvroFormat {
  readonly kind: 'avro';
  readonly schema: string;
  readonly wire: AvroWire;
  /** With the Confluent wire format: the only schema id accepted (avro_schema_id), or null for any. */
  readonly schemaId: number | null;
  /** Tables: the schema of message keys (avro_key_schema), for tombstones; null reads keys as JSON or text. */
  readonly keySchema: string | null;
}

const CONFLUENT_HEADER = 5;

/** The Avro kinds each column type takes. */
const TAKES: Record<TypeName, readonly AvroKind[]> = {
  bool: ['boolean', 'string'],
  int2: ['int', 'long', 'string'],
  int4: ['int', 'long', 'string'],
  int8: ['int', 'long', 'string'],
  float4: ['int', 'long', 'float', 'double', 'decimal', 'string'],
  float8: ['int', 'long', 'float', 'double', 'decimal', 'string'],
  numeric: ['int', 'long', 'float', 'double', 'decimal', 'string'],
  text: ['string', 'enum', 'bytes', 'int', 'long', 'boolean', 'float', 'double', 'decimal'],
  varchar: ['string', 'enum', 'bytes', 'int', 'long', 'boolean', 'float', 'double', 'decimal'],
  timestamptz: ['timestamp-millis', 'timestamp-micros', 'string'],
  timestamp: ['local-timestamp-millis', 'local-timestamp-micros', 'timestamp-millis', 'timestamp-micros', 'string'],
  date: ['date', 'string'],
  interval: ['string'],
  jsonb: ['string'],
  unknown: [],
};

type ToText = (v: unknown) => string;

export class AvroReader {
  private readonly type: avro.Type;
  private readonly fieldNames: string[];
  private readonly toText: ToText[];

  /** Throws the CREATE-time error when the schema does not fit the columns. */
  constructor(columns: readonly Field[], readonly format: AvroFormat, option = 'avro_schema') {
    const { type, fields } = recordFields(format.schema, option);
    this.type = type;
    this.fieldNames = [];
    this.toText = [];
    for (const col of columns) {
      const f = fields.get(col.name.toLowerCase());
      if (f === undefined) {
        throw new SqlError(SQLSTATE.invalid_parameter_value, `column "${col.name}" has no field in option ${option}`);
      }
      if (typeof f === 'string') throw unsupported(`Avro ${f} of field "${col.name}" is not supported`);
      if (!TAKES[col.type.name].includes(f.kind)) {
        throw new SqlError(SQLSTATE.datatype_mismatch, `column "${col.name}" is of type ${col.type.name} but its Avro field is ${f.kind}`);
      }
      this.fieldNames.push(f.name);
      this.toText.push(textOf(f, col.type.name === 'timestamptz'));
    }
  }

  /** Each column's text (null for NULL), or why the message cannot be read. */
  read(value: Buffer): (string | null)[] | string {
    let body = value;
    if (this.format.wire === 'confluent') {
      if (value.length < CONFLUENT_HEADER || value[0] !== 0) return 'the message is not in the Confluent wire format (magic byte 0, schema id)';
      const id = value.readInt32BE(1);
      if (this.format.schemaId !== null && id !== this.format.schemaId) {
        return `the message has schema id ${id}, not ${this.format.schemaId} (option avro_schema_id)`;
      }
      body = value.subarray(CONFLUENT_HEADER);
    }
    let record: Record<string, unknown>;
    try {
      record = this.type.fromBuffer(body) as Record<string, unknown>;
    } catch (e) {
      return `invalid Avro: ${(e as Error).message}`;
    }
    try {
      return this.fieldNames.map((name, c) => {
        const v = record[name];
        return v === null || v === undefined ? null : this.toText[c](v);
      });
    } catch (e) {
      // A value with no text form (a date or timestamp out of every calendar) is this record's fault, not the source's.
      return `invalid Avro value: ${(e as Error).message}`;
    }
  }
}

/**
 * The reader of a table's Avro keys: a record with the key columns, or for a one-column key also a bare type
 * ("long", "string"), read as a record of that one field, whose encoding is the same bytes.
 */
export function avroKeyReader(keyColumns: readonly Field[], format: AvroFormat): AvroReader | null {
  if (format.keySchema === null) return null;
  let schema: unknown;
  try {
    schema = JSON.parse(format.keySchema);
  } catch (e) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `option avro_key_schema is not valid JSON: ${(e as Error).message}`);
  }
  const isRecord = typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'record';
  if (!isRecord && keyColumns.length === 1) {
    schema = { type: 'record', name: 'SluiceKey', fields: [{ name: keyColumns[0].name, type: schema }] };
  }
  // Keys have their own schema id (their own subject in a registry): avro_schema_id is for values.
  return new AvroReader(keyColumns, { ...format, schema: JSON.stringify(schema), schemaId: null }, 'avro_key_schema');
}

function textOf(f: AvroField, zone: boolean): ToText {
  switch (f.kind) {
    case 'boolean': return (v) => (v ? 'true' : 'false');
    case 'bytes': return (v) => `\\x${(v as Buffer).toString('hex')}`;
    case 'timestamp-millis': case 'local-timestamp-millis': return (v) => formatTimestamp((v as bigint) * 1000n, zone);
    case 'timestamp-micros': case 'local-timestamp-micros': return (v) => formatTimestamp(v as bigint, zone);
    case 'date': return (v) => formatDate(v as number);
    case 'decimal': return (v) => decimalText(v as Buffer, f.scale);
    default: return (v) => String(v);
  }
}

/** A decimal's bytes (big-endian two's complement of the unscaled value) as NUMERIC text. */
export function decimalText(bytes: Buffer, scale: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0] >= 0x80) n -= 1n << BigInt(8 * bytes.length);
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) {
    digits += '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}
