// Rows → Avro message values for sinks with format = 'avro'. The schema is the one given (avro_schema: a record
// with a field, by name, for every column) or one derived from the columns: BOOLEAN boolean, SMALLINT and INTEGER
// int, BIGINT long, REAL float, DOUBLE PRECISION double, TIMESTAMPTZ long timestamp-micros, TIMESTAMP long
// local-timestamp-micros, DATE int date, and every other type (NUMERIC, INTERVAL, JSONB, text) its PostgreSQL text as
// a string; a nullable column is the union [null, T] with default null. Values are plain Avro binary, or with
// avro_wire = 'confluent' prefixed by the magic byte 0 and the 4-byte schema id given in avro_schema_id.

import type * as avro from 'avsc';
import { SqlError, SQLSTATE } from '../../errors';
import { formatValue } from '../../text';
import type { Field, Schema, SqlType, Value } from '../../types';
import { recordFields, unsupported, type AvroKind, type AvroSchemaJson } from './schema';

export interface AvroSinkFormat {
  readonly kind: 'avro';
  /** The given avro_schema, or null to derive one from the columns. */
  readonly schema: string | null;
  /** The Confluent schema id to frame each value with, or null for plain Avro. */
  readonly schemaId: number | null;
}

type ToAvro = (v: Exclude<Value, null>) => unknown;

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class AvroWriter {
  private readonly type: avro.Type;
  private readonly fieldNames: string[] = [];
  private readonly toAvro: ToAvro[] = [];
  private readonly header: Buffer | null;

  /** Throws the CREATE-time error when the schema does not fit the columns. */
  constructor(columns: Schema, format: AvroSinkFormat, sinkName: string) {
    const given = format.schema ?? JSON.stringify(derivedSchema(columns, sinkName));
    this.header = format.schemaId === null ? null : confluentHeader(format.schemaId);
    const { type, fields } = recordFields(given, 'avro_schema');
    this.type = type;
    for (const col of columns) {
      const f = fields.get(col.name.toLowerCase());
      if (f === undefined) throw new SqlError(SQLSTATE.invalid_parameter_value, `column "${col.name}" has no field in option avro_schema`);
      if (typeof f === 'string') throw unsupported(`Avro ${f} of field "${col.name}" is not supported in sinks`);
      const to = writerOf(f.kind, col.type);
      if (to === null) {
        throw new SqlError(SQLSTATE.datatype_mismatch, `column "${col.name}" is of type ${col.type.name} but its Avro field is ${f.kind}`);
      }
      this.fieldNames.push(f.name);
      this.toAvro.push(to);
    }
    // A given schema's other fields must be optional, or no record could be written.
    for (const [, f] of fields) {
      if (typeof f !== 'string' && !this.fieldNames.includes(f.name) && !f.nullable) {
        throw new SqlError(SQLSTATE.invalid_parameter_value, `field "${f.name}" of option avro_schema is not a column and not nullable`);
      }
    }
  }

  /** The Avro encoding of a row of the sink's columns; a value the schema cannot hold throws. */
  encode(row: readonly Value[]): Buffer {
    const record: Record<string, unknown> = {};
    for (let c = 0; c < this.fieldNames.length; c++) {
      const v = row[c];
      record[this.fieldNames[c]] = v === null ? null : this.toAvro[c](v);
    }
    const body = this.type.toBuffer(record);
    return this.header === null ? body : Buffer.concat([this.header, body]);
  }
}

function confluentHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return header;
}

function derivedSchema(columns: Schema, sinkName: string): AvroSchemaJson {
  const name = sinkName.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  return {
    type: 'record', name,
    fields: columns.map((f) => {
      if (!AVRO_NAME.test(f.name)) {
        throw unsupported(`column name "${f.name}" is not an Avro name`, 'Rename it with AS in the query, or give avro_schema.');
      }
      const t = derivedType(f);
      return f.nullable ? { name: f.name, type: ['null', t], default: null } : { name: f.name, type: t };
    }),
  };
}

function derivedType(f: Field): unknown {
  switch (f.type.name) {
    case 'bool': return 'boolean';
    case 'int2': case 'int4': return 'int';
    case 'int8': return 'long';
    case 'float4': return 'float';
    case 'float8': return 'double';
    case 'timestamptz': return { type: 'long', logicalType: 'timestamp-micros' };
    case 'timestamp': return { type: 'long', logicalType: 'local-timestamp-micros' };
    case 'date': return { type: 'int', logicalType: 'date' };
    default: return 'string';
  }
}

const NUMBERS = new Set(['int2', 'int4', 'int8', 'float4', 'float8']);
const INTEGERS = new Set(['int2', 'int4', 'int8']);
const TIMESTAMPS = new Set(['timestamp', 'timestamptz']);

/** How a value of the column's type becomes the field's Avro value, or null when it cannot. */
function writerOf(kind: AvroKind, type: SqlType): ToAvro | null {
  const name = type.name;
  switch (kind) {
    case 'string': return (v) => formatValue(v, type);
    case 'boolean': return name === 'bool' ? (v) => v === true : null;
    case 'int': return INTEGERS.has(name) && name !== 'int8' ? (v) => Number(v) : null;
    case 'long': return INTEGERS.has(name) ? (v) => BigInt(v as number | bigint) : null;
    case 'float': case 'double': return NUMBERS.has(name) ? (v) => Number(v) : null;
    case 'timestamp-micros': case 'local-timestamp-micros': return TIMESTAMPS.has(name) ? (v) => BigInt(v as number | bigint) : null;
    case 'timestamp-millis': case 'local-timestamp-millis':
      return TIMESTAMPS.has(name) ? (v) => floorDiv(BigInt(v as number | bigint), 1000n) : null;
    case 'date': return name === 'date' ? (v) => Number(v) : null;
    default: return null;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}
