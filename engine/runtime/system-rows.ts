// Rows of the `sluice` system views, computed from live state when read.

import type { RelationDef, StreamDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { Connectors } from '../connectors';
import type { Value } from '../types';
import type { Store } from '../../storage';
import type { QueryRunner, QueryStatus } from './query-runner';
import type { EpochDurations } from './epoch-durations';
import type { StreamRowCounts } from './stream-row-counts';
import type { SubscriptionHub } from '../subscribe/hub';
import { queryOldestResumable } from '../subscribe/sources';

/** The live state the views show; the runtime provides it (this file does not import the runtime). */
export interface LiveState {
  readonly store: Store;
  readonly connectors: Connectors;
  defs(): RelationDef[];
  def(name: string): RelationDef | undefined;
  runners(): ReadonlyMap<string, QueryRunner>;
  /** Why each continuous query that could not start did not. */
  failures(): ReadonlyMap<string, string>;
  readonly subscriptions: SubscriptionHub;
  readonly streamRows: StreamRowCounts;
}

const micros = (d: Date | string): bigint => BigInt(new Date(d).getTime()) * 1000n;

export async function systemViewRows(rt: LiveState, schema: string, view: string): Promise<Value[][]> {
  if (schema !== 'sluice') throw new SqlError(SQLSTATE.undefined_table, `relation "${schema}.${view}" does not exist`);
  switch (view) {
    case 'streams':
      return streamFigures(rt).map((s) => [
        s.def.name, s.def.definition, s.def.options.connector ?? null, micros(s.def.createdAt), BigInt(s.rows),
        BigInt(s.deadLetters),
      ]);
    case 'tables':
      return rt.defs().filter((d) => d.kind === 'table').map(objectRow);
    case 'sinks': return sinkRows(rt);
    case 'queries': return queryRows(rt);
    case 'sources': return sourceRows(rt);
    case 'dead_letters':
      return (await rt.store.listDeadLetters()).map((d) => [
        d.source, d.partition, d.offset, rawText(d.raw), d.reason, d.error, micros(d.at),
      ]);
    case 'subscriptions':
      return rt.subscriptions.subscriptions().map((s) => [s.relation, s.position, s.lag(), micros(s.started)]);
    case 'changelogs': return await changelogRows(rt);
    case 'checkpoints': {
      const names = new Map(rt.store.listDefs().map((s) => [s.id, s.def.name]));
      return (await rt.store.listCheckpoints()).map((c) => [
        names.get(c.queryId) ?? String(c.queryId), BigInt(c.epoch), micros(c.committedAt), c.durationMs,
        JSON.stringify(c.offsets),
      ]);
    }
    default:
      throw new SqlError(SQLSTATE.undefined_table, `relation "sluice.${view}" does not exist`);
  }
}

/** What sluice.streams shows of one stream, and /metrics too (both read it here, when asked). */
export interface StreamFigures {
  readonly def: StreamDef;
  /** Rows appended since the server started, by every path (INSERT, COPY, HTTP, Kafka). */
  readonly rows: number;
  /** Bad records of the stream written to sluice.dead_letters since the server started. */
  readonly deadLetters: number;
}

export function streamFigures(rt: LiveState): StreamFigures[] {
  const figures: StreamFigures[] = [];
  for (const stored of rt.store.listDefs()) {
    const def = stored.def as RelationDef;
    if (def.kind !== 'stream') continue;
    figures.push({ def, rows: rt.streamRows.of(stored.id), deadLetters: rt.store.deadLettersSinceOpen(def.name) });
  }
  return figures;
}

/** What sluice.queries shows of one continuous query, and /metrics too (both read it here, when asked). */
export interface QueryFigures {
  readonly name: string;
  readonly status: QueryStatus;
  readonly definition: string;
  readonly triggerIntervalMs: number;
  readonly epoch: number;
  /** µs since the epoch, or null before the query has one. */
  readonly watermark: number | null;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly lateRows: number;
  readonly errorRows: number;
  /** How far behind its inputs, in log entries. */
  readonly lag: number;
  readonly stateBytes: number;
  readonly lastBatchMs: number | null;
  readonly lastError: string | null;
  /** The epochs this process ran; null for a query that could not start. */
  readonly epochDurations: EpochDurations | null;
}

export function queryFigures(rt: LiveState): QueryFigures[] {
  const figures: QueryFigures[] = [];
  for (const def of rt.defs()) {
    if (def.kind !== 'query') continue;
    const runner = rt.runners().get(def.name);
    const common = { name: def.name, definition: def.definition, triggerIntervalMs: def.triggerIntervalMs };
    if (!runner) {
      figures.push({
        ...common, status: 'failed', epoch: 0, watermark: null, rowsIn: 0, rowsOut: 0, lateRows: 0, errorRows: 0,
        lag: 0, stateBytes: 0, lastBatchMs: null, lastError: rt.failures().get(def.name) ?? 'not started',
        epochDurations: null,
      });
      continue;
    }
    const s = runner.stats;
    figures.push({
      ...common, status: s.status, epoch: s.epoch, watermark: s.watermark, rowsIn: s.rowsIn, rowsOut: s.rowsOut,
      lateRows: s.lateRows, errorRows: s.errorRows, lag: runner.lag(), stateBytes: runner.stateBytes(),
      lastBatchMs: s.lastBatchMs, lastError: s.lastError, epochDurations: runner.epochDurations,
    });
  }
  return figures;
}

function queryRows(rt: LiveState): Value[][] {
  return queryFigures(rt).map((q) => [
    q.name, q.status, q.definition, { months: 0, days: 0, micros: q.triggerIntervalMs * 1000 }, BigInt(q.epoch),
    q.watermark === null ? null : BigInt(Math.trunc(q.watermark)),
    BigInt(q.rowsIn), BigInt(q.rowsOut), BigInt(q.lateRows), BigInt(q.errorRows), BigInt(q.lag),
    BigInt(q.stateBytes), q.lastBatchMs, q.lastError,
  ]);
}

/**
 * Each change log: the epochs a SUBSCRIBE can resume after (oldest_epoch, through from_epoch) up to the newest
 * committed one (engine/subscribe/sources.ts defines the epochs), and its live subscriptions.
 */
/**
 * Each change log: the epochs a subscription can resume after, its live subscriptions, and what it holds (entries
 * exactly; bytes as LevelDB estimates them, see Store.logBytes).
 */
async function changelogRows(rt: LiveState): Promise<Value[][]> {
  const subscribers = new Map<string, number>();
  for (const s of rt.subscriptions.subscriptions()) subscribers.set(s.relation, (subscribers.get(s.relation) ?? 0) + 1);
  const rows: Value[][] = [];
  for (const stored of rt.store.listDefs()) {
    const def = stored.def as RelationDef;
    if (def.kind === 'sink') continue;
    const runner = def.kind === 'query' ? rt.runners().get(def.name) : undefined;
    const [oldest, newest] = def.kind === 'query'
      ? [runner === undefined ? 0n : await queryOldestResumable(rt.store, runner), BigInt(runner?.stats.epoch ?? rt.store.lastEpoch(stored.id))]
      : [rt.store.firstSeq(stored.id) - 1n, rt.store.lastSeq(stored.id)];
    const entries = rt.store.lastSeq(stored.id) - rt.store.firstSeq(stored.id) + 1n;
    rows.push([
      def.name, def.kind, oldest, newest, BigInt(subscribers.get(def.name) ?? 0), entries,
      BigInt(await rt.store.logBytes(stored.id)),
    ]);
  }
  return rows;
}

function objectRow(d: RelationDef): Value[] {
  return [d.name, d.definition, d.options.connector ?? null, micros(d.createdAt)];
}

/** Sinks with their connector's figures (NULL while it is not running). */
function sinkRows(rt: LiveState): Value[][] {
  return rt.defs().filter((d) => d.kind === 'sink').map((d) => {
    const st = rt.connectors.status(d.name);
    return [...objectRow(d), st?.state ?? null, st?.position ?? null, st === undefined ? null : BigInt(st.lag), st?.lastError ?? null];
  });
}

/** Sources and sinks: whether they are reading or waiting for their far end, and how far behind. */
function sourceRows(rt: LiveState): Value[][] {
  return rt.connectors.rows().map(({ name, connector, target, status: st }) => [
    name, st.kind, connector, target, st.state, st.position, BigInt(st.lag), BigInt(st.messages), BigInt(st.deadLetters), st.lastError,
  ]);
}

/** Dead letters keep raw bytes; the view shows them as text when they are UTF-8, else as \x hex like bytea. */
function rawText(raw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return '\\x' + Buffer.from(raw).toString('hex');
  }
}
