// The engine's ingest place without a server: COPY data decoded by CopyDecoder gives the same rows however the bytes
// are cut into chunks; big COPYs come out as bounded batches of the target's declared columns, in order and of their
// Arrow types; unreadable data says on which line; and bigints, dates and timestamps read from the bytes keep their
// parser's values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { arrowTypeOf, rowsFromBatch, valuesFromData } from '../../engine/columns';
import { columnBuilder } from '../../engine/ingest/column-builders';
import { CopyDecoder, MAX_BATCH_ROWS, type CopyOptions } from '../../engine/ingest';
import { writeInt64At } from '../../engine/ingest/number-bytes';
import { fastDateAt, fastTimestamp, fastTimestampAt } from '../../engine/ingest/fast-timestamp';
import { parseDate, parseTimestamp } from '../../engine/text';
import { T, type Field, type Value } from '../../engine/types';
import { UTC_ZONE } from '../../engine/values/timezone';
import { seededRandom } from '../helpers/random';

const columns: Field[] = [
  { name: 'id', type: T.int8, nullable: false },
  { name: 'name', type: T.text, nullable: true },
  { name: 'amount', type: T.float8, nullable: true },
  { name: 'at', type: T.timestamptz, nullable: true },
];

function options(over: Partial<CopyOptions>): CopyOptions {
  return { name: 't', targetKind: 'table', columns, dataColumns: [0, 1, 2, 3], format: 'csv', header: false, delimiter: ',', nullString: '', zone: UTC_ZONE, ...over };
}

function decode(opts: CopyOptions, chunks: readonly Uint8Array[]): RecordBatch[] {
  const d = new CopyDecoder(opts);
  for (const c of chunks) d.write(c);
  return d.end();
}

const rowsOf = (batches: readonly RecordBatch[]): Value[][] => batches.flatMap((b) => rowsFromBatch(b, columns));

/** `bytes` cut at every position into two chunks, and into one-byte chunks. */
function cuts(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
  for (let at = 1; at < bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return out;
}

const US = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

test('CSV: the same rows however the data is cut: quotes across chunks, multi-byte characters, \\r\\n, header, \\.', () => {
  const data = Buffer.from('id,name,amount,at\r\n' +
    '1,"multi\nline, ""quoted""",1.5,2026-01-01 10:00:00+00\r\n' +
    '9223372036854775807,héllo €,,\n' +
    '-9223372036854775808,"",-0.25,2026-01-01T10:00:00.123456Z\n' +
    '\\.\n' +
    '42,after the end marker,1,\n');
  const want: Value[][] = [
    [1n, 'multi\nline, "quoted"', 1.5, US('2026-01-01T10:00:00Z')],
    [9223372036854775807n, 'héllo €', null, null],
    [-9223372036854775808n, '', -0.25, US('2026-01-01T10:00:00.123Z') + 456n],
    // CSV's \. line is skipped, not the end of the data (as before)
    [42n, 'after the end marker', 1, null],
  ];
  for (const chunks of cuts(data)) assert.deepEqual(rowsOf(decode(options({ header: true }), chunks)), want);
});

test('text format: the same rows however the data is cut; \\N, escapes, a column list in another order', () => {
  const data = Buffer.from('a\\tb\\\\c\t7\n\\N\t-12\r\nx\\101\\x42\t123456789012345678\n\\.\nignored\n');
  const want: Value[][] = [
    [7n, 'a\tb\\c', null, null],
    [-12n, null, null, null],
    [123456789012345678n, 'xAB', null, null],
  ];
  const opts = options({ format: 'text', delimiter: '\t', nullString: '\\N', dataColumns: [1, 0] });
  for (const chunks of cuts(data)) assert.deepEqual(rowsOf(decode(opts, chunks)), want);
});

test('text format: lines without escapes around lines with them, empty fields, another NULL string, \\r\\n', () => {
  const data = Buffer.from('plain\t1\nesc\\\\aped\t2\r\n\t3\nNULL\t4\nafter\t5\r\nx\\ty\t6\nlast\t7');
  const want: Value[][] = [
    [1n, 'plain', null, null],
    [2n, 'esc\\aped', null, null],
    [3n, '', null, null],
    [4n, null, null, null],
    [5n, 'after', null, null],
    [6n, 'x\ty', null, null],
    [7n, 'last', null, null],
  ];
  const opts = options({ format: 'text', delimiter: '\t', nullString: 'NULL', dataColumns: [1, 0] });
  for (const chunks of cuts(data)) assert.deepEqual(rowsOf(decode(opts, chunks)), want);
});

test('a big COPY comes out as bounded batches of the declared columns, in order and of their Arrow types', () => {
  const n = 3 * MAX_BATCH_ROWS + 17;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${i},${i % 3 === 0 ? '' : `n${i}`},${i / 4},`);
  const body = Buffer.from(lines.join('\n') + '\n');
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += 65536) chunks.push(body.subarray(at, at + 65536));
  const batches = decode(options({}), chunks);
  assert.ok(batches.length > 1);
  let total = 0;
  for (const b of batches) {
    assert.ok(b.numRows > 0 && b.numRows <= MAX_BATCH_ROWS, `a batch of ${b.numRows} rows`);
    assert.deepEqual(b.schema.fields.map((f) => f.name), columns.map((c) => c.name));
    assert.deepEqual(b.schema.fields.map((f) => String(f.type)), columns.map((c) => String(arrowTypeOf(c.type))));
    const first = rowsFromBatch(b, columns)[0];
    assert.deepEqual(first, [BigInt(total), total % 3 === 0 ? null : `n${total}`, total / 4, null]);
    total += b.numRows;
  }
  assert.equal(total, n);
});

test('invalid UTF-8 and an unterminated quote fail with 22P04 naming their line', () => {
  const bad = Buffer.concat([Buffer.from('1,a,1,\n2,b,2,\n3,'), Buffer.from([0xff, 0xfe]), Buffer.from(',3,\n4,d,4,\n')]);
  for (const chunks of cuts(bad).slice(0, 40)) {
    assert.throws(() => decode(options({}), chunks),
      { code: '22P04', message: 'COPY t, line 3: The encoded data was not valid for encoding utf-8' });
  }
  assert.throws(() => decode(options({}), [Buffer.from('1,a,1,\n2,"open,2,\n')]),
    { code: '22P04', message: 'COPY t, line 2: unterminated CSV quoted field' });
});

test('after a failure every later write and the end repeat it, and nothing is handed over', () => {
  const d = new CopyDecoder(options({}));
  d.write(Buffer.from('1,a,1,\n'));
  const failure = { code: '22P02', message: 'invalid input syntax for type bigint: "x"', detail: 'COPY t, line 2, column id: "x"' };
  assert.throws(() => d.write(Buffer.from('x,b,2,\n')), failure);
  assert.throws(() => d.write(Buffer.from('3,c,3,\n')), failure);
  assert.throws(() => d.end(), failure);
});

test('a COPY delimiter must be one ASCII byte', () => {
  assert.throws(() => new CopyDecoder(options({ delimiter: '§' })), { code: '0A000' });
});

test('bigints of up to 18 digits are written from the bytes with every bit; other forms are left to the parser', () => {
  const random = seededRandom(20260109);
  const values = new BigInt64Array(1);
  const view = new Int32Array(values.buffer);
  const texts = ['0', '-0', '+7', '999999999999999999', '-999999999999999999', '4294967296', '-4294967296', '-4294967295',
    '9007199254740993', '-9007199254740993', '000000000000000042'];
  for (let k = 0; k < 20_000; k++) {
    const digits = 1 + Math.floor(random() * 18);
    let s = '';
    for (let d = 0; d < digits; d++) s += Math.floor(random() * 10);
    texts.push((random() < 0.5 ? '-' : '') + s);
  }
  for (const s of texts) {
    const bytes = Buffer.from(s);
    assert.ok(writeInt64At(bytes, 0, bytes.length, view, 0), s);
    assert.equal(values[0], BigInt(s), s);
  }
  for (const s of ['', '-', '1 ', ' 1', '1e3', '12a', '1234567890123456789', '9223372036854775807']) {
    const bytes = Buffer.from(s);
    values[0] = 5n;
    assert.equal(writeInt64At(bytes, 0, bytes.length, view, 0), false, s);
    assert.equal(values[0], 5n, 'nothing written');
  }
});

test('a TEXT column is built from bytes and strings alike, rows set again after a bad record overwrite it', () => {
  const field: Field = { name: 'name', type: T.text, nullable: true };
  const rows = 5000; // past the builder's first buffer, which must grow
  const b = columnBuilder(field, rows);
  const expected: (string | null)[] = [];
  const src = Buffer.from('héllo, wörld ✓ 𝄞 and some longer text to copy past the short loop', 'utf8');
  for (let i = 0; i < rows; i++) {
    // A first attempt at every third row (longer than the real one) as a bad record would leave it.
    if (i % 3 === 0) b.bytes(i, src, 0, src.length);
    const v = i % 7 === 0 ? null : i % 2 === 0 ? `s${i}é` : src.toString('utf8', 0, i % src.length).replace(/\uFFFD/g, '');
    if (v === null) b.text(i, null);
    else if (i % 2 === 0) b.text(i, v);
    else {
      const bytes = Buffer.from(`>${v}<`, 'utf8');
      b.bytes(i, bytes, 1, bytes.length - 1);
    }
    expected.push(v);
  }
  const data = b.finish(rows - 1);
  assert.equal(data.length, rows - 1);
  assert.deepEqual(valuesFromData(data, T.text), expected.slice(0, rows - 1));
  assert.equal(data.nullCount, expected.slice(0, rows - 1).filter((v) => v === null).length);
});

test('dates and timestamps read from bytes agree with PostgreSQL\'s parser, wherever the field sits in the buffer', () => {
  const rnd = seededRandom(77);
  const next = (n: number): number => Math.floor(rnd() * n);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const zones = ['', 'Z', '+00', '+02', '-05:30', '+0130', '+14:00', '+16', 'z', '+2', '-05:3'];
  let fast = 0;
  for (let k = 0; k < 3000; k++) {
    // Days up to 31 reach the invalid dates (2026-02-30, 1900-02-29) too; years far from 1970 the full parser.
    const year = next(5) === 0 ? 1 + next(2999) : 1900 + next(300);
    const date = `${String(year).padStart(4, '0')}-${p2(1 + next(12))}-${p2(1 + next(31))}`;
    const frac = next(3) === 0 ? '' : '.' + String(next(10_000_000)).padStart(7, '0').slice(0, 1 + next(7));
    const text = `${date}${next(2) ? 'T' : ' '}${p2(next(25))}:${p2(next(61))}:${p2(next(61))}${frac}${zones[next(zones.length)]}`;
    const bytes = Buffer.from(`x,${text},${date}\n`);
    for (const withZone of [true, false]) {
      const got = fastTimestampAt(bytes, 2, 2 + text.length, withZone);
      if (!Number.isNaN(got)) {
        fast++;
        assert.equal(BigInt(got), parseTimestamp(text, withZone), `${text} (${withZone})`);
      }
      assert.ok(Object.is(fastTimestamp(text, withZone), got), `${text}: the string and byte readers agree`);
    }
    const day = fastDateAt(bytes, 3 + text.length, 3 + text.length + date.length);
    if (!Number.isNaN(day)) {
      fast++;
      assert.equal(day, parseDate(date), date);
    }
  }
  assert.ok(fast > 5000, 'the common forms take the fast path');
  for (const odd of ['2026-01-01', '2026-1-01', '0000-01-01', '2026-02-29', 'today', '2026-02-30 10:00:00', '2026-01-01 10:00:00 BC', 'epoch', '2026-01-01 10:00:00é']) {
    assert.ok(Number.isNaN(fastTimestamp(odd, true)), `${odd} goes to the full parser`);
    assert.ok(Number.isNaN(fastTimestampAt(Buffer.from(odd), 0, Buffer.byteLength(odd), true)), `${odd} goes to the full parser`);
  }
  for (const odd of ['2026-02-29', '0000-01-01', '2026-1-1', ' 2026-01-01', '2026-01-01 ', 'epoch', '10000-01-01']) {
    assert.ok(Number.isNaN(fastDateAt(Buffer.from(odd), 0, odd.length)), `${odd} goes to the full parser`);
  }
});

test('COPY: a DATE and TIMESTAMP columns from bytes and from escaped fields give the parser\'s values', () => {
  const cols: Field[] = [{ name: 'd', type: T.date, nullable: true }, { name: 'ts', type: T.timestamp, nullable: true }];
  const data = Buffer.from('2026-03-01\t2026-01-01 10:00:00.5+05\n2026-03-0\\061\t2026-01-01 10:00:0\\060\n2026-02-29\t2026-01-01 10:00:00\n');
  const opts: CopyOptions = { name: 't', targetKind: 'table', columns: cols, dataColumns: [0, 1], format: 'text', header: false, delimiter: '\t', nullString: '\\N', zone: UTC_ZONE };
  const ok = new CopyDecoder(opts);
  assert.throws(() => { ok.write(data); ok.end(); }, /date\/time field value out of range: "2026-02-29"/);
  const good = decode(opts, [data.subarray(0, data.indexOf('2026-02-29'))]).flatMap((b) => rowsFromBatch(b, cols));
  assert.deepEqual(good, [[parseDate('2026-03-01'), US('2026-01-01T10:00:00.5Z')], [parseDate('2026-03-01'), US('2026-01-01T10:00:00Z')]]);
});
