// Shared pieces of the Kafka tests: a Store in a temp dir, definitions of Kafka streams, tables and sinks, a log that
// remembers its lines, fast client timings, and reading a stream's log back as rows.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SinkDef, StreamDef, TableDef, RelationDef } from '../../engine/catalog';
import { rowsFromBatch } from '../../engine/columns';
import { decodeChangeBatch } from '../../engine/codecs/change-batch';
import type { KafkaLog, KafkaTuning } from '../../engine/kafka';
import { T, type Field, type Value } from '../../engine/types';
import { Store } from '../../storage';

export const FAST: Partial<KafkaTuning> = {
  connectionTimeoutMs: 1000, requestTimeoutMs: 2000, retries: 1, initialRetryMs: 100, maxBackoffMs: 1000,
  maxWaitMs: 100,
};

export interface TempStore {
  readonly dir: string;
  store: Store<RelationDef>;
  reopen(): Promise<Store<RelationDef>>;
  close(): Promise<void>;
}

export async function tempStore(label: string): Promise<TempStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-kafka-${label}-`));
  const t: TempStore = {
    dir,
    store: await Store.open<RelationDef>(dir),
    async reopen() {
      await t.store.close();
      t.store = await Store.open<RelationDef>(dir);
      return t.store;
    },
    async close() {
      await t.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields?: Record<string, unknown>;
}

export function testLog(): KafkaLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (msg, fields) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, fields }),
  };
}

let topicCounter = 0;

/** A topic name no other test uses. */
export function freshTopic(label: string): string {
  return `${label}-${process.pid}-${++topicCounter}`;
}

export const ORDER_COLUMNS: Field[] = [
  { name: 'id', type: T.int8, nullable: false },
  { name: 'customer', type: T.text, nullable: true },
  { name: 'amount', type: T.float8, nullable: true },
  { name: 'ts', type: T.timestamptz, nullable: false },
];

export function kafkaStream(name: string, options: Record<string, string>, columns: Field[] = ORDER_COLUMNS): StreamDef {
  return {
    kind: 'stream', name, definition: `CREATE STREAM ${name} (...) WITH (connector = 'kafka', ...)`,
    createdAt: new Date(0).toISOString(), options: { connector: 'kafka', ...options }, columns, watermark: null,
  };
}

export function kafkaTable(name: string, options: Record<string, string>, columns: Field[], primaryKey: string[]): TableDef {
  return {
    kind: 'table', name, definition: `CREATE TABLE ${name} (...) WITH (connector = 'kafka', ...)`,
    createdAt: new Date(0).toISOString(), options: { connector: 'kafka', ...options }, columns, primaryKey,
  };
}

export function plainStream(name: string, columns: Field[]): StreamDef {
  return {
    kind: 'stream', name, definition: `CREATE STREAM ${name} (...)`, createdAt: new Date(0).toISOString(),
    options: {}, columns, watermark: null,
  };
}

export function sinkDef(name: string, from: string, options: Record<string, string>): SinkDef {
  return {
    kind: 'sink', name, definition: `CREATE SINK ${name} FROM ${from} WITH (...)`, createdAt: new Date(0).toISOString(),
    options: { connector: 'kafka', ...options }, from,
  };
}

/** Every row of a relation's log (columns of `columns`, then whatever follows, e.g. `_arrival`), in log order. */
export async function logRows(store: Store, id: number, columns: readonly Field[]): Promise<Value[][]> {
  const out: Value[][] = [];
  for await (const e of store.readLog(id, 0n)) out.push(...rowsFromBatch(decodeChangeBatch(e.bytes).data, columns));
  return out;
}
