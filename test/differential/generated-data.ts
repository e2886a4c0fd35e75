// The seeded data of the generated differential suite: one column of every type of SQL.md's Types, with values
// where implementations go wrong (integers at their limits and around ±2^53, NUMERICs of many digits and scales, a
// NUMERIC(p, s) that rounds what is written to it, unicode text and the empty string, timestamps around the 2026 DST
// changes in Europe and the US, NULLs in every nullable column). The same rows go into Sluice and into PostgreSQL 15.

/** A column's SQL type family: what the query generator may do with it. */
export type ColumnKind =
  | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric' | 'numeric_ps' | 'text' | 'varchar' | 'bool'
  | 'date' | 'timestamp' | 'timestamptz' | 'interval' | 'jsonb';

export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly sqlType: string;
  /** SQL literals the rows draw from ('NULL' among them). */
  readonly values: readonly string[];
}

const ts = (s: string): string => `'${s}'`;

export const COLUMNS: readonly Column[] = [
  { name: 'si', kind: 'int2', sqlType: 'SMALLINT', values: ['-32768', '32767', '0', '1', '-1', '7', '300', 'NULL'] },
  { name: 'ii', kind: 'int4', sqlType: 'INTEGER',
    values: ['-2147483648', '2147483647', '0', '42', '-5', '1000', '7', 'NULL'] },
  { name: 'bi', kind: 'int8', sqlType: 'BIGINT',
    values: ['9007199254740993', '-9007199254740993', '9007199254740992', '9223372036854775807',
      '-9223372036854775808', '0', '12', '-3', 'NULL'] },
  { name: 'r4', kind: 'float4', sqlType: 'REAL', values: ['0.1', '-1.5', '3.4028235e38', '1e-10', '0', '2.5', 'NULL'] },
  { name: 'f8', kind: 'float8', sqlType: 'DOUBLE PRECISION',
    values: ['0.1', '1e300', '-2.5', '0.3333333333333333', '0', '123456.789', '-1e-7', 'NULL'] },
  { name: 'nu', kind: 'numeric', sqlType: 'NUMERIC',
    values: ['12345678901234567.89', '-0.000001', '99999999999999999999.999999', '1.50', '-7', '0',
      '3.14159265358979323846264338327950288', '-123456789012345678901234567890', 'NULL'] },
  // Rounded on the way in, half away from zero, to one scale: -0.0005 is stored as -0.001, 1.5 as 1.500.
  { name: 'np', kind: 'numeric_ps', sqlType: 'NUMERIC(12, 3)',
    values: ['1.5', '-0.0005', '123456789.1235', '0', '-7.25', '99.9995', '0.001', 'NULL'] },
  { name: 'tx', kind: 'text', sqlType: 'TEXT',
    values: ["'café'", "'😀 emoji'", "'漢字かな'", "''", "'Zebra'", "'apple'", "'a_b%c'", "'Ünïcödé ß'", 'NULL'] },
  { name: 'vc', kind: 'varchar', sqlType: 'VARCHAR(12)',
    values: ["'eu'", "'us'", "'zürich'", "'東京'", "''", "'ab'", 'NULL'] },
  { name: 'bo', kind: 'bool', sqlType: 'BOOLEAN', values: ['true', 'false', 'NULL'] },
  { name: 'dt', kind: 'date', sqlType: 'DATE',
    values: [ts('2026-03-29'), ts('2026-03-08'), ts('2026-11-01'), ts('2026-10-25'), ts('1999-12-31'),
      ts('2024-02-29'), 'NULL'] },
  { name: 'tm', kind: 'timestamp', sqlType: 'TIMESTAMP',
    values: [ts('2026-03-29 01:30:00'), ts('2026-03-08 02:30:00'), ts('2026-11-01 01:30:00.5'),
      ts('2026-10-25 02:59:59.999999'), ts('2000-01-01 00:00:00'), 'NULL'] },
  { name: 'tz', kind: 'timestamptz', sqlType: 'TIMESTAMPTZ',
    values: [ts('2026-03-29 00:59:59+00'), ts('2026-03-29 01:00:00+00'), ts('2026-03-29 03:30:00+02'),
      ts('2026-03-08 01:59:59.5-05'), ts('2026-03-08 03:00:00-04'), ts('2026-10-25 02:30:00+01'),
      ts('2026-11-01 01:30:00-05'), ts('2026-11-01 01:30:00-04'), 'NULL'] },
  { name: 'iv', kind: 'interval', sqlType: 'INTERVAL',
    values: [ts('1 day 02:00:00'), ts('-3 hours'), ts('1 mon'), ts('00:00:00.5'), ts('2 years -10 days'), 'NULL'] },
  { name: 'js', kind: 'jsonb', sqlType: 'JSONB',
    values: [ts('{"a": 1, "b": [1, 2.50]}'), ts('{"k": "v", "a": "x"}'), ts('[1, 2, 3]'), ts('null'),
      ts('{"a": {"k": "é"}}'), 'NULL'] },
];

/** The relations the queries read: two tables (with and without a primary key) and a stream with retention. */
export interface Relation {
  readonly name: string;
  readonly kind: 'table' | 'stream';
  readonly primaryKey: boolean;
}

export const TABLE_PK: Relation = { name: 'gen_pk', kind: 'table', primaryKey: true };
export const TABLE_PLAIN: Relation = { name: 'gen_plain', kind: 'table', primaryKey: false };
export const STREAM: Relation = { name: 'gen_events', kind: 'stream', primaryKey: false };
export const RELATIONS: readonly Relation[] = [TABLE_PK, TABLE_PLAIN, STREAM];

/** `id` is the primary key in TABLE_PK and an ordinary (repeating) integer elsewhere. */
export function createStatements(r: Relation): { sluice: string; postgres: string } {
  const cols = [`id INTEGER${r.primaryKey ? ' PRIMARY KEY' : ''}`, ...COLUMNS.map((c) => `${c.name} ${c.sqlType}`)];
  const body = `${r.name} (${cols.join(', ')})`;
  return {
    sluice: r.kind === 'stream' ? `CREATE STREAM ${body} WITH (retention = '1 hour')` : `CREATE TABLE ${body}`,
    postgres: `CREATE TABLE ${body}`,
  };
}

/** `count` rows of literals for `r`, split into `batches` INSERT statements (the same text for both systems). */
export function insertBatches(r: Relation, random: () => number, count: number, batches: number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const rows: string[] = [];
  for (let n = 1; n <= count; n++) {
    const id = r.primaryKey ? n : 1 + Math.floor(random() * (count / 3));
    // Non-key rows repeat whole now and then: a multiset must keep both copies.
    const row = `(${[String(id), ...COLUMNS.map((c) => pick(c.values))].join(', ')})`;
    rows.push(row);
    if (!r.primaryKey && random() < 0.1) rows.push(row);
  }
  const size = Math.ceil(rows.length / batches);
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += size) {
    out.push(`INSERT INTO ${r.name} (id, ${COLUMNS.map((c) => c.name).join(', ')}) VALUES ${rows.slice(i, i + size).join(', ')}`);
  }
  return out;
}
