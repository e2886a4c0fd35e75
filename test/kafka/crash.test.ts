// Exactly once across crashes: a child process ingests a topic that is being written all the while, and is killed
// with SIGKILL at random moments while it ingests, several times; a last run reads to the end. Every message must be
// in the stream's log exactly once and every bad record in the dead letters exactly once.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafkaSource } from '../../engine/kafka';
import { Store } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { startKafka, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { FAST, ORDER_COLUMNS, freshTopic, kafkaStream, logRows, tempStore, testLog } from './fixtures';

const CHILD = path.join(__dirname, 'ingest-child.js');
const KILLS = 5;
const POISON_EVERY = 250;

/** Runs the ingest child until it has consumed something, then SIGKILLs it after a random delay. */
async function runAndKill(dir: string, name: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, [CHILD, dir, name], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ingest child never consumed anything: ${err}`)), 30_000);
      let buf = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        buf += s;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        if (lines.some((l) => (JSON.parse(l) as { messages: number }).messages > 0)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`the ingest child exited (${code}): ${err}`)));
    });
    await new Promise((r) => setTimeout(r, delayMs));
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe('crashes during Kafka ingest', () => {
  let kafka: TestKafka;
  before(async () => {
    kafka = await startKafka();
  });
  after(async () => {
    await kafka.stop();
  });

  test(`SIGKILL at ${KILLS} random moments while ingesting: every message exactly once`, async () => {
    const topic = freshTopic('crashy');
    const t = await tempStore('crash');
    const id = await t.store.putDef(kafkaStream('crashy', { topic, brokers: kafka.brokers }));
    await t.store.close();
    const producer = new Kafka({ clientId: 'crash-producer', brokers: [kafka.brokers], logLevel: logLevel.NOTHING })
      .producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let produced = 0;
    let producing = true;
    // Written all the while the children run: 100 messages every 40 ms, one in POISON_EVERY not JSON.
    const writer = (async () => {
      while (producing) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = produced + i;
          return { partition: n % 4, value: n % POISON_EVERY === 0 ? `bad ${n}` : JSON.stringify({ id: n, customer: 'c', amount: n, ts: '2026-01-01T10:00:00Z' }) };
        });
        await producer.send({ topic, acks: -1, messages });
        produced += messages.length;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const delays: number[] = [];
    try {
      for (let k = 0; k < KILLS; k++) {
        const delay = Math.floor(Math.random() * 400);
        delays.push(delay);
        await runAndKill(t.dir, 'crashy', delay);
      }
    } finally {
      producing = false;
      await writer;
      await producer.disconnect();
    }

    // The last run reads to the end of the topic.
    const store = await Store.open<RelationDef>(t.dir);
    t.store = store;
    const source = startKafkaSource({ store, relationId: id, def: store.getDefById(id)!.def as never, log: testLog(), tuning: FAST });
    try {
      const total = (): number => Object.values(store.sourcePositions(id)).reduce((s, o) => s + Number(o), 0);
      await waitFor(() => total() === produced, `all ${produced} messages (kills after ${delays.join(', ')} ms)`, 60_000);
    } finally {
      await source.stop();
    }
    const ids = (await logRows(store, id, ORDER_COLUMNS)).map((r) => Number(r[0])).sort((a, b) => a - b);
    const want = Array.from({ length: produced }, (_, n) => n).filter((n) => n % POISON_EVERY !== 0);
    assert.equal(ids.length, want.length, `rows in the log (kills after ${delays.join(', ')} ms)`);
    assert.deepEqual(ids, want);
    const dead = await store.listDeadLetters(100_000);
    assert.deepEqual(dead.map((d) => Buffer.from(d.raw).toString()).sort(),
      Array.from({ length: produced }, (_, n) => n).filter((n) => n % POISON_EVERY === 0).map((n) => `bad ${n}`).sort());
    await t.close();
  });
});
