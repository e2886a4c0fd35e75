// The binary codecs, byte for byte: known PostgreSQL encodings, round trips, pg-types' independent binary parsers as
// a cross-check, and the parameter decoder's errors.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getTypeParser } from 'pg-types';
import { SqlError } from '../../engine/errors';
import { T, type TypeName, type Value } from '../../engine/types';
import { BINARY_DECODERS, BINARY_ENCODERS } from '../../server/protocol/codec-binary';
import { decodeNumericText, encodeNumericText } from '../../server/protocol/numeric-binary';
import { decodeParam, valueEncoder } from '../../server/protocol/values';
import { UTC_ZONE } from '../../engine/values/timezone';

const hex = (b: Buffer): string => b.toString('hex');

describe('numeric binary', () => {
  test('known encodings', () => {
    // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780
    assert.equal(hex(encodeNumericText('12345.678')), '0003' + '0001' + '0000' + '0003' + '0001' + '0929' + '1a7c');
    assert.equal(hex(encodeNumericText('0')), '0000000000000000');
    assert.equal(hex(encodeNumericText('0.00')), '0000000000000002');
    assert.equal(hex(encodeNumericText('-0.0001')), '0001' + 'ffff' + '4000' + '0004' + '0001');
    assert.equal(hex(encodeNumericText('NaN')), '00000000c0000000');
    assert.equal(hex(encodeNumericText('Infinity')), '00000000d0000000');
    assert.equal(hex(encodeNumericText('10000')), '0001' + '0001' + '0000' + '0000' + '0001');
  });

  test('round trips keep every digit and the scale', () => {
    for (const s of ['0', '1', '-1', '12345.678', '0.0001', '10000', '-0.5', '99999999.99990000', '123456789012345678901234567890.123456789', 'NaN', 'Infinity', '-Infinity', '0.000']) {
      assert.equal(decodeNumericText(encodeNumericText(s)), s);
    }
  });

  test('pg-types reads what we write', () => {
    const parse = getTypeParser(1700, 'binary') as (b: Buffer) => unknown;
    // (pg-types reads the weight unsigned, so values below 1 are left out of this cross-check)
    for (const s of ['12345.678', '-1.5', '10000', '42', '-98765.4321']) assert.equal(Number(parse(encodeNumericText(s))), Number(s));
  });

  test('corrupt input is 22P03, not a crash', () => {
    assert.throws(() => decodeNumericText(Buffer.from('0001', 'hex')), (e: SqlError) => e.code === '22P03');
    assert.throws(() => decodeNumericText(Buffer.from('00010000000000002710', 'hex')), (e: SqlError) => e.code === '22P03');
  });
});

describe('binary codecs', () => {
  const cases: [TypeName, Value, string][] = [
    ['bool', true, '01'],
    ['bool', false, '00'],
    ['int2', -2, 'fffe'],
    ['int4', 305419896, '12345678'],
    ['int8', -1n, 'ffffffffffffffff'],
    ['int8', 9007199254740993n, '0020000000000001'],
    ['float4', 1.5, '3fc00000'],
    ['float8', -2.5, 'c004000000000000'],
    ['text', 'hé', '68c3a9'],
    ['varchar', '', ''],
    ['date', 10957, '00000000'], // 2000-01-01
    ['date', 0, 'ffffd533'], // 1970-01-01 is 10957 days before
    ['timestamp', 946684800000000n, '0000000000000000'],
    ['timestamptz', 946684800000001n, '0000000000000001'],
    ['timestamptz', 0n, 'fffca2fec4c82000'], // 1970-01-01
    ['interval', { months: 14, days: 3, micros: 4_000_000 }, '00000000003d0900' + '00000003' + '0000000e'],
    ['jsonb', '{"a": 1}', '01' + Buffer.from('{"a": 1}').toString('hex')],
  ];

  test('known encodings and round trips', () => {
    for (const [type, value, bytes] of cases) {
      const encoded = BINARY_ENCODERS[type](value as Exclude<Value, null>);
      assert.equal(hex(encoded), bytes, `${type} ${String(value)}`);
      assert.deepEqual(BINARY_DECODERS[type](encoded), value, `${type} decode`);
    }
  });

  test('pg-types reads our integers, floats, bools and timestamps', () => {
    const parse = (oid: number, b: Buffer): unknown => (getTypeParser(oid, 'binary') as (b: Buffer) => unknown)(b);
    assert.equal(parse(23, BINARY_ENCODERS.int4(-7)), -7);
    assert.equal(parse(701, BINARY_ENCODERS.float8(3.25)), 3.25);
    assert.equal(parse(16, BINARY_ENCODERS.bool(true)), true);
    const ts = parse(1184, BINARY_ENCODERS.timestamptz(1_700_000_000_123_000n)) as Date;
    assert.equal(ts.getTime(), 1_700_000_000_123);
  });

  test('wrong lengths are 22P03', () => {
    assert.throws(() => BINARY_DECODERS.int4(Buffer.alloc(3)), (e: SqlError) => e.code === '22P03');
    assert.throws(() => BINARY_DECODERS.jsonb(Buffer.from('7b7d', 'hex')), (e: SqlError) => e.code === '22P03');
  });
});

describe('value encoders and parameter decoding', () => {
  test('text format goes through PostgreSQL text output', () => {
    assert.equal(valueEncoder(16, 0, UTC_ZONE)(true).toString(), 't');
    assert.equal(valueEncoder(20, 0, UTC_ZONE)(12n).toString(), '12');
    assert.equal(valueEncoder(1184, 0, UTC_ZONE)(0n).toString(), '1970-01-01 00:00:00+00');
    assert.equal(valueEncoder(1082, 0, UTC_ZONE)(10957).toString(), '2000-01-01');
    assert.equal(valueEncoder(19, 0, UTC_ZONE)('a_name').toString(), 'a_name'); // a catalog type outside engine/types.ts
  });

  test('binary format of a value given as PostgreSQL text is parsed first', () => {
    assert.equal(hex(valueEncoder(23, 1, UTC_ZONE)('42')), '0000002a');
    assert.equal(hex(valueEncoder(1184, 1, UTC_ZONE)('2000-01-01 00:00:00+00')), '0000000000000000');
    assert.equal(hex(valueEncoder(1700, 1, UTC_ZONE)('12345.678')), hex(encodeNumericText('12345.678')));
    assert.equal(hex(valueEncoder(26, 1, UTC_ZONE)(1259)), '000004eb'); // oid
    assert.equal(valueEncoder(2278, 1, UTC_ZONE)('').length, 0); // void
  });

  test('binary output of an unknown type is refused at Bind time (42883)', () => {
    assert.throws(() => valueEncoder(1009, 1, UTC_ZONE), (e: SqlError) => e.code === '42883');
  });

  test('parameters: text and binary into canonical values', () => {
    assert.equal(decodeParam(Buffer.from('9007199254740993'), 0, 20, 1, UTC_ZONE), 9007199254740993n);
    assert.equal(decodeParam(Buffer.from('0000002a', 'hex'), 1, 23, 1, UTC_ZONE), 42);
    assert.equal(decodeParam(Buffer.from('2000-01-02'), 0, 1082, 1, UTC_ZONE), 10958);
    assert.equal(decodeParam(Buffer.from('anything'), 0, 0, 1, UTC_ZONE), 'anything'); // unspecified type: text as is
    assert.equal(decodeParam(null, 1, 23, 1, UTC_ZONE), null);
    assert.equal(decodeParam(Buffer.from('01' + Buffer.from('{"b":2,"a":1}').toString('hex'), 'hex'), 1, 3802, 1, UTC_ZONE), '{"a": 1, "b": 2}');
    assert.deepEqual(decodeParam(BINARY_ENCODERS.interval({ months: 1, days: 2, micros: 3 }), 1, 1186, 1, UTC_ZONE), { months: 1, days: 2, micros: 3 });
    assert.equal(decodeParam(encodeNumericText('-1.25'), 1, 1700, 1, UTC_ZONE), '-1.25');
  });

  test('bad parameters: 22P02 for text, 22P03 for binary', () => {
    assert.throws(() => decodeParam(Buffer.from('x'), 0, 23, 1, UTC_ZONE), (e: SqlError) => e.code === '22P02');
    assert.throws(
      () => decodeParam(Buffer.from('00', 'hex'), 1, 23, 2, UTC_ZONE),
      (e: SqlError) => e.code === '22P03' && e.message === 'incorrect binary data format in bind parameter 2',
    );
  });

  test('every type has both codecs', () => {
    for (const name of Object.keys(T) as TypeName[]) {
      assert.equal(typeof BINARY_ENCODERS[name], 'function');
      assert.equal(typeof BINARY_DECODERS[name], 'function');
    }
  });
});
