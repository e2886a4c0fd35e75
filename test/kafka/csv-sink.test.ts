// Kafka sinks with format = 'csv', through the real server and the mock broker: a continuous query's rows shipped
// one CSV line per message, read back with kcat, parsed here and compared with the query's rows as the server sends
// them in text (awkward text, NULLs, numerics, timestamps); a keyed CSV sink's update and tombstone, and an unkeyed
// one's deleted row with its header.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readWithKcat, type ReadMessage } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { freshTopic } from './fixtures';
import { withKafkaServer } from './pipeline';

const fx = withKafkaServer();

/** One CSV record (RFC 4180, as COPY writes it): an unquoted empty field is NULL, a quoted one the empty string. */
function parseCsvRecord(line: string): (string | null)[] {
  const fields: (string | null)[] = [];
  let at = 0;
  for (;;) {
    if (line[at] === '"') {
      let text = '';
      at++;
      for (;;) {
        const close = line.indexOf('"', at);
        if (close < 0) throw new Error(`unterminated quote in ${JSON.stringify(line)}`);
        text += line.slice(at, close);
        at = close + 1;
        if (line[at] !== '"') break;
        text += '"';
        at++;
      }
      fields.push(text);
    } else {
      const end = line.indexOf(',', at);
      const text = line.slice(at, end < 0 ? line.length : end);
      if (text.includes('"')) throw new Error(`a quote inside an unquoted field in ${JSON.stringify(line)}`);
      fields.push(text === '' ? null : text);
      at = end < 0 ? line.length : end;
    }
    if (at === line.length) return fields;
    if (line[at] !== ',') throw new Error(`expected a comma at ${at} in ${JSON.stringify(line)}`);
    at++;
  }
}

/** Rows as the server's text protocol sends them: each value its type's output text, exactly what COPY prints. */
async function textRows(sql: string): Promise<(string | null)[][]> {
  const r = await fx.client.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return r.rows as (string | null)[][];
}

async function messagesOf(topic: string, count: number): Promise<ReadMessage[]> {
  let messages: ReadMessage[] = [];
  await waitFor(async () => (messages = await readWithKcat(fx.kafka.brokers, topic)).length >= count, `${count} messages in ${topic}`, 30_000);
  assert.equal(messages.length, count, `exactly ${count} messages in ${topic}`);
  return messages;
}

describe('Kafka CSV sinks', () => {
  test('a continuous query shipped as CSV: every line parses back to the query\'s row', async () => {
    await fx.client.query("SET TimeZone = 'UTC'");
    await fx.client.query(`CREATE STREAM csv_in (id INTEGER NOT NULL, note TEXT, amount NUMERIC, at TIMESTAMPTZ, ok BOOLEAN,
      big BIGINT, ratio DOUBLE PRECISION)`);
    await fx.client.query(`CREATE CONTINUOUS QUERY csv_rows WITH (trigger_interval = '200 milliseconds') AS
      SELECT id, note, amount, at, ok, big, ratio, amount * 2 AS twice FROM csv_in WHERE id > 0`);
    const topic = freshTopic('csv-sink');
    await fx.client.query(`CREATE SINK csv_out FROM csv_rows WITH (connector = 'kafka', topic = '${topic}',
      brokers = '${fx.kafka.brokers}', format = 'csv')`);
    await fx.client.query(`INSERT INTO csv_in VALUES
      (1, 'plain', 12.340, '2024-03-01 12:00:00.123456+00', true, 9007199254740993, 0.5),
      (2, E'a, "b"\\nc', -0.5, '1969-12-31 23:59:59+00', false, -1, -1.25e-10),
      (3, NULL, NULL, NULL, NULL, NULL, NULL),
      (4, '', 123456789012345678901234567890.12345, '2024-02-29 23:59:59.5+00', true, 0, 'NaN'),
      (5, E'\\\\.', 0, '2000-01-01 00:00:00+00', false, 42, 'Infinity'),
      (6, E'cr\\rhere', 1e-20, '2024-03-01 12:00:00+00', true, 7, 3),
      (-1, 'filtered out', 1, NULL, NULL, NULL, NULL)`);
    const messages = await messagesOf(topic, 6);

    for (const m of messages) {
      assert.equal(m.key, null, 'an unkeyed sink');
      assert.equal(m.headers['sluice-op'], 'insert');
      assert.equal(m.headers['sluice-query'], 'csv_rows');
    }
    const byId = new Map(messages.map((m) => [m.value!.slice(0, m.value!.indexOf(',')), m.value!]));
    // COPY's quoting, literally (these lines are what PostgreSQL 15's COPY ... TO STDOUT WITH (FORMAT csv) prints for
    // the same values): a comma, a quote or a newline quotes the field and doubles the quote; NULL is an empty field
    // and the empty string a quoted one; \. is quoted only as a line's only column; numbers and timestamps are
    // their output text.
    assert.equal(byId.get('1'), '1,plain,12.340,2024-03-01 12:00:00.123456+00,t,9007199254740993,0.5,24.680');
    assert.equal(byId.get('2'), '2,"a, ""b""\nc",-0.5,1969-12-31 23:59:59+00,f,-1,-1.25e-10,-1.0');
    assert.equal(byId.get('3'), '3,,,,,,,');
    assert.equal(byId.get('4')!.slice(0, 5), '4,"",');
    assert.equal(byId.get('5')!.slice(0, 5), '5,\\.,');

    const parsed = messages.map((m) => parseCsvRecord(m.value!)).sort((a, b) => Number(a[0]) - Number(b[0]));
    const expected = await textRows('SELECT id, note, amount, at, ok, big, ratio, twice FROM csv_rows ORDER BY id');
    assert.equal(expected.length, 6);
    assert.deepEqual(parsed, expected);
  });

  test('a keyed CSV sink: the key\'s raw text, an update as the new line, a delete as a tombstone', async () => {
    await fx.client.query('CREATE TABLE csv_people (id INTEGER PRIMARY KEY, name TEXT, score NUMERIC)');
    await fx.client.query(`CREATE CONTINUOUS QUERY csv_people_rows WITH (trigger_interval = '200 milliseconds') AS
      SELECT id, name, score FROM csv_people`);
    const keyed = freshTopic('csv-keyed');
    const unkeyed = freshTopic('csv-unkeyed');
    await fx.client.query(`CREATE SINK csv_people_keyed FROM csv_people_rows WITH (connector = 'kafka', topic = '${keyed}',
      brokers = '${fx.kafka.brokers}', format = 'csv', key = 'id')`);
    await fx.client.query(`CREATE SINK csv_people_all FROM csv_people_rows WITH (connector = 'kafka', topic = '${unkeyed}',
      brokers = '${fx.kafka.brokers}', format = 'csv')`);
    await fx.client.query(`INSERT INTO csv_people VALUES (1, 'Ann, the first', 1.50), (2, 'Bo', NULL)`);
    await messagesOf(keyed, 2);
    await fx.client.query(`UPDATE csv_people SET name = 'Bo "B"' WHERE id = 2`);
    await messagesOf(keyed, 3);
    await fx.client.query('DELETE FROM csv_people WHERE id = 1');

    const messages = await messagesOf(keyed, 4);
    const perKey = (key: string): (string | null)[] => messages.filter((m) => m.key === key).map((m) => m.value);
    assert.deepEqual(perKey('1'), ['1,"Ann, the first",1.50', null], 'the row, then a tombstone');
    assert.deepEqual(perKey('2'), ['2,Bo,', '2,"Bo ""B""",'], 'the row, then the updated row alone');
    assert.equal(messages.find((m) => m.value === null)!.headers['sluice-op'], 'delete');

    // Unkeyed: every change, the update as its old row deleted and its new row inserted, the delete as the row.
    const all = await messagesOf(unkeyed, 5);
    assert.deepEqual(all.map((m) => `${m.headers['sluice-op']} ${m.value}`).sort(), [
      'delete 1,"Ann, the first",1.50', 'delete 2,Bo,', 'insert 1,"Ann, the first",1.50', 'insert 2,"Bo ""B""",', 'insert 2,Bo,',
    ]);
  });
});
