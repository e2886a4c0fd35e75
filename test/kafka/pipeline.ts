// Shared pieces of the end-to-end Kafka tests that go through the real server and SQL: reading sluice.sources and
// sluice.queries, waiting until a pipeline has caught up with its topics, the last value per key of a sink topic,
// a seeded random generator, and event-time window arithmetic for batch recomputations.

import type { Client } from 'pg';
import { after, before } from 'node:test';
import { startKafka, type ReadMessage, type TestKafka } from '../helpers/kafka';
import { waitFor } from '../helpers/wait';
import { connectPg, startServer, type TestServer } from '../helpers/server';

export interface SourceRow {
  readonly name: string;
  readonly kind: string;
  readonly topic: string | null;
  readonly state: string;
  readonly position: string | null;
  readonly lag: number;
  readonly messages: number;
  readonly dead_letters: number;
  readonly last_error: string | null;
}

export async function sourceRows(client: Client): Promise<Map<string, SourceRow>> {
  const r = await client.query('SELECT name, kind, target AS topic, state, position, lag, messages, dead_letters, last_error FROM sluice.sources');
  return new Map(r.rows.map((row: Record<string, string | null>) => [row.name as string, {
    name: row.name as string, kind: row.kind as string, topic: row.topic, state: row.state as string, position: row.position,
    lag: Number(row.lag), messages: Number(row.messages), dead_letters: Number(row.dead_letters), last_error: row.last_error,
  }]));
}

export interface QueryRow {
  readonly name: string;
  readonly status: string;
  readonly lag: number;
  readonly rows_in: number;
  readonly late_rows: number;
  readonly error_rows: number;
  readonly watermark: Date | null;
  readonly last_error: string | null;
}

export async function queryRows(client: Client): Promise<Map<string, QueryRow>> {
  const r = await client.query('SELECT name, status, lag, rows_in, late_rows, error_rows, watermark, last_error FROM sluice.queries');
  return new Map(r.rows.map((row: Record<string, unknown>) => [row.name as string, {
    name: row.name as string, status: row.status as string, lag: Number(row.lag), rows_in: Number(row.rows_in),
    late_rows: Number(row.late_rows), error_rows: Number(row.error_rows), watermark: row.watermark as Date | null,
    last_error: row.last_error as string | null,
  }]));
}

/**
 * Waits until every source named in `messages` has read exactly that many messages (good and bad, since its start)
 * with lag 0, every query in `queries` has lag 0 (it has read its inputs' whole logs), and every sink in `sinks`
 * has lag 0 (the broker acknowledged everything it ships).
 */
export async function waitCaughtUp(
  client: Client, want: { messages?: Record<string, number>; queries?: readonly string[]; sinks?: readonly string[] },
  timeoutMs = 30_000,
): Promise<void> {
  let last = '';
  try {
    await waitFor(async () => {
      const sources = await sourceRows(client);
      const queries = await queryRows(client);
      last = JSON.stringify({ sources: [...sources.values()], queries: [...queries.values()] });
      for (const [name, n] of Object.entries(want.messages ?? {})) {
        const s = sources.get(name);
        if (!s || s.state !== 'running' || s.messages !== n || s.lag !== 0) return false;
      }
      for (const name of want.queries ?? []) {
        const q = queries.get(name);
        if (!q || q.status !== 'running' || q.lag !== 0) return false;
      }
      for (const name of want.sinks ?? []) {
        const s = sources.get(name);
        if (!s || s.state !== 'running' || s.lag !== 0) return false;
      }
      return true;
    }, `the pipeline to catch up (${JSON.stringify(want)})`, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${last}`);
  }
}

/**
 * The last value per key of a sink topic: a tombstone removes the key. Keys are the message keys as the sink wrote
 * them, normalised by `keyOf` (e.g. parsing a composite key's JSON, turning ISO timestamps into numbers); values
 * parsed as JSON.
 */
export function lastValuePerKey(
  messages: readonly ReadMessage[], keyOf: (key: string) => string,
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const m of messages) {
    if (m.key === null) throw new Error(`a keyed sink wrote a message without a key at ${m.partition}/${m.offset}`);
    const k = keyOf(m.key);
    if (m.value === null) out.delete(k);
    else out.set(k, JSON.parse(m.value) as Record<string, unknown>);
  }
  return out;
}

/**
 * Checks what a consumer relies on to recognise a re-sent message: every message carries sluice-query, -epoch,
 * -position and -op, and two messages with the same (query, epoch, position) have the same key, value and op.
 * Returns how many messages were re-sent copies.
 */
export function checkSinkHeaders(messages: readonly ReadMessage[], query: string): number {
  const seen = new Map<string, ReadMessage>();
  let copies = 0;
  for (const m of messages) {
    const h = m.headers;
    if (h['sluice-query'] !== query || !/^\d+$/.test(h['sluice-epoch'] ?? '') || !/^\d+$/.test(h['sluice-position'] ?? '') ||
      !['insert', 'delete'].includes(h['sluice-op'] ?? '')) {
      throw new Error(`message ${m.partition}/${m.offset} lacks the sluice-* headers: ${JSON.stringify(h)}`);
    }
    const id = `${h['sluice-epoch']}/${h['sluice-position']}`;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, m);
      continue;
    }
    copies++;
    if (first.key !== m.key || first.value !== m.value || first.headers['sluice-op'] !== h['sluice-op'] || first.partition !== m.partition) {
      throw new Error(`messages ${first.partition}/${first.offset} and ${m.partition}/${m.offset} share the headers ${id} ` +
        `but differ: ${first.key} ${first.value} / ${m.key} ${m.value}`);
    }
  }
  return copies;
}

export { seededRandom } from '../helpers/random';

/** The start (ms since the epoch) of every HOP window containing `ts`: aligned to the epoch, size a multiple of slide. */
export function hopStarts(ts: number, slideMs: number, sizeMs: number): number[] {
  const out: number[] = [];
  const last = Math.floor(ts / slideMs) * slideMs;
  for (let s = last; s > ts - sizeMs; s -= slideMs) out.push(s);
  return out;
}

/** A timestamptz as pg returns it (Date) or a sink writes it (ISO text) → ms since the epoch. */
export function millis(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${v}`);
    return ms;
  }
  throw new Error(`not a timestamp: ${String(v)}`);
}

export interface KafkaServerFixture {
  readonly kafka: TestKafka;
  readonly server: TestServer;
  readonly client: Client;
}

/** Inside a describe(): a mock broker, a real server and a connected client for its tests, all stopped after them. */
export function withKafkaServer(): KafkaServerFixture {
  const fx = {} as { kafka: TestKafka; server: TestServer; client: Client };
  before(async () => {
    fx.kafka = await startKafka();
    fx.server = await startServer();
    fx.client = await connectPg(fx.server);
  });
  after(async () => {
    await fx.client?.end().catch(() => undefined);
    await fx.server?.stop();
    await fx.kafka?.stop();
  });
  return fx;
}
