// Choosing the codec for a column or a parameter once (by type OID and format code), then encoding each value.
// Text goes through engine/text.ts; binary through codec-binary.ts. A few catalog-only types that Sluice's own types
// do not cover (name, oid, regclass, void, ...) are known here too, because catalog queries return them.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Value } from '../../engine/types';
import { typeByOid } from '../../engine/types';
import { formatValue, parseValue } from '../../engine/text';
import { normalizeJsonb } from '../../engine/values/jsonb';
import type { TimeZone } from '../../engine/values/timezone';
import { BINARY_DECODERS, BINARY_ENCODERS } from './codec-binary';
import { isStringParamOid, stringParam } from './string-params';

export type FormatCode = 0 | 1;

/** Encodes one non-null value of a column for a DataRow. */
export type ValueEncoder = (value: Exclude<Value, null>) => Buffer;

/** Catalog types outside engine/types.ts whose binary form is the text's bytes. */
const TEXT_LIKE_OIDS = new Set([18 /* char */, 19 /* name */, 1042 /* bpchar */, 705 /* unknown */]);
/** Catalog types whose binary form is an unsigned 32-bit OID. */
const OID_LIKE_OIDS = new Set([26 /* oid */, 24 /* regproc */, 28 /* xid */, 29 /* cid */, 2205, 2206, 4096]);
const VOID_OID = 2278;

/** PostgreSQL text of a non-null value of the type with this OID; a timestamptz in the session's `zone`. */
export function formatText(value: Exclude<Value, null>, oid: number, zone: TimeZone): string {
  if (typeof value === 'string') return value;
  const type = typeByOid(oid);
  if (type !== undefined) return formatValue(value, type, zone);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/** The encoder of a column; text prints a timestamptz in the session's `zone` (binary is UTC microseconds). */
export function valueEncoder(oid: number, format: FormatCode, zone: TimeZone): ValueEncoder {
  if (format === 0) return (v) => Buffer.from(formatText(v, oid, zone), 'utf8');
  const type = typeByOid(oid);
  if (type !== undefined) {
    const encode = BINARY_ENCODERS[type.name];
    // A string for a non-text type is PostgreSQL text: read it back into the canonical value (numeric keeps its
    // digits by encoding the decimal text directly).
    const needsParse = type.name !== 'numeric' && type.name !== 'text' && type.name !== 'varchar' && type.name !== 'unknown';
    return (v) => encode(typeof v === 'string' && needsParse ? nonNull(parseValue(v, type, zone)) : v);
  }
  if (TEXT_LIKE_OIDS.has(oid)) return (v) => Buffer.from(formatText(v, oid, zone), 'utf8');
  if (OID_LIKE_OIDS.has(oid)) {
    return (v) => {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(Number(v) >>> 0);
      return b;
    };
  }
  if (oid === VOID_OID) return () => Buffer.alloc(0);
  throw new SqlError(SQLSTATE.undefined_function, `no binary output function available for type with OID ${oid}`);
}

function nonNull(v: Value): Exclude<Value, null> {
  if (v === null) throw new Error('a non-null text value parsed to NULL');
  return v;
}

/**
 * A Bind parameter as the canonical value of its declared type. An unspecified (0) or unknown type leaves text as
 * a string for the backend to resolve; "char", name and bpchar are text as their input functions shape it
 * (string-params.ts). `index` is 1-based, for error messages; a timestamptz text without an offset is a wall-clock
 * time in the session's `zone`.
 */
export function decodeParam(bytes: Buffer | null, format: FormatCode, oid: number, index: number, zone: TimeZone): Value {
  if (bytes === null) return null;
  if (isStringParamOid(oid)) return stringParam(bytes, format === 1, oid, index);
  const type = typeByOid(oid);
  if (format === 0) {
    const text = bytes.toString('utf8');
    return type === undefined ? text : parseValue(text, type, zone);
  }
  if (type === undefined) {
    if (oid === 0 || TEXT_LIKE_OIDS.has(oid)) return bytes.toString('utf8');
    throw new SqlError(SQLSTATE.feature_not_supported, `binary format is not supported for parameter $${index} of type OID ${oid}`);
  }
  try {
    const value = BINARY_DECODERS[type.name](bytes);
    return type.name === 'jsonb' && typeof value === 'string' ? normalizeJsonb(value) : value;
  } catch (e) {
    if (e instanceof SqlError && e.code !== SQLSTATE.invalid_binary_representation) throw e;
    throw new SqlError(SQLSTATE.invalid_binary_representation, `incorrect binary data format in bind parameter ${index}`);
  }
}
