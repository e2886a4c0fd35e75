// Result values as JSON, with their types kept: what JSON numbers hold exactly (booleans, int2/int4, floats) as
// JSON, what they would round (int8, numeric) as strings, JSONB as JSON, and everything else (timestamps, dates,
// intervals) in PostgreSQL's text form, the same text the wire protocol sends.

import type { Value } from '../../engine/types';
import type { TimeZone } from '../../engine/values/zone';
import { typeByOid, type TypeName } from '../../engine/types';
import { formatText } from '../protocol/values';
import type { FieldDescription } from '../backend';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Catalog types outside engine/types.ts (catalog queries return them), by OID. */
const CATALOG_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [18, 'char'], [19, 'name'], [24, 'regproc'], [26, 'oid'], [28, 'xid'], [29, 'cid'], [1042, 'bpchar'],
  [2205, 'regclass'], [2206, 'regtype'], [2278, 'void'], [4096, 'regrole'],
]);

/** pg_type.typname of a result column's type. */
export function typeNameOf(oid: number): string {
  return typeByOid(oid)?.name ?? CATALOG_TYPE_NAMES.get(oid) ?? 'unknown';
}

const NUMBER_TYPES: ReadonlySet<TypeName> = new Set(['int2', 'int4', 'float4', 'float8']);

/** One value of a column of type `oid` as JSON; timestamps with time zone print in the session's `zone`. */
export function jsonValue(value: Value, oid: number, zone: TimeZone): JsonValue {
  if (value === null) return null;
  const type = typeByOid(oid);
  if (type === undefined) return typeof value === 'boolean' ? value : formatText(value, oid, zone);
  if (type.name === 'bool') return typeof value === 'boolean' ? value : formatText(value, oid, zone) === 't';
  if (type.name === 'jsonb') return JSON.parse(formatText(value, oid, zone)) as JsonValue;
  const text = formatText(value, oid, zone);
  if (NUMBER_TYPES.has(type.name)) {
    const n = Number(text);
    // NaN and ±Infinity have no JSON number: they go as PostgreSQL writes them.
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** A row as an array of JSON values, in column order. */
export function jsonRow(row: readonly Value[], fields: readonly FieldDescription[], zone: TimeZone): JsonValue[] {
  return row.map((v, i) => jsonValue(v, fields[i].typeOid, zone));
}
