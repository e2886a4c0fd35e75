// A keyed topic as a table: messages upsert by primary key, tombstones (null values) delete by the message key
// (JSON object or bare value), through TableState so rows, log and positions change in one write; a restart
// applies nothing twice.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaConnector, startKafkaSource } from '../../engine/kafka';
import { Connectors } from '../../engine/connectors';
import { TableState } from '../../engine/runtime/table-state';
import { StreamRowCounts } from '../../engine/runtime/stream-row-counts';
import { rowsFromBatch } from '../../engine/columns';
import { decodeChangeBatch } from '../../engine/codecs/change-batch';
import { T, type Field, type Value } from '../../engine/types';
import type { TableDef } from '../../engine/catalog';
import type { RelationStore } from '../../engine/catalog';
import { produceWithKafkajs, produceWithKcat, startKafka, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, freshTopic, kafkaTable, tempStore, testLog } from './fixtures';

const COLUMNS: Field[] = [
  { name: 'id', type: T.int8, nullable: false },
  { name: 'name', type: T.text, nullable: true },
  { name: 'region', type: T.text, nullable: true },
];

const customer = (id: number, region: string): string => JSON.stringify({ ID: id, Name: `n${id}`, region });

function sorted(rows: readonly (readonly Value[])[]): Value[][] {
  return rows.map((r) => [...r]).sort((a, b) => Number(a[0]) - Number(b[0]));
}

/** The table's contents according to its log: every entry's diffs applied in order. */
async function rowsFromLog(store: RelationStore, id: number): Promise<Value[][]> {
  const live = new Map<string, { row: Value[]; n: number }>();
  for await (const e of store.readLog(id, 0n)) {
    const batch = decodeChangeBatch(e.bytes);
    const rows = rowsFromBatch(batch.data, COLUMNS);
    rows.forEach((row, i) => {
      const k = JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      const cur = live.get(k) ?? { row, n: 0 };
      cur.n += batch.diffs === null ? 1 : batch.diffs[i];
      live.set(k, cur);
    });
  }
  for (const v of live.values()) assert.ok(v.n === 0 || v.n === 1, 'no row twice in the log\'s net effect');
  return sorted([...live.values()].filter((v) => v.n === 1).map((v) => v.row));
}

function startTableSource(store: RelationStore, id: number, table: TableState, log = testLog()) {
  return startKafkaSource({
    store, relationId: id, def: table.def, log, tuning: FAST,
    onTableRows: (upserts, deleteKeys, progress) => table.upsert(upserts, deleteKeys, progress),
  });
}

describe('a keyed Kafka topic as a table', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    await kafka.stop();
  });

  test('upserts by key, tombstones delete, a restart applies nothing twice', async () => {
    const topic = freshTopic('customers');
    const t = await tempStore('table');
    try {
      const def = kafkaTable('customers', { topic, brokers: kafka.brokers }, COLUMNS, ['id']);
      const id = await t.store.putDef(def);
      let table = new TableState(id, t.store.getDefById(id)!.def as TableDef, t.store);
      // One partition for these: the same key is written several ways ('4' and '{"id": 4}'), which a partitioner
      // would scatter, and the order of a key's messages only holds within a partition.
      const p0 = (m: { key: string; value: string | null }) => ({ ...m, partition: 0 });
      await produceWithKafkajs(kafka.brokers, topic, Array.from({ length: 20 }, (_, i) => p0({ key: String(i + 1), value: customer(i + 1, 'eu') })));
      await produceWithKafkajs(kafka.brokers, topic, [
        ...[1, 2, 3, 4, 5].map((i) => ({ key: String(i), value: customer(i, 'us') })),
        { key: '3', value: null },                       // bare key
        { key: '{"id": 4}', value: null },               // JSON object key
        { key: '"5"', value: null },                     // JSON string for a BIGINT key
        { key: '99', value: null },                      // no such row: nothing happens
        { key: 'abc', value: null },                     // not a BIGINT: a dead letter
        { key: '8', value: JSON.stringify({ name: 'no id' }) }, // no primary key: a dead letter
      ].map(p0));
      await produceWithKafkajs(kafka.brokers, topic, [p0({ key: '4', value: customer(4, 'apac') })]);
      // kcat: its own partitioner, so its keys are its own; `-Z` makes the empty value a tombstone.
      await produceWithKcat(kafka.brokers, topic, [`30\t${customer(30, 'eu')}`, `31\t${customer(31, 'eu')}`, '30\t'], { keyed: true, nullEmpty: true });
      const total = 20 + 11 + 1 + 3;

      const source = startTableSource(t.store, id, table);
      const expected = sorted([
        ...[1, 2].map((i) => [BigInt(i), `n${i}`, 'us']),
        [4n, 'n4', 'apac'],
        ...Array.from({ length: 15 }, (_, i) => [BigInt(i + 6), `n${i + 6}`, 'eu']),
        [31n, 'n31', 'eu'],
      ]);
      try {
        await waitFor(() => source.status().messages === total, `all ${total} messages`);
        assert.deepEqual(sorted(table.snapshot()), expected);
        assert.deepEqual(await rowsFromLog(t.store, id), expected, 'the log\'s net effect is the table');
        const dead = await t.store.listDeadLetters();
        assert.deepEqual(dead.map((d) => d.reason).sort(), ['not_null', 'parse']);
        assert.equal(Buffer.from(dead.find((d) => d.reason === 'parse')!.raw).toString(), 'abc', 'a tombstone\'s raw bytes are its key');
      } finally {
        await source.stop();
      }

      // Restart on a reopened store: the rows come back from storage and nothing is applied again.
      const store = await t.reopen();
      const seq = store.lastSeq(id);
      table = new TableState(id, store.getDefById(id)!.def as TableDef, store);
      await table.load();
      assert.deepEqual(sorted(table.snapshot()), expected);
      // This time through the registry the runtime uses.
      const connectors = new Connectors({ store, log: testLog(), streamRows: new StreamRowCounts() }, [kafkaConnector(FAST)]);
      connectors.startSource(connectors.kindOf(table.def)!, { relationId: id, def: table.def, table });
      const messages = (): number => (connectors.status('customers') as { messages: number }).messages;
      try {
        await produceWithKafkajs(kafka.brokers, topic, [p0({ key: '6', value: null }), p0({ key: '7', value: customer(7, 'us') })]);
        await waitFor(() => messages() === 2, 'the two new messages');
        assert.equal(connectors.status('customers')?.kind, 'source');
        assert.equal(messages(), 2, 'nothing read twice');
        const now = expected.filter((r) => r[0] !== 6n).map((r) => (r[0] === 7n ? [7n, 'n7', 'us'] : r));
        assert.deepEqual(sorted(table.snapshot()), now);
        assert.deepEqual(await rowsFromLog(store, id), now);
        assert.ok(store.lastSeq(id) > seq);
      } finally {
        await connectors.stopAll();
      }
      assert.equal(connectors.status('customers'), undefined);
    } finally {
      await t.close();
    }
  });
});
