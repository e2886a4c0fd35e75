// Avro schemas given inline (option avro_schema): parsed with avsc, with longs read as bigint so no 64-bit value
// loses digits, and each field reduced to what Sluice maps to SQL: a primitive or logical type, nullable when it is
// a union with null. Other unions, arrays, maps, nested records and fixed without a logical type have no SQL type
// here yet and are refused (0A000) when a column would take them.

import * as avro from 'avsc';
import { SqlError, SQLSTATE } from '../../errors';

/** An Avro type as Sluice reads and writes it. */
export type AvroKind =
  | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes' | 'enum'
  | 'timestamp-millis' | 'timestamp-micros' | 'local-timestamp-millis' | 'local-timestamp-micros' | 'date' | 'decimal';

export interface AvroField {
  readonly name: string;
  readonly kind: AvroKind;
  readonly nullable: boolean;
  /** Digits after the point of a decimal. */
  readonly scale: number;
}

/** The JSON of an Avro schema, as avro_schema holds it and a sink derives it. */
export type AvroSchemaJson = Record<string, unknown>;

const PRIMITIVES = new Set(['boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);
const LOGICAL: Record<string, string> = {
  'timestamp-millis': 'long', 'timestamp-micros': 'long', 'local-timestamp-millis': 'long', 'local-timestamp-micros': 'long',
  date: 'int', decimal: 'bytes|fixed',
};

const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

function invalid(message: string): SqlError {
  return new SqlError(SQLSTATE.invalid_parameter_value, message);
}

export function unsupported(message: string, hint?: string): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { hint });
}

/** The avsc type of a schema (longs as bigint); a schema avsc refuses is a 22023 naming the option. */
export function avroType(schema: AvroSchemaJson | string, option: string): avro.Type {
  let json: unknown = schema;
  if (typeof schema === 'string') {
    try {
      json = JSON.parse(schema);
    } catch (e) {
      throw invalid(`option ${option} is not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    // A fresh registry each time: avsc adds the schema's named types to it.
    return avro.Type.forSchema(json as avro.Schema, { registry: { long: bigLong } });
  } catch (e) {
    throw invalid(`option ${option} is not a valid Avro schema: ${(e as Error).message}`);
  }
}

/** The fields of a record schema; anything else is refused, as a message maps to one row. */
export function recordFields(schema: AvroSchemaJson | string, option: string): { type: avro.Type; fields: Map<string, AvroField | string> } {
  const type = avroType(schema, option);
  const json = type.schema({ exportAttrs: true }) as { type?: string; fields?: { name: string; type: unknown }[] };
  if (json.type !== 'record' || json.fields === undefined) throw invalid(`option ${option} must be an Avro record schema`);
  const fields = new Map<string, AvroField | string>();
  for (const f of json.fields) fields.set(f.name.toLowerCase(), fieldOf(f.name, f.type));
  return { type, fields };
}

/** What Sluice makes of one field's type, or why it cannot map it. */
function fieldOf(name: string, t: unknown): AvroField | string {
  let nullable = false;
  if (Array.isArray(t)) {
    const rest = t.filter((b) => b !== 'null');
    if (rest.length !== 1 || rest.length === t.length) return `a union other than [null, T] (${JSON.stringify(t)})`;
    nullable = true;
    t = rest[0];
  }
  if (typeof t === 'string') {
    return PRIMITIVES.has(t) ? { name, kind: t as AvroKind, nullable, scale: 0 } : `type ${t}`;
  }
  const o = t as { type?: unknown; logicalType?: string; scale?: number };
  const logical = o.logicalType;
  if (logical !== undefined && LOGICAL[logical]?.split('|').includes(String(o.type))) {
    return { name, kind: logical as AvroKind, nullable, scale: o.scale ?? 0 };
  }
  if (o.type === 'enum') return { name, kind: 'enum', nullable, scale: 0 };
  if (typeof o.type === 'string' && PRIMITIVES.has(o.type) && logical === undefined) {
    return { name, kind: o.type as AvroKind, nullable, scale: 0 };
  }
  return logical !== undefined ? `logical type ${logical}` : `type ${String(o.type)}`;
}
