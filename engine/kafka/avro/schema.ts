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

/** An Avro schema from its JSON text or value; a schema that is not JSON is a 22023 naming the option. */
function schemaJson(schema: AvroSchemaJson | string, option: string): unknown {
  if (typeof schema !== 'string') return schema;
  try {
    return JSON.parse(schema);
  } catch (e) {
    throw invalid(`option ${option} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The fields of a record schema, read from its JSON (avsc keeps no logical type it has no implementation for), with
 * the avsc type (longs as bigint) that decodes and encodes it. Anything but a record is refused: a message is a row.
 */
export function recordFields(schema: AvroSchemaJson | string, option: string): { type: avro.Type; fields: Map<string, AvroField | string> } {
  const json = schemaJson(schema, option) as { type?: unknown; namespace?: string; name?: string; fields?: { name: string; type: unknown }[] };
  // A fresh registry each time: avsc adds the schema's named types to it, and references are looked up there.
  const registry: Record<string, avro.Type> = { long: bigLong };
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(longsByName(json) as avro.Schema, { registry });
  } catch (e) {
    throw invalid(`option ${option} is not a valid Avro schema: ${(e as Error).message}`);
  }
  if (json.type !== 'record' || !Array.isArray(json.fields)) throw invalid(`option ${option} must be an Avro record schema`);
  const namespace = json.namespace ?? (json.name?.includes('.') ? json.name.slice(0, json.name.lastIndexOf('.')) : undefined);
  const named = (ref: string): string | undefined => (registry[ref] ?? registry[`${namespace}.${ref}`])?.typeName;
  const fields = new Map<string, AvroField | string>();
  for (const f of json.fields) fields.set(f.name.toLowerCase(), fieldOf(f.name, f.type, named));
  return { type, fields };
}

/**
 * The schema with every `{"type": "long", ...}` written as "long": avsc builds its own long type for the object
 * form, bypassing the registry's, and would read such longs (timestamps) as doubles. The logical type is read from
 * the original JSON.
 */
function longsByName(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(longsByName);
  if (t === null || typeof t !== 'object') return t;
  const o = t as Record<string, unknown>;
  if (o.type === 'long') return 'long';
  const out: Record<string, unknown> = { ...o };
  if (o.type !== undefined) out.type = longsByName(o.type);
  if (Array.isArray(o.fields)) out.fields = (o.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: longsByName(f.type) }));
  if (o.items !== undefined) out.items = longsByName(o.items);
  if (o.values !== undefined) out.values = longsByName(o.values);
  return out;
}

/** What Sluice makes of one field's type, or why it cannot map it; `named` gives a referenced named type's kind. */
function fieldOf(name: string, t: unknown, named: (ref: string) => string | undefined): AvroField | string {
  let nullable = false;
  if (Array.isArray(t)) {
    const rest = t.filter((b) => b !== 'null');
    if (rest.length !== 1 || rest.length === t.length) return `a union other than [null, T] (${JSON.stringify(t)})`;
    nullable = true;
    t = rest[0];
  }
  if (typeof t === 'string') {
    if (PRIMITIVES.has(t)) return { name, kind: t as AvroKind, nullable, scale: 0 };
    return named(t) === 'enum' ? { name, kind: 'enum', nullable, scale: 0 } : `type ${named(t) ?? t}`;
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
