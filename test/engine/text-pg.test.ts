// engine/text.ts against PostgreSQL itself (PGlite: PostgreSQL compiled to WebAssembly, already a dependency):
// every literal is read by both, printed by both, and the texts must be equal; invalid literals must fail in both
// with the same SQLSTATE.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { SqlError } from '../../engine/errors';
import { formatValue, parseValue } from '../../engine/text';
import { T, type SqlType } from '../../engine/types';
import { rng } from './helpers';

let db: PGlite;

before(async () => {
  db = new PGlite();
  await db.waitReady;
});

after(async () => {
  await db.close();
});

const PG_NAME: Partial<Record<SqlType['name'], string>> = {
  bool: 'boolean', int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision',
  numeric: 'numeric', text: 'text', timestamp: 'timestamp', timestamptz: 'timestamptz', date: 'date',
  interval: 'interval', jsonb: 'jsonb',
};

/** PostgreSQL's output text for each literal read as `type` (format('%s') uses the type's output function). */
async function pgTexts(type: SqlType, literals: string[]): Promise<string[]> {
  const res = await db.query<{ out: string }>(
    `select format('%s', v::${PG_NAME[type.name]}) as out from unnest($1::text[]) with ordinality as u(v, i) order by i`,
    [literals]);
  return res.rows.map((r) => r.out);
}

async function same(type: SqlType, literals: string[]): Promise<void> {
  const expected = await pgTexts(type, literals);
  const actual = literals.map((l) => formatValue(parseValue(l, type), type));
  for (let i = 0; i < literals.length; i++) assert.equal(actual[i], expected[i], `'${literals[i]}'::${type.name}`);
}

before(async () => {
  // Sessions print in UTC with ISO dates, as Sluice does.
  await db.exec(`set timezone = 'UTC'; set datestyle = 'ISO, MDY'; set intervalstyle = 'postgres'; set extra_float_digits = 1`);
});

test('timestamps, dates and intervals print as PostgreSQL prints them', async () => {
  await same(T.timestamptz, ['2026-01-01 10:00:03+00', '2026-01-01T10:00:03.5Z', '2026-06-30 23:59:59.999999-07',
    '2024-02-29 12:00', '1969-12-31 23:59:59.25+00', 'epoch', 'infinity', '-infinity', '2026-01-01 10:00:03+05:30',
    '0044-03-15 12:00:00 BC', '10000-01-01 00:00:00+00']);
  await same(T.timestamp, ['2026-01-01 10:00:03', '2026-01-01 10:00:03.123+02', '1999-12-31T23:59:59.000001']);
  await same(T.date, ['2026-01-01', '2024-02-29', '1900-03-01', '0001-01-01 BC', 'infinity', '2026-01-01 23:00']);
  await same(T.interval, ['10 seconds', '1 minute', '1 day 2 hours', '00:00:10', 'P1D', 'PT1H30M', '-10 seconds',
    '1 year 2 months 3 days 04:05:06.789', '-1 day +02:00:00', '1.5 days', '1.5 months', '1.5 years', '3 weeks',
    '500 ms', '25 hours', '1 day ago', '0', '@ 2 hours 3 minutes', '1 mon -1 days', '123456789 microseconds',
    'P1Y2M3DT4H5M6.5S', '-1 year -2 mons +3 days -04:00:00']);
});

test('numbers print as PostgreSQL prints them, float8 shortest round trip', async () => {
  await same(T.int4, ['0', '-2147483648', ' 42 ', '+7']);
  await same(T.int8, ['9223372036854775807', '-9223372036854775808', '12']);
  await same(T.bool, ['t', 'yes', 'off', '0', 'TRUE']);
  await same(T.float4, ['0.1', '100000', '1000000', '3.14159', '1e-10', '-2.5e30', 'NaN', '-inf', '16777217']);
  const next = rng(7);
  const doubles: string[] = ['0', '-0', '1e20', '1e15', '1e14', '123456789012345', '0.0001', '0.00001', 'Infinity', 'NaN'];
  for (let i = 0; i < 200; i++) {
    const mantissa = (next() - 0.5) * 10;
    const exp = Math.floor(next() * 60) - 30;
    doubles.push(String(mantissa * 10 ** exp));
  }
  await same(T.float8, doubles);
  // Beyond 2^53 a short decimal can be an exact midpoint between doubles; PostgreSQL then prints 17 digits.
  const bigIntegers = Array.from({ length: 300 }, () => String(Math.floor(next() * 2 ** 20) * 2 ** (53 + Math.floor(next() * 150))));
  await same(T.float8, bigIntegers);
  // float4: values that are exactly float4s (so both sides read the same float), ties included.
  const floats = Array.from({ length: 400 }, (_, i) =>
    String(i % 2 === 0 ? Math.fround((next() - 0.5) * 10 ** (Math.floor(next() * 40) - 20))
      : Math.floor(next() * 2 ** 24) * 2 ** (Math.floor(next() * 60) - 40)));
  await same(T.float4, floats);
  await same(T.numeric, ['12.5', '-3', '100', '0.001', '1e21']);
});

test('jsonb is normalized as PostgreSQL normalizes it', async () => {
  await same(T.jsonb, ['{"b":[1,2],"a":1}', '{"aa":1,"b":2,"a":3,"a":4}', '[1.50, 1e2, -0, 2.5E-3, "x\\ny", true, null]',
    ' "\\u00e9" ', '{}', '[]', '{"é": 1, "z": 2, "ab": {"y": [], "x": {}}}', '"tab\\there \\"q\\" \\\\ \\/"', '1.0e-3']);
});

test('invalid literals fail with the same SQLSTATE as PostgreSQL', async () => {
  const bad: [SqlType, string][] = [
    [T.int4, 'abc'], [T.int4, '2147483648'], [T.int2, '40000'], [T.int8, '9223372036854775808'], [T.int4, '1.5'],
    [T.float8, '1e400'], [T.float8, 'x'], [T.numeric, '1..2'], [T.bool, 'o'], [T.timestamptz, 'abc'],
    [T.timestamptz, '2026-02-30'], [T.date, '2026-13-01'], [T.interval, 'ten seconds'], [T.jsonb, '{"a":}'],
    [T.jsonb, '[1,]'],
  ];
  for (const [type, literal] of bad) {
    let pgCode = 'none';
    try {
      await db.query(`select $1::text::${PG_NAME[type.name]}`, [literal]);
    } catch (e) {
      pgCode = (e as { code?: string }).code ?? 'unknown';
    }
    let ours = 'none';
    try {
      parseValue(literal, type);
    } catch (e) {
      assert.ok(e instanceof SqlError, String(e));
      ours = e.code;
    }
    assert.equal(ours, pgCode, `'${literal}'::${type.name}`);
  }
});
