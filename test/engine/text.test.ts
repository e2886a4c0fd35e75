import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqlError } from '../../engine/errors';
import { formatValue, parseIntervalMicros, parseValue } from '../../engine/text';
import { T, type SqlType, type Value } from '../../engine/types';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected an error');
}

/** text → value → text as PostgreSQL 15 prints it. */
function roundTrip(type: SqlType, input: string, printed: string): void {
  assert.equal(formatValue(parseValue(input, type), type), printed, `${input}::${type.name}`);
}

test('timestamptz and timestamp print like PostgreSQL (ISO, UTC)', () => {
  roundTrip(T.timestamptz, '2026-01-01 10:00:03+00', '2026-01-01 10:00:03+00');
  roundTrip(T.timestamptz, '2026-01-01T10:00:03Z', '2026-01-01 10:00:03+00');
  roundTrip(T.timestamptz, '2026-01-01 10:00:03.500', '2026-01-01 10:00:03.5+00');
  roundTrip(T.timestamptz, '2026-01-01 12:00:03.000001+02', '2026-01-01 10:00:03.000001+00');
  roundTrip(T.timestamptz, '2026-01-01 05:30:00-04:30', '2026-01-01 10:00:00+00');
  roundTrip(T.timestamptz, '2026-01-01', '2026-01-01 00:00:00+00');
  roundTrip(T.timestamptz, 'epoch', '1970-01-01 00:00:00+00');
  roundTrip(T.timestamptz, 'infinity', 'infinity');
  roundTrip(T.timestamptz, '1969-12-31 23:59:59.9', '1969-12-31 23:59:59.9+00');
  roundTrip(T.timestamp, '2026-01-01 10:00:03+05', '2026-01-01 10:00:03');
  roundTrip(T.timestamp, '0001-01-01 00:00:00 BC', '0001-01-01 00:00:00 BC');
  assert.equal(parseValue('2026-01-01 10:00:03+00', T.timestamptz), 1767261603000000n);
  assert.equal(code(() => parseValue('abc', T.timestamptz)), '22007');
  assert.equal(code(() => parseValue('2026-02-30', T.timestamptz)), '22008');
});

test('date', () => {
  roundTrip(T.date, '2026-03-05', '2026-03-05');
  roundTrip(T.date, '2024-02-29 10:00', '2024-02-29');
  assert.equal(parseValue('1970-01-02', T.date), 1);
  assert.equal(parseValue('1969-12-31', T.date), -1);
  assert.equal(code(() => parseValue('2026-13-01', T.date)), '22008');
});

test('interval input forms and postgres-style output', () => {
  roundTrip(T.interval, '10 seconds', '00:00:10');
  roundTrip(T.interval, '1 minute', '00:01:00');
  roundTrip(T.interval, '1 day 2 hours', '1 day 02:00:00');
  roundTrip(T.interval, '00:00:10', '00:00:10');
  roundTrip(T.interval, 'P1D', '1 day');
  roundTrip(T.interval, 'PT1H30M', '01:30:00');
  roundTrip(T.interval, '1 year 2 months 3 days', '1 year 2 mons 3 days');
  roundTrip(T.interval, '-10 seconds', '-00:00:10');
  roundTrip(T.interval, '-1 day +02:00:00', '-1 days +02:00:00');
  roundTrip(T.interval, '1.5 days', '1 day 12:00:00');
  roundTrip(T.interval, '1.5 years', '1 year 6 mons');
  roundTrip(T.interval, '500 ms', '00:00:00.5');
  roundTrip(T.interval, '10', '00:00:10');
  roundTrip(T.interval, '1 2:03:04', '1 day 02:03:04');
  roundTrip(T.interval, '1 day ago', '-1 days');
  roundTrip(T.interval, '0', '00:00:00');
  roundTrip(T.interval, '25 hours', '25:00:00');
  roundTrip(T.interval, '10s', '00:00:10');
  assert.equal(parseIntervalMicros('1 minute'), 60_000_000);
  assert.equal(parseIntervalMicros('1 day'), 86_400_000_000);
  assert.equal(code(() => parseIntervalMicros('1 month')), '0A000');
  assert.equal(code(() => parseValue('ten seconds', T.interval)), '22007');
});

test('float8 and float4 print the shortest round-trip text like PostgreSQL 12+', () => {
  const f8: [number, string][] = [
    [1e20, '1e+20'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [NaN, 'NaN'], [-0, '-0'], [0, '0'],
    [0.1, '0.1'], [1.5, '1.5'], [123456789012345, '123456789012345'], [1e15, '1e+15'], [0.0001, '0.0001'],
    [0.00001, '1e-05'], [12.5, '12.5'], [0.1 + 0.2, '0.30000000000000004'], [-2.5e-10, '-2.5e-10'],
    [1234567.891, '1234567.891'],
  ];
  for (const [v, s] of f8) assert.equal(formatValue(v, T.float8), s, String(v));
  const f4: [string, string][] = [['0.1', '0.1'], ['100000', '100000'], ['1000000', '1e+06'], ['3.14159', '3.14159'],
    ['1.5', '1.5']];
  for (const [v, s] of f4) roundTrip(T.float4, v, s);
  roundTrip(T.float8, ' 1e5 ', '100000');
  roundTrip(T.float8, '-inf', '-Infinity');
  assert.equal(code(() => parseValue('1e400', T.float8)), '22003');
  assert.equal(code(() => parseValue('abc', T.float8)), '22P02');
});

test('integers with range checks and PostgreSQL wording', () => {
  roundTrip(T.int4, ' 42 ', '42');
  roundTrip(T.int4, '-2147483648', '-2147483648');
  roundTrip(T.int8, '9223372036854775807', '9223372036854775807');
  roundTrip(T.int2, '+7', '7');
  assert.equal(parseValue('12', T.int8), 12n);
  assert.throws(() => parseValue('abc', T.int4), { code: '22P02', message: 'invalid input syntax for type integer: "abc"' });
  assert.throws(() => parseValue('2147483648', T.int4), {
    code: '22003',
    message: 'value "2147483648" is out of range for type integer',
  });
  assert.equal(code(() => parseValue('40000', T.int2)), '22003');
  assert.equal(code(() => parseValue('9223372036854775808', T.int8)), '22003');
  assert.equal(code(() => parseValue('1.5', T.int4)), '22P02');
});

test('numeric prints without exponent or float noise', () => {
  const cases: [Value, string][] = [[1.5, '1.5'], [0.1 + 0.2, '0.3'], [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'], [-3, '-3'], [100, '100']];
  for (const [v, s] of cases) assert.equal(formatValue(v, T.numeric), s);
  roundTrip(T.numeric, '12.25', '12.25');
  assert.equal(code(() => parseValue('1..2', T.numeric)), '22P02');
});

test('booleans accept what PostgreSQL accepts', () => {
  for (const t of ['t', 'true', 'TRUE', 'yes', 'y', 'on', '1', ' tr ']) assert.equal(parseValue(t, T.bool), true, t);
  for (const f of ['f', 'false', 'no', 'n', 'off', '0', 'OF']) assert.equal(parseValue(f, T.bool), false, f);
  assert.equal(formatValue(true, T.bool), 't');
  assert.equal(formatValue(false, T.bool), 'f');
  assert.throws(() => parseValue('o', T.bool), { code: '22P02', message: 'invalid input syntax for type boolean: "o"' });
});

test('jsonb is normalized like PostgreSQL', () => {
  roundTrip(T.jsonb, '{"b":[1,2],"a":1}', '{"a": 1, "b": [1, 2]}');
  roundTrip(T.jsonb, '{"aa":1,"b":2,"a":3,"a":4}', '{"a": 4, "b": 2, "aa": 1}');
  roundTrip(T.jsonb, '[1.50, 1e2, -0, 2.5E-3, "x\\ny", true, null]', '[1.50, 100, 0, 0.0025, "x\\ny", true, null]');
  roundTrip(T.jsonb, ' "\\u00e9" ', '"é"');
  roundTrip(T.jsonb, '{}', '{}');
  assert.equal(code(() => parseValue('{"a":}', T.jsonb)), '22P02');
  assert.equal(code(() => parseValue('[1,]', T.jsonb)), '22P02');
  assert.equal(code(() => parseValue('nul', T.jsonb)), '22P02');
});

test('varchar(n) checks length on assignment', () => {
  const v5: SqlType = { name: 'varchar', length: 5 };
  assert.equal(parseValue('abcde', v5), 'abcde');
  assert.equal(parseValue('abc   ', v5), 'abc  ');
  assert.throws(() => parseValue('abcdef', v5), { code: '22001', message: 'value too long for type character varying(5)' });
});
