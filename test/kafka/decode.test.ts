// Decoding Kafka records into Arrow columns, without a broker: every SQL type from JSON and CSV, bad records with
// their reasons, the hand-written timestamp reader against PostgreSQL's parser, the sink's JSON read back by the
// source's decoder. (Throughput is measured by `npm run bench`'s Kafka path; tests assert no timings.)

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDecoder, SinkEncoder, MAX_RECORD_BYTES, type KafkaRecord } from '../../engine/kafka';
import { fastTimestamp } from '../../engine/ingest/fast-timestamp';
import { batchFromRows, rowsFromBatch } from '../../engine/columns';
import { parseTimestamp } from '../../engine/text';
import { T, type Field, type Value } from '../../engine/types';

const ALL: Field[] = [
  { name: 'b', type: T.bool, nullable: true },
  { name: 's', type: T.int2, nullable: true },
  { name: 'i', type: T.int4, nullable: true },
  { name: 'big', type: T.int8, nullable: true },
  { name: 'r', type: T.float4, nullable: true },
  { name: 'd', type: T.float8, nullable: true },
  { name: 'num', type: T.numeric, nullable: true },
  { name: 'txt', type: T.text, nullable: true },
  { name: 'vc', type: { name: 'varchar', length: 3 }, nullable: true },
  { name: 'ts', type: T.timestamp, nullable: true },
  { name: 'tstz', type: T.timestamptz, nullable: true },
  { name: 'day', type: T.date, nullable: true },
  { name: 'iv', type: T.interval, nullable: true },
  { name: 'j', type: T.jsonb, nullable: true },
];

const rec = (value: string | Buffer | null, offset = 0): KafkaRecord =>
  ({ partition: 0, offset: String(offset), value: typeof value === 'string' ? Buffer.from(value) : value });

const US = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('Kafka record decoding', () => {
  test('JSON: every type, names case-insensitive, unknown fields ignored, missing fields NULL', () => {
    const d = new RecordDecoder(ALL, 'json', { arrival: true });
    const out = d.decode([
      rec(JSON.stringify({
        B: true, s: -5, i: '42', BIG: '9007199254740993', r: 1.5, d: 'NaN', num: 12.25, txt: 7, vc: 'abc',
        ts: '2026-01-01 10:00:00.5', TsTz: '2026-01-01T12:00:00+02:00', day: '2026-03-01', iv: '1 day 02:00:00',
        j: { b: [1, 2], a: null }, extra: 'ignored',
      })),
      rec(JSON.stringify({ tstz: 1767261600123, big: 12, day: 3 })),
      rec('{}'),
    ], 1_000_000);
    assert.equal(out.bad.length, 0);
    assert.equal(out.data.numRows, 3);
    const rows = rowsFromBatch(out.data, [...ALL, { name: '_arrival', type: T.timestamptz, nullable: false }]);
    assert.deepEqual(rows[0], [
      true, -5, 42, 9007199254740993n, 1.5, NaN, '12.25', '7', 'abc', US('2026-01-01T10:00:00.500Z'),
      US('2026-01-01T10:00:00Z'), 20513, { months: 0, days: 1, micros: 7_200_000_000 }, '{"a": null, "b": [1, 2]}', 1_000_000n,
    ]);
    assert.deepEqual(rows[1].slice(3, 4), [12n]);
    assert.deepEqual(rows[1][10], 1767261600123000n, 'a number for a timestamp is milliseconds');
    assert.equal(rows[1][11], 3, 'a number for a date is days');
    assert.deepEqual(rows[2].slice(0, 14), new Array(14).fill(null));
  });

  test('JSON: bad records and their reasons; the good ones around them are kept in order', () => {
    const cols: Field[] = [{ name: 'id', type: T.int4, nullable: false }, { name: 'name', type: { name: 'varchar', length: 4 }, nullable: true }];
    const d = new RecordDecoder(cols, 'json', { arrival: false });
    const cases: [string | Buffer | null, string | null][] = [
      ['{"id": 1, "name": "a"}', null],
      ['{"id": 1', 'parse'],
      ['"just a string"', 'parse'],
      [null, 'parse'],
      ['{"id": 2.5}', 'type'],
      ['{"id": 3000000000}', 'type'],
      ['{"id": true}', 'type'],
      ['{"id": {"x": 1}}', 'type'],
      ['{"id": 4, "name": "toolong"}', 'type'],
      ['{"id": 4, "name": ["a"]}', 'type'],
      ['{"name": "x"}', 'not_null'],
      ['{"ID": null}', 'not_null'],
      [Buffer.from([0x7b, 0x7d, 0xc3]), 'encoding'],
      [`{"id": 5, "name": "${'x'.repeat(MAX_RECORD_BYTES)}"}`, 'size'],
      ['{"id": 6, "Name": "  ab  "}', null], // only spaces cut: PostgreSQL's varchar(n) assignment
      ['{"id": 7, "name": "ab  "}', null],
      ['{"Id": "8"}', null],
    ];
    const out = d.decode(cases.map(([v], i) => rec(v, 100 + i)), 0);
    assert.deepEqual(out.bad.map((b) => [Number(b.offset) - 100, b.reason]),
      cases.map(([, r], i) => [i, r]).filter(([, r]) => r !== null));
    assert.deepEqual(rowsFromBatch(out.data, cols), [[1, 'a'], [6, '  ab'], [7, 'ab  '], [8, null]]);
    assert.deepEqual([...out.recordOf], [0, 14, 15, 16]);
    const size = out.bad.find((b) => b.reason === 'size')!;
    assert.equal(size.raw.length, cases[13][0]!.length);
    assert.match(out.bad.find((b) => b.offset === '105')!.error, /out of range for type integer/);
  });

  test('JSON: a BIGINT beyond 2^53 keeps every digit written as an integer; written otherwise it is refused', () => {
    const cols: Field[] = [{ name: 'n', type: T.int8, nullable: true }];
    const out = new RecordDecoder(cols, 'json', { arrival: false }).decode(
      [rec('{"n": 9007199254740993.0}'), rec('{"n": "9007199254740993"}'), rec('{"n": 9007199254740991}'),
        rec('{"n": -9223372036854775808}'), rec('{"n": 9223372036854775808}'), rec('{"n": 1, "n": 9007199254740995}')], 0);
    assert.deepEqual(out.bad.map((b) => [b.index, b.reason]), [[0, 'type'], [4, 'type']]);
    assert.match(out.bad[0].error, /send it as a JSON string/);
    assert.match(out.bad[1].error, /out of range for type bigint/);
    assert.deepEqual(rowsFromBatch(out.data, cols),
      [[9007199254740993n], [9007199254740991n], [-9223372036854775808n], [9007199254740995n]]);
  });

  test('JSON: a NUMERIC keeps every digit and the scale of the number as written', () => {
    const cols: Field[] = [{ name: 'x', type: T.numeric, nullable: true }];
    const out = new RecordDecoder(cols, 'json', { arrival: false }).decode(
      [rec('{"x": 12345678901234567890.123456789}'), rec('{"x": 1.50}'), rec('{"x": -2.5E+3}'), rec('{"x": "0.10"}'),
        rec('{"x": 0, "x": 0.30000000000000000001}')], 0);
    assert.deepEqual(out.bad, []);
    assert.deepEqual(rowsFromBatch(out.data, cols),
      [['12345678901234567890.123456789'], ['1.50'], ['-2500'], ['0.10'], ['0.30000000000000000001']]);
  });

  test('CSV: fields in column order, quotes, empty unquoted = NULL, wrong field count', () => {
    const cols: Field[] = [
      { name: 'id', type: T.int8, nullable: false }, { name: 'name', type: T.text, nullable: true },
      { name: 'ts', type: T.timestamptz, nullable: true },
    ];
    const d = new RecordDecoder(cols, 'csv', { arrival: false });
    const out = d.decode([
      rec('1,plain,2026-01-01 10:00:00+00\n'),
      rec('2,"with, comma and ""quotes""",'),
      rec('3,"",2026-01-01T10:00:00Z\r\n'),
      rec('4,only two'),
      rec(',nobody,'),
      rec('x,bad id,'),
      rec('5,"unterminated'),
    ], 0);
    assert.deepEqual(rowsFromBatch(out.data, cols), [
      [1n, 'plain', US('2026-01-01T10:00:00Z')], [2n, 'with, comma and "quotes"', null], [3n, '', US('2026-01-01T10:00:00Z')],
    ]);
    assert.deepEqual(out.bad.map((b) => b.reason), ['parse', 'not_null', 'type', 'parse']);
  });

  test('the fast timestamp reader agrees with PostgreSQL\'s parser', () => {
    let rnd = 12345;
    const next = (n: number): number => {
      rnd = (rnd * 1103515245 + 12345) % 2147483648;
      return rnd % n;
    };
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const zones = ['', 'Z', '+00', '+02', '-05:30', '+0130', '+14:00'];
    let fast = 0;
    for (let k = 0; k < 3000; k++) {
      const frac = next(3) === 0 ? '' : '.' + String(next(1_000_000)).padStart(6, '0').slice(0, 1 + next(6));
      const text = `${1900 + next(200)}-${p2(1 + next(12))}-${p2(1 + next(28))}${next(2) ? 'T' : ' '}` +
        `${p2(next(24))}:${p2(next(60))}:${p2(next(60))}${frac}${zones[next(zones.length)]}`;
      for (const withZone of [true, false]) {
        const got = fastTimestamp(text, withZone);
        const want = parseTimestamp(text, withZone);
        if (!Number.isNaN(got)) fast++;
        assert.ok(Number.isNaN(got) || BigInt(got) === want, `${text} (${withZone}): ${got} vs ${want}`);
      }
    }
    assert.ok(fast > 5000, 'the common forms take the fast path');
    for (const odd of ['2026-01-01', 'today', '2026-02-30 10:00:00', '2026-01-01 10:00:00.1234567', '2026-01-01 10:00:00 BC', 'epoch']) {
      assert.ok(Number.isNaN(fastTimestamp(odd, true)), `${odd} goes to the full parser`);
    }
  });

  test('what a sink writes, a source reads back as the same values', () => {
    const cols = ALL.filter((f) => f.name !== 'vc');
    const rows: Value[][] = [
      [true, 1, -2, -9007199254740993n, 0.5, -1e300, '3.25', 'tab\tquote"', US('2026-01-01T10:00:00.000001Z'),
        US('1999-12-31T23:59:59.999999Z'), -1, { months: 14, days: -3, micros: 1_500_000 }, '{"a": [1, {"b": null}]}'],
      [null, null, null, null, null, Infinity, null, null, null, null, null, null, null],
    ];
    const enc = new SinkEncoder(cols, [], 'q');
    const msgs = enc.messages(1n, { data: batchFromRows(cols, rows), diffs: null });
    const d = new RecordDecoder(cols, 'json', { arrival: false });
    const out = d.decode(msgs.map((m, i) => rec(m.value, i)), 0);
    assert.equal(out.bad.length, 0);
    assert.deepEqual(rowsFromBatch(out.data, cols), rows);
  });

  test('sink keys: one column as plain text (raw TEXT, digits, ISO timestamps, JSONB), NULL as empty, several as JSON', () => {
    const cols: Field[] = [
      { name: 'txt', type: T.text, nullable: true },
      { name: 'big', type: T.int8, nullable: true },
      { name: 'tstz', type: T.timestamptz, nullable: true },
      { name: 'j', type: T.jsonb, nullable: true },
    ];
    const rows: Value[][] = [
      ['say "hi"', 9007199254740993n, US('2026-01-01T10:00:00Z'), '"quoted json"'],
      [null, null, null, null],
    ];
    const keysOf = (keyColumns: number[]): (string | null)[] =>
      new SinkEncoder(cols, keyColumns, 'q').messages(1n, { data: batchFromRows(cols, rows), diffs: null }).map((m) => m.key);
    assert.deepEqual(keysOf([0]), ['say "hi"', '']);
    assert.deepEqual(keysOf([1]), ['9007199254740993', '']);
    assert.deepEqual(keysOf([2]), ['2026-01-01T10:00:00+00:00', '']);
    assert.deepEqual(keysOf([3]), ['"quoted json"', '']);
    assert.deepEqual(keysOf([0, 1]), ['{"txt":"say \\"hi\\"","big":"9007199254740993"}', '{"txt":null,"big":null}']);
    assert.deepEqual(keysOf([]), [null, null]);
  });
});
