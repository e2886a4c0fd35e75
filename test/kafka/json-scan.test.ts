// The JSON messages a Kafka source decodes from their bytes (engine/ingest/json-object.ts) against the definition
// they must keep: JSON.parse, then each key of the object (in its enumeration order) matched to a column by name,
// exactly then case-insensitively, the first key for a column winning, missing columns NULL; a number for a NUMERIC
// column, or an integer for a BIGINT one, read from its own digits rather than JSON.parse's double. Generated and
// adversarial records (escapes, duplicate keys, integer-like keys, nesting, every number form, broken JSON) must
// give the same rows, and the same dead letters word for word.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDecoder, type KafkaRecord } from '../../engine/kafka';
import { batchFromData, rowsFromBatch } from '../../engine/columns';
import { readsNumberDigits, RowBuilder, RowRules } from '../../engine/ingest';
import { T, type Field, type Value } from '../../engine/types';

const COLUMNS: Field[] = [
  { name: 'id', type: T.int8, nullable: false },
  { name: 'n', type: T.int4, nullable: true },
  { name: 'price', type: T.float8, nullable: true },
  { name: 'qty', type: T.numeric, nullable: true },
  { name: 'Name', type: T.text, nullable: true },
  { name: 'name', type: { name: 'varchar', length: 5 }, nullable: true },
  { name: 'ok', type: T.bool, nullable: true },
  { name: 'at', type: T.timestamptz, nullable: true },
  { name: 'day', type: T.date, nullable: true },
  { name: 'doc', type: T.jsonb, nullable: true },
  { name: '1', type: T.int2, nullable: true },
  { name: 'café', type: T.text, nullable: true },
];
const KEYS = ['id', 'ID', 'n', 'N', 'price', 'qty', 'Name', 'name', 'NAME', 'ok', 'at', 'AT', 'day', 'doc', '1', 'café', 'CAFÉ', 'other', 'x'];

/** The decoding the byte scanner must agree with: the whole record through JSON.parse. */
function reference(records: readonly KafkaRecord[]): { rows: Value[][]; bad: [string, string][] } {
  const rules = new RowRules(COLUMNS);
  const rows = new RowBuilder(rules, records.length);
  const exact = new Map(COLUMNS.map((c, i) => [c.name, i]));
  const lower = new Map<string, number>();
  COLUMNS.forEach((c, i) => { if (!lower.has(c.name.toLowerCase())) lower.set(c.name.toLowerCase(), i); });
  const bad: [string, string][] = [];
  let n = 0;
  for (const r of records) {
    const problem = referenceRow(r.value!.toString('utf8'), rows, n, exact, lower);
    if (problem === null) n++;
    else bad.push([r.offset, problem]);
  }
  return { rows: rowsFromBatch(batchFromData(COLUMNS, rows.finish(n), n), COLUMNS), bad };
}

function referenceRow(text: string, rows: RowBuilder, row: number, exact: Map<string, number>, lower: Map<string, number>): string | null {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return `parse: invalid JSON: ${(e as Error).message}`;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'parse: expected a JSON object with one field per column';
  const seen = new Set<number>();
  const digits = numberTexts(text);
  for (const [k, v] of Object.entries(obj)) {
    const c = exact.get(k) ?? lower.get(k.toLowerCase());
    if (c === undefined || seen.has(c)) continue;
    seen.add(c);
    // A number for a NUMERIC column, or an integer for a BIGINT one, is read from its own digits, not JSON.parse's double.
    const source = typeof v === 'number' ? digits.get(k)! : '';
    const ownDigits = typeof v === 'number' && readsNumberDigits(COLUMNS[c].type.name, Buffer.from(source), 0, source.length);
    const p = ownDigits ? rows.setText(c, row, source) : rows.setJson(c, row, v);
    if (p !== null) return p.kind === 'not_null' ? `not_null: ${p.message}` : `type: column "${COLUMNS[p.column].name}": ${p.message}`;
  }
  for (let c = 0; c < COLUMNS.length; c++) {
    if (seen.has(c)) continue;
    const p = rows.setNull(c, row);
    if (p !== null) return `not_null: ${p.message}`;
  }
  return null;
}

/** The text of each top-level number in a valid JSON object, by key (a repeated key's last, as JSON.parse keeps). */
function numberTexts(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let i = text.indexOf('{') + 1;
  const skipSpace = (): void => { while (/\s/.test(text[i])) i++; };
  const stringEnd = (at: number): number => {
    let j = at + 1;
    while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  for (;;) {
    skipSpace();
    if (text[i] === '}') return found;
    const keyEnd = stringEnd(i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = keyEnd;
    skipSpace();
    i++; // the colon
    skipSpace();
    const start = i;
    if (text[i] === '-' || /[0-9]/.test(text[i])) {
      while (/[-+.eE0-9]/.test(text[i])) i++;
      found.set(key, text.slice(start, i));
    } else {
      // A string, a literal, or a nested value: to the comma or brace that ends it at this depth.
      for (let depth = 0; depth > 0 || (text[i] !== ',' && text[i] !== '}'); ) {
        if (text[i] === '"') { i = stringEnd(i); continue; }
        if (text[i] === '{' || text[i] === '[') depth++;
        if (text[i] === '}' || text[i] === ']') depth--;
        i++;
      }
      found.delete(key);
    }
    skipSpace();
    if (text[i] === ',') i++;
  }
}

function scanned(records: readonly KafkaRecord[]): { rows: Value[][]; bad: [string, string][] } {
  const out = new RecordDecoder(COLUMNS, 'json', { arrival: false }).decode(records, 0);
  return { rows: rowsFromBatch(out.data, COLUMNS), bad: out.bad.map((b) => [b.offset, `${b.reason}: ${b.error}`]) };
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '', 'abc', 'hello', '  ab  ', '42', '-7', '3.25', '1e3', 'NaN', 'true', 'no', '2026-01-01T12:00:00Z',
  '2026-01-01 10:00:00.5+02:00', '2026-02-30', '2026-03-01', 'héllo wörld', '日本語', '😀', 'a"b', 'back\\slash',
  'tab\there', 'line\nbreak', '\u0000', '\ud800', '{"a": 1}', '[1, 2]', '9223372036854775807', '99999999999999999999',
];
const NUMBERS = [
  '0', '-0', '1', '-1', '42', '2.5', '-0.0', '0.1', '1e3', '1E+2', '-2.5e-3', '32767', '32768', '3000000000',
  '9007199254740993', '123456789012345678901234567890', '1.7976931348623157e309', '0.30000000000000004', '1767261600123',
  '12345.678901234567',
];
const NESTED = ['{}', '[]', '{"a": [1, {"b": null}], "a": 2}', '[1, "x", true, null, {"k": "v"}]', '{"z": 1, "a": {"y": [], "b": 2}}'];

function scalar(rnd: () => number): string {
  const pick = <A>(xs: readonly A[]): A => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (r < 0.35) {
    const s = pick(STRINGS);
    // Escapes the long way (\u00e9) as well as JSON.stringify's short ones.
    return rnd() < 0.2 ? `"${[...s].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(s);
  }
  if (r < 0.7) return pick(NUMBERS);
  if (r < 0.8) return pick(['true', 'false', 'null']);
  return pick(NESTED);
}

/** A value the key's column takes, so that most generated records are good. */
const FITTING: Record<string, readonly string[]> = {
  id: ['7', '"8"', '-9'], n: ['5', '"6"', '-0'], price: ['2.5', '1e3', '-0.0', '"NaN"'], qty: ['12.25', '"3"'],
  name: ['"ab"', '"é"', '"a\\b"', '"abc  "'], ok: ['true', 'false', '"t"'], at: ['"2026-01-01T12:00:00Z"', '1767261600123', '"2026-01-01 10:00:00.5+02"'],
  day: ['"2026-03-01"', '19000'], doc: NESTED, '1': ['1', '"2"'], café: ['"x"', '"日本"'], other: ['1'], x: ['"y"'],
};

function record(rnd: () => number): string {
  const pick = <A>(xs: readonly A[]): A => xs[Math.floor(rnd() * xs.length)];
  const space = (): string => (rnd() < 0.2 ? pick([' ', '\n', '\t', '\r\n  ']) : '');
  const fields: string[] = [];
  if (rnd() < 0.9) fields.push(`"id"${space()}:${space()}${pick(['1', '"2"', '-3', '4.5', 'null', '9007199254740993'])}`);
  const count = Math.floor(rnd() * 6);
  for (let i = 0; i < count; i++) {
    const key = rnd() < 0.1 ? `\\u00${'id'.charCodeAt(0).toString(16)}d` : pick(KEYS);
    const fitting = FITTING[key.toLowerCase()];
    const value = fitting !== undefined && rnd() < 0.8 ? pick(fitting) : scalar(rnd);
    fields.push(`${space()}"${key}"${space()}:${space()}${value}${space()}`);
  }
  if (rnd() < 0.3) fields.reverse();
  return `${space()}{${fields.join(',')}}${space()}`;
}

/** Breaks a record the ways a producer might: cut short, a byte changed, a byte dropped, something appended. */
function damaged(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const junk = ['}', '{', ',', '"', ':', '\\', 'x', ']', '0', '-', '.', 'e', ' ', '\u0001', 'tru', 'nul'];
  const bit = junk[Math.floor(rnd() * junk.length)];
  switch (Math.floor(rnd() * 4)) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + bit + text.slice(at + 1);
    case 2: return text.slice(0, at) + text.slice(at + 1);
    default: return text.slice(0, at) + bit + text.slice(at);
  }
}

const asRecords = (texts: readonly string[]): KafkaRecord[] =>
  texts.map((t, i) => ({ partition: 0, offset: String(i), value: Buffer.from(t, 'utf8') }));

test('generated records decode from bytes exactly as through JSON.parse: rows and dead letters', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = random(seed);
    const texts = Array.from({ length: 400 }, () => (rnd() < 0.25 ? damaged(record(rnd), rnd) : record(rnd)));
    const records = asRecords(texts);
    const want = reference(records);
    const got = scanned(records);
    assert.deepStrictEqual(got.bad, want.bad, `seed ${seed}`);
    assert.deepStrictEqual(got.rows, want.rows, `seed ${seed}`);
    assert.ok(want.rows.length > 50 && want.bad.length > 50, `seed ${seed} exercises both good and bad records`);
  }
});

test('adversarial records: duplicates, integer-like and escaped keys, deep nesting, numbers at the edges', () => {
  const deep = `${'['.repeat(200)}1${']'.repeat(200)}`;
  const texts = [
    '{"id": 1, "id": 2}', '{"id": 1, "ID": 2}', '{"ID": 1, "id": 2}', '{"id": 1, "n": "x", "n": 5}',
    '{"id": 1, "1": 7, "n": 2}', '{"n": 3, "1": "x", "id": 1}', '{"id": 1, "\\u0031": 8}',
    '{"n": "x", "1": "y", "id": 1}', '{"n": "x", "\\u0031": "y", "id": 1}', '{"\\u0069d": 9}',
    `{"id": 1, "doc": ${deep}}`, `{"id": 1, "other": ${deep}}`, `{"id": 1, "doc": ${'['.repeat(200)}}`,
    '{"id": 1, "price": 1e400}', '{"id": 1, "price": -1e-400}', '{"id": 1, "price": 0.1e1}', '{"id": 01}',
    '{"id": 1, "price": 1.}', '{"id": 1, "price": .5}', '{"id": 1, "price": +1}', '{"id": 1, "price": 1e}',
    '{"id": 1, "Name": "\\x41"}', '{"id": 1, "Name": "\\u12"}', '{"id": 1, "Name": "a\tb"}', '{"id": 1,}',
    '{"id": 1 "n": 2}', '{,}', '{"id": 1}{}', '[{"id": 1}]', '"id"', '12', 'null', '', ' ', '\ufeff{"id": 1}',
    '{"id": 1, "café": "é", "CAFÉ": "x", "caf\\u00e9": "y"}', '{"id": 1, "doc": "a string"}', '{"id": 1, "doc": 1.50}',
    '{"id": 1, "doc": {"b": 1, "a": [true, false, null, "s\\n"], "b": 2}}', '{"id": "9223372036854775808"}',
    '{"id": -9223372036854775808}', '{"id": "-9223372036854775808"}', '{"id": 1, "at": 1767261600123.5}',
    '{"id": 1, "at": "2026-01-01T12:00:00.1234567Z"}', '{"id": 1, "day": 19000.5}', '{"id": 1, "ok": "yes"}',
    '{"id": 1, "ok": 1}', '{"id": 1, "name": "abcdef"}', '{"id": 1, "name": "abc   "}', '{"__proto__": 1, "id": 3}',
    '{"id":1,"n":2147483647,"price":-0,"qty":-0,"Name":"","name":null,"ok":true,"at":"2026-01-01","day":0}',
  ];
  const records = asRecords(texts);
  const want = reference(records);
  const got = scanned(records);
  assert.deepStrictEqual(got.bad, want.bad);
  assert.deepStrictEqual(got.rows, want.rows);
});
