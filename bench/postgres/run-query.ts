// One query on PostgreSQL, in a fresh database of the shared throwaway cluster, measured like the Sluice runs:
// throughput (every event COPYed as fast as PostgreSQL takes it, until the result reflects the last one) and
// freshness (a paced phase at a share of that throughput; each batch timed from when it was due until a result
// containing it is visible). Results become visible at COPY's commit (trigger-maintained q1, q2), or when a
// REFRESH MATERIALIZED VIEW that started after the batch's commit finishes (q5, q7); a second connection refreshes
// back to back whenever something new has been committed.

import type { Client } from 'pg';
import { copyText } from '../encode/copy-text';
import { type EventBatch, STREAM_NAMES } from '../nexmark/schema';
import { PeakSampler } from '../measure/memory';
import { nowMs, percentile, sleep } from '../measure/stats';
import { type BenchResult, emptyResult } from '../report/result';
import type { BenchSettings } from '../settings';
import { failureOf } from '../sluice/target';
import { type Chunk, Workload } from '../workload';
import { type PgCluster, pgTreeCpuSeconds, pgTreePss } from './cluster';
import type { PgQuery } from './queries';
import { copyFrom } from '../wire/copy-in';

const FRESH_TICK_MS = 20;

type Encoded = { stream: string; body: Buffer }[];

export async function runPgQuery(query: PgQuery, settings: BenchSettings, cluster: PgCluster): Promise<BenchResult> {
  const result = emptyResult('postgres', query.name, 'copy');
  result.note = query.refresh ? `COPY + ${query.refresh} in a loop` : 'COPY + statement trigger appending to a table';
  const database = `bench_${query.name}`;
  const admin = await cluster.connect();
  const peak = new PeakSampler(pgTreePss(cluster.pid));
  let ingest: Client | null = null;
  let refresher: Client | null = null;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    ingest = await cluster.connect(database);
    refresher = await cluster.connect(database);
    for (const statement of query.setup) await ingest.query(statement);
    await measure(query, settings, cluster, ingest, refresher, result, peak);
  } catch (e) {
    const f = failureOf(e);
    result.status = 'error';
    result.note = f.code ? `${f.code}: ${f.message}` : f.message;
  } finally {
    result.peakRssBytes = peak.stop() || null;
    await ingest?.end().catch(() => undefined);
    await refresher?.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
  return result;
}

async function measure(
  query: PgQuery, settings: BenchSettings, cluster: PgCluster, ingest: Client, refresher: Client,
  result: BenchResult, peak: PeakSampler,
): Promise<void> {
  const workload = new Workload(settings.seed, settings.rate);
  const encode = (b: EventBatch): Encoded =>
    STREAM_NAMES.filter((s) => b[s].length > 0).map((s) => ({ stream: s, body: copyText(b[s]) }));
  const cpu = pgTreeCpuSeconds(cluster.pid);
  const chunks = workload.chunks(settings.events, settings.batchEvents, encode);
  peak.start();

  const start = nowMs();
  const cpu0 = cpu();
  const visibility = new Visibility(query, refresher);
  for (const c of chunks) {
    await send(ingest, c);
    visibility.committed();
  }
  await visibility.waitFor(chunks.length);
  const seconds = (nowMs() - start) / 1000;
  const cpuSeconds = cpu() - cpu0;
  result.events = settings.events;
  result.seconds = seconds;
  result.eventsPerSecond = settings.events / seconds;
  result.cpuSeconds = cpuSeconds;
  result.eventsPerCoreSecond = cpuSeconds > 0 ? settings.events / cpuSeconds : null;
  // What PostgreSQL keeps to answer the query: the events themselves (a full refresh rereads them) and the result.
  const size = await ingest.query(`SELECT ${[...STREAM_NAMES, query.name].map((r) => `pg_total_relation_size('${r}')`)
    .join(' + ')} AS bytes`);
  result.stateBytes = Number(size.rows[0].bytes);

  if (settings.freshSeconds > 0) {
    const rate = Math.max(100, settings.freshShare * result.eventsPerSecond);
    const perTick = Math.max(1, Math.round((rate * FRESH_TICK_MS) / 1000));
    const paced = workload.chunks(Math.max(perTick, Math.round(rate * settings.freshSeconds)), perTick, encode);
    const latencies: number[] = [];
    const due: number[] = [];
    const base = visibility.count;
    visibility.onVisible = (upto) => {
      const now = nowMs();
      for (let k = latencies.length; k < upto - base; k++) latencies.push(now - due[k]);
    };
    const begin = nowMs();
    for (let k = 0; k < paced.length; k++) {
      due.push(begin + k * FRESH_TICK_MS);
      const wait = due[k] - nowMs();
      if (wait > 0) await sleep(wait);
      await send(ingest, paced[k]);
      visibility.committed();
    }
    await visibility.waitFor(base + paced.length);
    result.p50Ms = percentile(latencies, 50);
    result.p99Ms = percentile(latencies, 99);
    result.freshnessSamples = latencies.length;
    result.freshnessRate = rate;
  }
  await visibility.stop();
  peak.sample();
}

async function send(client: Client, chunk: Chunk<Encoded>): Promise<void> {
  for (const { stream, body } of chunk.encoded) await copyFrom(client, `COPY ${stream} FROM STDIN`, body);
}

/** Tracks how many committed batches the visible result reflects, refreshing it if the query needs that. */
class Visibility {
  count = 0;
  private visible = 0;
  private stopped = false;
  private failure: unknown = null;
  onVisible: (upto: number) => void = () => undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly query: PgQuery, refresher: Client) {
    this.loop = query.refresh === null ? Promise.resolve() : this.refreshLoop(refresher, query.refresh);
  }

  committed(): void {
    this.count++;
    if (this.query.refresh === null) this.reached(this.count);
  }

  async waitFor(n: number): Promise<void> {
    while (this.visible < n) {
      if (this.failure !== null) throw this.failure;
      await sleep(1);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private reached(n: number): void {
    this.visible = n;
    this.onVisible(n);
  }

  private async refreshLoop(client: Client, refresh: string): Promise<void> {
    try {
      while (!this.stopped) {
        const upto = this.count;
        if (upto === this.visible) {
          await sleep(1);
          continue;
        }
        await client.query(refresh);
        this.reached(upto);
      }
    } catch (e) {
      this.failure = e;
    }
  }
}
