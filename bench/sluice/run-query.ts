// One Nexmark query on Sluice through one ingest path, in a fresh database:
//   1. create the three relations and the continuous query (an error here is "not supported" for 0A000, else
//      "error", reported with its SQLSTATE and message: nothing is ever faked);
//   2. throughput: send every event as fast as the path takes them, then poll sluice.queries until rows_in says the
//      query has consumed all of them; events/s and events/s per CPU core over that span;
//   3. freshness: send more events at a fixed pace (a share of the measured throughput) in small batches, and time
//      each batch from the moment it was due to be sent until rows_in shows it consumed (p50 / p99).
// A path whose source keeps only so much unconsumed (Kafka: the mock broker keeps 5 MiB per partition and drops the
// oldest beyond) sends while the query runs, never more than `maxUnconsumedRows` ahead of it; a figure is printed
// only for a run whose query consumed every event.

import { type BenchQuery } from '../queries';
import { createStreamSql, STREAM_COLUMNS, STREAM_NAMES, type StreamName } from '../nexmark/schema';
import type { BenchSettings } from '../settings';
import { type Chunk, inputRows, Workload } from '../workload';
import { PeakSampler } from '../measure/memory';
import { nowMs, percentile, sleep } from '../measure/stats';
import { type BenchResult, emptyResult } from '../report/result';
import { freshnessTargetMs, nexmarkPerCoreTarget } from '../report/targets';
import { type Progress, QueryFailed, readProgress, waitForRowsIn } from './progress';
import { failureOf, type PathName, PathNotSupported, type SluiceTarget } from './target';

/** How often the freshness phase sends a batch, and how often it polls. */
const FRESH_TICK_MS = 20;
const FRESH_POLL_MS = 5;
const THROUGHPUT_POLL_MS = 20;

export async function runSluiceQuery(
  query: BenchQuery, path: PathName, settings: BenchSettings, open: () => Promise<SluiceTarget>,
): Promise<BenchResult> {
  const result = emptyResult('sluice', query.name, path);
  result.targetPerCore = nexmarkPerCoreTarget(query.name, path);
  // "Freshness p99 ≤ trigger interval + 100 ms at half the maximal throughput": the default --fresh-share.
  result.targetP99Ms = freshnessTargetMs(settings.triggerMs);
  let target: SluiceTarget;
  try {
    target = await open();
  } catch (e) {
    return fail(result, e);
  }
  result.note = target.ingestMethod;
  const peak = new PeakSampler(target.rss);
  try {
    await measure(query, target, settings, result, peak);
  } catch (e) {
    fail(result, e);
  } finally {
    result.peakRssBytes = peak.stop() || null;
    await target.close().catch(() => undefined);
  }
  return result;
}

export function sqlName(query: BenchQuery): string {
  return query.name.replace(/-/g, '_');
}

async function measure(
  query: BenchQuery, target: SluiceTarget, settings: BenchSettings, result: BenchResult, peak: PeakSampler,
): Promise<void> {
  const name = sqlName(query);
  const workload = new Workload(settings.seed, settings.rate);
  const encode = (b: Parameters<SluiceTarget['encode']>[0]) => target.encode(b, STREAM_NAMES);
  const ddl = [
    ...STREAM_NAMES.map((s) => relationSql(s, query.tables?.includes(s) ?? false, target.streamOptions(s))),
    `CREATE CONTINUOUS QUERY ${name} WITH (trigger_interval = '${settings.triggerMs} milliseconds') AS ${query.select}`,
  ];

  if (target.probe) {
    const reason = await target.probe();
    if (reason !== null) throw new PathNotSupported(reason);
  }
  // Generating and encoding is not Sluice's work: done before the clock starts.
  const chunks = workload.chunks(settings.events, settings.batchEvents, encode);
  peak.start();
  for (const statement of ddl) await target.sql(statement);
  const start = nowMs();
  const cpuStart = target.cpu();
  const expected = inputRows(chunks, query.reads);
  const timeoutMs = 60_000 + settings.events / 5;
  let progress: Progress;
  try {
    await ingestAll(target, name, chunks, query.reads, timeoutMs);
    progress = await waitForRowsIn(target, name, expected, timeoutMs, THROUGHPUT_POLL_MS);
  } catch (e) {
    if (e instanceof QueryFailed && target.droppedMessages) {
      const lost = await target.droppedMessages();
      if (lost > 0) e.message += `; the source dropped its oldest ${lost} messages (low offsets above 0): no figure for this run`;
    }
    throw e;
  }
  const seconds = (nowMs() - start) / 1000;
  const cpuSeconds = target.cpu() - cpuStart;
  result.events = settings.events;
  result.seconds = seconds;
  result.eventsPerSecond = settings.events / seconds;
  result.cpuSeconds = cpuSeconds;
  result.eventsPerCoreSecond = cpuSeconds > 0 ? settings.events / cpuSeconds : null;
  result.stateBytes = progress.stateBytes;

  if (settings.freshSeconds > 0) await freshness(query, target, settings, workload, expected, result);
  peak.sample();
}

/** Sends every chunk; a source that drops what is not consumed in time gets no further ahead than it can keep. */
async function ingestAll(
  target: SluiceTarget, name: string, chunks: readonly Chunk<unknown>[], reads: readonly StreamName[], timeoutMs: number,
): Promise<void> {
  let sent = 0;
  for (const c of chunks) {
    if (target.maxUnconsumedRows !== undefined && sent > target.maxUnconsumedRows) {
      await waitForRowsIn(target, name, sent - target.maxUnconsumedRows, timeoutMs, THROUGHPUT_POLL_MS);
    }
    await target.ingest(c.encoded);
    sent += inputRows([c], reads);
  }
}

function relationSql(stream: StreamName, asTable: boolean, options: string): string {
  if (!asTable) return `${createStreamSql(stream)}${options ? ` ${options}` : ''}`;
  const cols = STREAM_COLUMNS[stream].map((c) =>
    `${c.name} ${{ int8: 'BIGINT', text: 'TEXT', timestamptz: 'TIMESTAMPTZ' }[c.type]}${c.name === 'id' ? ' PRIMARY KEY' : ''}`);
  return `CREATE TABLE ${stream} (${cols.join(', ')})${options ? ` ${options}` : ''}`;
}

async function freshness(
  query: BenchQuery, target: SluiceTarget, settings: BenchSettings, workload: Workload, consumedSoFar: number,
  result: BenchResult,
): Promise<void> {
  const name = sqlName(query);
  const rate = Math.max(100, settings.freshShare * (result.eventsPerSecond ?? 0));
  const perTick = Math.max(1, Math.round((rate * FRESH_TICK_MS) / 1000));
  const total = Math.max(perTick, Math.round(rate * settings.freshSeconds));
  const chunks = workload.chunks(total, perTick, (b) => target.encode(b, STREAM_NAMES));

  // Each batch waits for rows_in to pass the count of input rows up to and including it.
  const pending: { needRows: number; sentAt: number }[] = [];
  const latencies: number[] = [];
  let sending = true;
  let failure: unknown = null;
  const poller = (async () => {
    while (sending || pending.length > 0) {
      const p = await readProgress(target, name);
      const now = nowMs();
      if (p?.status === 'failed') throw new QueryFailed(`query failed: ${p.lastError ?? 'no reason given'}`);
      while (p && pending.length > 0 && pending[0].needRows <= p.rowsIn) latencies.push(now - pending.shift()!.sentAt);
      if (!sending && pending.length > 0 && now - pending[0].sentAt > 60_000) {
        throw new QueryFailed(`timeout: a freshness batch was not visible after 60 s`);
      }
      await sleep(FRESH_POLL_MS);
    }
  })().catch((e: unknown) => {
    failure = e;
    pending.length = 0;
  });

  let needRows = consumedSoFar;
  const begin = nowMs();
  for (let k = 0; k < chunks.length && failure === null; k++) {
    const due = begin + k * FRESH_TICK_MS;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    needRows += inputRows([chunks[k]], query.reads);
    await target.ingest(chunks[k].encoded);
    // Latency counts from when the batch was due, so an ingest path that falls behind the pace shows it.
    // Batches with no input rows for this query (e.g. only persons) have nothing to become visible.
    if (inputRows([chunks[k]], query.reads) > 0) pending.push({ needRows, sentAt: due });
  }
  sending = false;
  await poller;
  if (failure !== null) throw failure;
  result.p50Ms = percentile(latencies, 50);
  result.p99Ms = percentile(latencies, 99);
  result.freshnessSamples = latencies.length;
  result.freshnessRate = rate;
}

function fail(result: BenchResult, e: unknown): BenchResult {
  const f = failureOf(e);
  result.status = f.code === '0A000' || e instanceof PathNotSupported ? 'not supported' : 'error';
  if (e instanceof PathNotSupported) result.pathUnsupported = true;
  result.note = f.code ? `${f.code}: ${f.message}` : f.message;
  return result;
}
