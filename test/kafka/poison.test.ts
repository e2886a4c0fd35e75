// Poison records among valid ones, through the real server: not JSON, wrong types, missing NOT NULL fields, invalid
// UTF-8, oversized; in a JSON topic and a CSV topic of 4 partitions, produced with kafkajs and kcat. With the default
// on_error each bad record is in sluice.dead_letters exactly once, with its source, partition, offset, reason and raw
// bytes, sluice.sources counts them, and a continuous query counts every valid record. on_error = 'skip' drops them
// and on_error = 'fail' stops the source at the first one, saying where, through SQL too.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RECORD_BYTES } from '../../engine/kafka';
import { produceWithKafkajs, produceWithKcat, type TestMessage } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { queryRows, sourceRows, waitCaughtUp, withKafkaServer } from './pipeline';

const TS = '2026-01-01T10:00:00Z';
const goodJson = (id: number): string => JSON.stringify({ order_id: id, customer: `c${id % 3}`, amount: id % 10, ts: TS });
const goodCsv = (id: number): string => `${id},c${id % 3},${id % 10},${TS}`;

/** Bad records with the reason each must get; `kcat` ones are text lines produced with kcat. */
const JSON_POISON: { value: string | Buffer | null; reason: string; kcat?: boolean }[] = [
  { value: 'not json{', reason: 'parse' },
  { value: '{"order_id": 7, "ts": ', reason: 'parse', kcat: true },
  { value: 'plain text', reason: 'parse', kcat: true },
  { value: '"a string"', reason: 'parse' },
  { value: null, reason: 'parse' },
  { value: JSON.stringify({ order_id: 'abc', ts: TS }), reason: 'type' },
  { value: JSON.stringify({ order_id: 1.5, ts: TS }), reason: 'type', kcat: true },
  { value: JSON.stringify({ order_id: 2, amount: 'lots', ts: TS }), reason: 'type' },
  { value: JSON.stringify({ order_id: 3, ts: 'yesterday-ish' }), reason: 'type' },
  { value: JSON.stringify({ order_id: 2 ** 63, ts: TS }), reason: 'type' },
  { value: JSON.stringify({ customer: 'nobody', ts: TS }), reason: 'not_null' },
  { value: JSON.stringify({ order_id: null, ts: TS }), reason: 'not_null', kcat: true },
  { value: JSON.stringify({ order_id: 4 }), reason: 'not_null' },
  { value: Buffer.concat([Buffer.from('{"order_id":5,"customer":"'), Buffer.from([0xff, 0xfe]), Buffer.from(`","ts":"${TS}"}`)]), reason: 'encoding' },
  { value: Buffer.from([0xc3, 0x28]), reason: 'encoding' },
  { value: JSON.stringify({ order_id: 6, customer: 'x'.repeat(MAX_RECORD_BYTES), ts: TS }), reason: 'size' },
];

const CSV_POISON: { value: string | Buffer; reason: string }[] = [
  { value: '1,c1,2', reason: 'parse' },
  { value: '1,c1,2,2026-01-01T10:00:00Z,extra', reason: 'parse' },
  { value: 'x,c1,2,2026-01-01T10:00:00Z', reason: 'type' },
  { value: '8,c1,two,2026-01-01T10:00:00Z', reason: 'type' },
  { value: ',c1,2,2026-01-01T10:00:00Z', reason: 'not_null' },
  { value: '9,c1,2,', reason: 'not_null' },
  { value: Buffer.from([0x31, 0x30, 0x2c, 0xff, 0x2c, 0x32, 0x2c, 0x78]), reason: 'encoding' },
  { value: `10,${'y'.repeat(MAX_RECORD_BYTES)},1,${TS}`, reason: 'size' },
];

interface DeadLetter { source: string; partition: number; offset: string; reason: string; raw: string }

/** The dead letter a bad record must become, `raw` as sluice.dead_letters shows bytes: text, or \x hex if not UTF-8. */
function deadLetter(source: string, partition: number, offset: number, reason: string, value: string | Buffer | null): DeadLetter {
  const bytes = value === null ? Buffer.alloc(0) : Buffer.from(value);
  const raw = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text: string;
  try {
    text = raw.decode(bytes);
  } catch {
    text = '\\x' + bytes.toString('hex');
  }
  return { source, partition, offset: String(offset), reason, raw: text };
}

const byPlace = (a: DeadLetter, b: DeadLetter): number => a.source.localeCompare(b.source) || a.partition - b.partition || Number(a.offset) - Number(b.offset);

/**
 * Lays out `good` valid records and the poison over 4 partitions: the kafkajs messages first (in order), then the
 * kcat lines per partition (each kcat poison line followed by a good record), so every message's offset is known:
 * its index among its partition's messages.
 */
function layout(good: number, encodeGood: (id: number) => string, poison: readonly { value: string | Buffer | null; reason: string; kcat?: boolean }[], source: string) {
  const kafkajs: TestMessage[] = [];
  const kcat: { line: string; reason?: string; id?: number }[][] = [[], [], [], []];
  const goodIds: number[] = [];
  const viaKafkajs = poison.filter((p) => !p.kcat);
  const every = Math.floor(good / (viaKafkajs.length + 1));
  let next = 0;
  for (let i = 0; i < good; i++) {
    kafkajs.push({ value: encodeGood(i), partition: i % 4 });
    goodIds.push(i);
    if (i % every === every - 1 && next < viaKafkajs.length) kafkajs.push({ value: viaKafkajs[next++].value, partition: (i + 1) % 4 });
  }
  assert.equal(next, viaKafkajs.length, 'all poison laid out');
  let extra = good;
  poison.filter((p) => p.kcat).forEach((p, j) => {
    const q = 2 + (j % 2);
    kcat[q].push({ line: p.value as string, reason: p.reason });
    kcat[q].push({ line: encodeGood(extra), id: extra });
    goodIds.push(extra++);
  });
  const count = [0, 0, 0, 0];
  const dead: DeadLetter[] = [];
  for (const m of kafkajs) {
    const bad = poison.find((p) => !p.kcat && p.value === m.value);
    if (bad) dead.push(deadLetter(source, m.partition!, count[m.partition!], bad.reason, bad.value));
    count[m.partition!]++;
  }
  for (let q = 0; q < 4; q++) {
    for (const k of kcat[q]) {
      if (k.reason !== undefined) dead.push(deadLetter(source, q, count[q], k.reason, k.line));
      count[q]++;
    }
  }
  return {
    kafkajs, kcat: kcat.map((lines) => lines.map((k) => k.line)), dead: dead.sort(byPlace),
    total: count.reduce((s, c) => s + c, 0), goodIds,
  };
}

describe('poison records through the server', () => {
  const fx = withKafkaServer();

  async function produce(topic: string, l: ReturnType<typeof layout>): Promise<void> {
    await produceWithKafkajs(fx.kafka.brokers, topic, l.kafkajs);
    for (let q = 0; q < 4; q++) if (l.kcat[q].length > 0) await produceWithKcat(fx.kafka.brokers, topic, l.kcat[q], { partition: q });
  }

  test('dead_letter: exact dead letters and counts; every valid record counted by the query', async () => {
    const jsonTopic = freshTopic('poison-json');
    const csvTopic = freshTopic('poison-csv');
    const json = layout(400, goodJson, JSON_POISON, 'dirty_json');
    const csv = layout(200, goodCsv, CSV_POISON, 'dirty_csv');
    await produce(jsonTopic, json);
    await produce(csvTopic, csv);

    const columns = 'order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL';
    await fx.client.query(`CREATE STREAM dirty_json (${columns}) WITH (connector = 'kafka', topic = '${jsonTopic}',
      brokers = '${fx.kafka.brokers}', format = 'json', on_error = 'dead_letter')`);
    await fx.client.query(`CREATE STREAM dirty_csv (${columns}) WITH (connector = 'kafka', topic = '${csvTopic}',
      brokers = '${fx.kafka.brokers}', format = 'csv')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY json_counts WITH (trigger_interval = '200 milliseconds') AS
      SELECT customer, count(*) AS n, sum(order_id) AS ids FROM dirty_json GROUP BY customer`);
    await fx.client.query(`CREATE CONTINUOUS QUERY csv_counts WITH (trigger_interval = '200 milliseconds') AS
      SELECT count(*) AS n, sum(order_id) AS ids, count(DISTINCT order_id) AS distinct_ids FROM dirty_csv`);
    await waitCaughtUp(fx.client, { messages: { dirty_json: json.total, dirty_csv: csv.total }, queries: ['json_counts', 'csv_counts'] });

    // Every valid record counted once.
    const want = new Map<string, { n: number; ids: number }>();
    for (const id of json.goodIds) {
      const w = want.get(`c${id % 3}`) ?? { n: 0, ids: 0 };
      w.n++;
      w.ids += id;
      want.set(`c${id % 3}`, w);
    }
    const got = (await fx.client.query('SELECT customer, n, ids FROM json_counts')).rows;
    assert.deepEqual(new Map(got.map((r) => [r.customer, { n: Number(r.n), ids: Number(r.ids) }])), want);
    const csvGot = (await fx.client.query('SELECT n, ids, distinct_ids FROM csv_counts')).rows[0];
    assert.deepEqual({ n: Number(csvGot.n), ids: Number(csvGot.ids), distinct: Number(csvGot.distinct_ids) },
      { n: csv.goodIds.length, ids: csv.goodIds.reduce((s, x) => s + x, 0), distinct: csv.goodIds.length });

    // Exactly the bad records, each once, where they were, with their bytes.
    const dead = (await fx.client.query(`SELECT source, partition, "offset", reason, raw, error, at FROM sluice.dead_letters`)).rows;
    for (const d of dead) {
      assert.ok(typeof d.error === 'string' && d.error.length > 0, `a dead letter says why: ${JSON.stringify(d).slice(0, 200)}`);
      assert.ok(d.at instanceof Date && Math.abs(d.at.getTime() - Date.now()) < 120_000);
    }
    const deadRows: DeadLetter[] = dead.map((d) => ({ source: d.source, partition: d.partition, offset: d.offset, reason: d.reason, raw: d.raw }));
    const expected = [...json.dead, ...csv.dead].sort(byPlace);
    assert.equal(deadRows.length, expected.length, 'one dead letter per bad record');
    const short = (x: DeadLetter): DeadLetter => ({ ...x, raw: x.raw.length > 200 ? `${x.raw.slice(0, 50)}…(${x.raw.length})` : x.raw });
    assert.deepEqual(deadRows.sort(byPlace).map(short), expected.map(short));
    assert.deepEqual(deadRows.map((d) => d.raw), expected.map((d) => d.raw), 'raw bytes kept exactly, the oversized ones too');
    const amount = dead.find((d) => d.reason === 'type' && d.raw.includes('lots'));
    assert.match(amount.error, /column "amount"/);

    // sluice.sources counts them; the queries saw no bad rows (they never reached the stream).
    const sources = await sourceRows(fx.client);
    assert.deepEqual([sources.get('dirty_json')!.messages, sources.get('dirty_json')!.dead_letters, sources.get('dirty_json')!.state],
      [json.total, JSON_POISON.length, 'running']);
    assert.deepEqual([sources.get('dirty_csv')!.messages, sources.get('dirty_csv')!.dead_letters, sources.get('dirty_csv')!.state],
      [csv.total, CSV_POISON.length, 'running']);
    assert.equal(sources.get('dirty_json')!.last_error, null, 'a bad record is not an error of the source');
    // sluice.streams counts the rows that went in and the bad records, as /metrics shows them.
    const streams = (await fx.client.query(`SELECT name, rows, dead_letters FROM sluice.streams WHERE name LIKE 'dirty_%' ORDER BY name`)).rows;
    assert.deepEqual(streams.map((r) => [r.name, Number(r.rows), Number(r.dead_letters)]), [
      ['dirty_csv', csv.goodIds.length, CSV_POISON.length], ['dirty_json', json.goodIds.length, JSON_POISON.length],
    ]);
    const queries = await queryRows(fx.client);
    assert.equal(queries.get('json_counts')!.rows_in, json.goodIds.length);
    assert.equal(queries.get('csv_counts')!.rows_in, csv.goodIds.length);
    const reasons = (await fx.client.query(`SELECT reason, count(*) AS n FROM sluice.dead_letters WHERE source = 'dirty_json' GROUP BY reason`)).rows;
    const wantReasons: Record<string, number> = {};
    for (const p of JSON_POISON) wantReasons[p.reason] = (wantReasons[p.reason] ?? 0) + 1;
    assert.deepEqual(Object.fromEntries(reasons.map((r) => [r.reason, Number(r.n)])), wantReasons);
  });

  test('skip drops bad records; fail stops the source at the first one and says where', async () => {
    const skipTopic = freshTopic('poison-skip');
    const failTopic = freshTopic('poison-fail');
    const l = layout(100, goodJson, JSON_POISON.filter((p) => !p.kcat), 'skippy');
    await produceWithKafkajs(fx.kafka.brokers, skipTopic, l.kafkajs);
    await produceWithKafkajs(fx.kafka.brokers, failTopic, [
      ...Array.from({ length: 10 }, (_, i) => ({ value: goodJson(i), partition: 1 })),
      { value: JSON.stringify({ order_id: 'ten', ts: TS }), partition: 1 },
      ...Array.from({ length: 5 }, (_, i) => ({ value: goodJson(20 + i), partition: 1 })),
    ]);
    const columns = 'order_id BIGINT NOT NULL, customer TEXT, amount DOUBLE PRECISION, ts TIMESTAMPTZ NOT NULL';
    const deadBefore = Number((await fx.client.query('SELECT count(*) AS n FROM sluice.dead_letters')).rows[0].n);
    await fx.client.query(`CREATE STREAM skippy (${columns}) WITH (connector = 'kafka', topic = '${skipTopic}',
      brokers = '${fx.kafka.brokers}', on_error = 'skip')`);
    await fx.client.query(`CREATE STREAM strict (${columns}) WITH (connector = 'kafka', topic = '${failTopic}',
      brokers = '${fx.kafka.brokers}', on_error = 'fail')`);
    await fx.client.query(`CREATE CONTINUOUS QUERY skippy_n WITH (trigger_interval = '200 milliseconds') AS SELECT count(*) AS n FROM skippy`);
    await fx.client.query(`CREATE CONTINUOUS QUERY strict_n WITH (trigger_interval = '200 milliseconds') AS SELECT count(*) AS n, max(order_id) AS top FROM strict`);
    await waitCaughtUp(fx.client, { messages: { skippy: l.total }, queries: ['skippy_n'] });
    assert.equal(Number((await fx.client.query('SELECT n FROM skippy_n')).rows[0].n), 100);
    assert.equal((await sourceRows(fx.client)).get('skippy')!.dead_letters, 0);

    await waitFor(async () => (await sourceRows(fx.client)).get('strict')?.state === 'failed', 'the strict source fails');
    const strict = (await sourceRows(fx.client)).get('strict')!;
    assert.match(strict.last_error ?? '', /partition 1 offset 10 .*\(type\).*column "order_id"/);
    await waitCaughtUp(fx.client, { queries: ['strict_n'] });
    const r = (await fx.client.query('SELECT n, top FROM strict_n')).rows[0];
    assert.deepEqual([Number(r.n), Number(r.top)], [10, 9], 'the records before the bad one are kept');
    assert.equal(Number((await fx.client.query('SELECT count(*) AS n FROM sluice.dead_letters')).rows[0].n), deadBefore,
      'skip and fail write no dead letters');
  });
});
