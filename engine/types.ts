// SQL types as the whole system sees them: the planner types expressions with them, the engine maps each to one
// Arrow type, and the server reports each with its PostgreSQL type OID.

export type TypeName =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'text'
  | 'varchar'
  | 'timestamp'
  | 'timestamptz'
  | 'date'
  | 'interval'
  | 'jsonb'
  // The type of a bare NULL literal or an untyped parameter before the planner resolves it.
  | 'unknown';

export interface SqlType {
  readonly name: TypeName;
  /** VARCHAR(n): the maximum length; absent means unbounded. */
  readonly length?: number;
  /**
   * NUMERIC(p, s): at most `precision` significant digits, rounded to `scale` digits after the point (PostgreSQL 15
   * allows a scale from -1000 to 1000, so it may be negative or above the precision); absent means unconstrained.
   */
  readonly precision?: number;
  readonly scale?: number;
}

export const T = {
  bool: { name: 'bool' },
  int2: { name: 'int2' },
  int4: { name: 'int4' },
  int8: { name: 'int8' },
  float4: { name: 'float4' },
  float8: { name: 'float8' },
  numeric: { name: 'numeric' },
  text: { name: 'text' },
  varchar: { name: 'varchar' },
  timestamp: { name: 'timestamp' },
  timestamptz: { name: 'timestamptz' },
  date: { name: 'date' },
  interval: { name: 'interval' },
  jsonb: { name: 'jsonb' },
  unknown: { name: 'unknown' },
} as const satisfies Record<TypeName, SqlType>;

/** PostgreSQL type OIDs, as reported in RowDescription and ParameterDescription. */
export const TYPE_OID: Record<TypeName, number> = {
  bool: 16,
  int2: 21,
  int4: 23,
  int8: 20,
  float4: 700,
  float8: 701,
  numeric: 1700,
  text: 25,
  varchar: 1043,
  timestamp: 1114,
  timestamptz: 1184,
  date: 1082,
  interval: 1186,
  jsonb: 3802,
  unknown: 705,
};

/** pg_type.typlen for RowDescription: -1 is variable length. */
export const TYPE_SIZE: Record<TypeName, number> = {
  bool: 1,
  int2: 2,
  int4: 4,
  int8: 8,
  float4: 4,
  float8: 8,
  numeric: -1,
  text: -1,
  varchar: -1,
  timestamp: 8,
  timestamptz: 8,
  date: 4,
  interval: 16,
  jsonb: -1,
  unknown: -2,
};

/** The name PostgreSQL's format_type prints, used by error messages and the catalog. */
export function typeDisplayName(t: SqlType): string {
  switch (t.name) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'numeric': return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'text': return 'text';
    case 'varchar': return t.length === undefined ? 'character varying' : `character varying(${t.length})`;
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    case 'date': return 'date';
    case 'interval': return 'interval';
    case 'jsonb': return 'jsonb';
    case 'unknown': return 'unknown';
  }
}

/** Built once: Bind looks up the type of every parameter of every statement. */
const TYPE_BY_OID: ReadonlyMap<number, SqlType> = new Map(
  (Object.keys(TYPE_OID) as TypeName[]).map((name): [number, SqlType] => [TYPE_OID[name], T[name]]));

export function typeByOid(oid: number): SqlType | undefined {
  return TYPE_BY_OID.get(oid);
}

/** Same type and same modifier (varchar's length, numeric's precision and scale). */
export function sameType(a: SqlType, b: SqlType): boolean {
  return a.name === b.name && a.length === b.length && a.precision === b.precision && a.scale === b.scale;
}

/** Whether the type carries a modifier that values must be fitted to (varchar(n), numeric(p, s)). */
export function hasModifier(t: SqlType): boolean {
  return t.length !== undefined || t.precision !== undefined;
}

/**
 * PostgreSQL's atttypmod, as RowDescription reports it: varchar(n) is n + 4 (the varlena header), numeric(p, s) is
 * ((p << 16) | (s & 0x7ff)) + 4; -1 means none.
 */
export function typeModifier(t: SqlType): number {
  if (t.name === 'varchar' && t.length !== undefined) return t.length + 4;
  if (t.name === 'numeric' && t.precision !== undefined) return ((t.precision << 16) | ((t.scale ?? 0) & 0x7ff)) + 4;
  return -1;
}

/** An INTERVAL value, kept in PostgreSQL's three parts because months and days have no fixed length. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

/**
 * The canonical JavaScript value of each SQL type, used wherever single values cross a boundary (literals in plans,
 * parameters, rows handed to the server). Columns inside the engine are Arrow arrays, never arrays of these.
 *
 * bool: boolean · int2, int4, float4, float8, numeric: number · int8: bigint · text, varchar, jsonb: string ·
 * timestamp, timestamptz: bigint microseconds since 1970-01-01 00:00:00 UTC (timestamp: of the wall-clock time read
 * as UTC) · date: number of days since 1970-01-01 · interval: Interval · NULL: null.
 *
 * A `string` given for a non-text type is that value's PostgreSQL text representation, already formatted; the
 * server sends it as is in text format (this is how results computed elsewhere, such as catalog queries, pass
 * through).
 */
export type Value = null | boolean | number | bigint | string | Interval;

export interface Field {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
}

export type Schema = readonly Field[];
