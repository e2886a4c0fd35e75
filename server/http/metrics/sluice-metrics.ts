// GET /metrics: Sluice's figures in Prometheus' text format, written by prom-client. Every figure is read when
// Prometheus scrapes, from the same counters the sluice.* views read (engine/runtime/system-rows.ts queryFigures and
// streamFigures, the connectors' status): nothing here counts on its own except the HTTP requests this server answers.

import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runtime } from '../../../engine/runtime/runtime';
import { EPOCH_DURATION_BUCKETS } from '../../../engine/runtime/epoch-durations';
import { queryFigures, type QueryFigures, streamFigures, type StreamFigures } from '../../../engine/runtime/system-rows';
import type { QueryStatus } from '../../../engine/runtime/query-runner';
import type { ConnectorStatus } from '../../../engine/connectors';
import type { SessionActivity } from '../../protocol/session';
import { scrapedHistogram } from './scraped-histogram';

/** What the metrics read. */
export interface MetricsSources {
  readonly runtime: Runtime;
  /** PostgreSQL protocol sessions by what they do now. */
  readonly wireSessions: () => Record<SessionActivity, number>;
  /** HTTP requests being served now. */
  readonly httpRequests: () => number;
}

export interface SluiceMetrics {
  readonly contentType: string;
  /** The text Prometheus reads. */
  scrape(): Promise<string>;
  /** An HTTP request was answered with `status`. */
  answered(status: number): void;
}

const QUERY_STATUSES: readonly QueryStatus[] = ['running', 'paused', 'failed'];

export function sluiceMetrics(sources: MetricsSources): SluiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Each scrape reads the queries' and the streams' figures once (scrape() below), for all their metrics.
  let queries: QueryFigures[] = [];
  let streams: StreamFigures[] = [];
  const perQuery = perObject(registry, 'query', () => queries, (q) => q.name);
  const perStream = perObject(registry, 'stream', () => streams, (s) => s.def.name);

  new Gauge({
    name: 'sluice_query_status', help: 'A continuous query\'s status: 1 for the one it has (running, paused, failed)',
    labelNames: ['query', 'status'], registers: [registry],
    collect() {
      this.reset();
      for (const q of queries) for (const s of QUERY_STATUSES) this.set({ query: q.name, status: s }, s === q.status ? 1 : 0);
    },
  });
  perQuery('sluice_query_rows_in_total', 'Rows the query read from its inputs', (q) => q.rowsIn, 'counter');
  perQuery('sluice_query_rows_out_total', 'Rows the query\'s result changed by (inserts and deletes)', (q) => q.rowsOut, 'counter');
  perQuery('sluice_query_epochs_total', 'Epochs the query committed', (q) => q.epoch, 'counter');
  perQuery('sluice_query_late_rows_total', 'Rows refused as late (below the watermark)', (q) => q.lateRows, 'counter');
  perQuery('sluice_query_error_rows_total', 'Rows the query could not process', (q) => q.errorRows, 'counter');
  perQuery('sluice_query_state_bytes', 'The operators\' state size after the last epoch, in bytes', (q) => q.stateBytes, 'gauge');
  perQuery('sluice_query_input_lag_entries', 'Log entries of the query\'s inputs not read yet', (q) => q.lag, 'gauge');
  perQuery(
    'sluice_query_watermark_lag_seconds',
    'How far the query\'s watermark is behind the wall clock, in seconds (absent before it has one)',
    (q) => (q.watermark === null ? null : Math.max(0, Date.now() / 1000 - q.watermark / 1e6)), 'gauge',
  );
  registry.registerMetric(scrapedHistogram(
    'sluice_query_epoch_duration_seconds', 'How long the query\'s epochs took, from start to durable commit (since the server started)',
    () => queries.flatMap((q) => {
      if (q.epochDurations === null) return [];
      const { cumulative, sumSeconds } = q.epochDurations.snapshot();
      return [{ labels: { query: q.name }, bounds: EPOCH_DURATION_BUCKETS, cumulative, sum: sumSeconds }];
    }),
  ));

  perStream('sluice_stream_rows_total', 'Rows appended to the stream (INSERT, COPY, HTTP, Kafka) since the server started',
    (s) => s.rows, 'counter');
  perStream('sluice_stream_dead_letters_total', 'Bad records of the stream written to sluice.dead_letters since the server started',
    (s) => s.deadLetters, 'counter');

  connectorMetrics(registry, sources.runtime);

  new Gauge({
    name: 'sluice_storage_bytes', help: 'Size of the files in the data directory, in bytes', registers: [registry],
    async collect() {
      this.set(await directoryBytes(sources.runtime.store.dir));
    },
  });
  new Gauge({
    name: 'sluice_wire_sessions', help: 'PostgreSQL protocol sessions, by state', labelNames: ['state'], registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(sources.wireSessions())) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'sluice_http_requests_in_flight', help: 'HTTP requests being served (this scrape included)', registers: [registry],
    collect() {
      this.set(sources.httpRequests());
    },
  });
  const answered = new Counter({
    name: 'sluice_http_requests_total', help: 'HTTP requests answered, by status code', labelNames: ['code'],
    registers: [registry],
  });

  return {
    contentType: registry.contentType,
    scrape: () => {
      queries = queryFigures(sources.runtime);
      streams = streamFigures(sources.runtime);
      return registry.metrics();
    },
    answered: (status) => answered.inc({ code: String(status) }),
  };
}

/**
 * Defines metrics labelled by `label`, one series per object of `figures()` (read anew each scrape); a value of null
 * leaves the object out.
 */
function perObject<F>(registry: Registry, label: string, figures: () => readonly F[], nameOf: (f: F) => string) {
  return (name: string, help: string, value: (f: F) => number | null, type: 'counter' | 'gauge'): void => {
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      for (const f of figures()) {
        const v = value(f);
        if (v === null) continue;
        if (this instanceof Counter) this.inc({ [label]: nameOf(f) }, v);
        else this.set({ [label]: nameOf(f) }, v);
      }
    };
    const config = { name, help, labelNames: [label], registers: [registry], collect };
    if (type === 'counter') new Counter(config);
    else new Gauge(config);
  };
}

/** Sources (streams and tables fed by a connector) and sinks, as sluice.sources shows them. */
function connectorMetrics(registry: Registry, runtime: Runtime): void {
  const connectors = (kind: 'source' | 'sink') => runtime.connectors.rows().filter((c) => c.status.kind === kind);
  const each = (
    name: string, help: string, kind: 'source' | 'sink', value: (s: ConnectorStatus) => number,
    type: 'counter' | 'gauge',
  ): void => {
    const config = {
      name, help, labelNames: [kind], registers: [registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const c of connectors(kind)) {
          if (this instanceof Counter) this.inc({ [kind]: c.name }, value(c.status));
          else this.set({ [kind]: c.name }, value(c.status));
        }
      },
    };
    if (type === 'counter') new Counter(config);
    else new Gauge(config);
  };
  each('sluice_source_messages_total', 'Kafka messages a source consumed (good and bad) since the server started', 'source', (s) => s.messages, 'counter');
  each('sluice_source_dead_letters_total', 'Bad records a source wrote to sluice.dead_letters since the server started', 'source',
    (s) => s.deadLetters, 'counter');
  each('sluice_source_lag_messages', 'Messages in the source\'s topic not read yet, over its partitions (as of the last fetch)', 'source', (s) => s.lag, 'gauge');
  each('sluice_sink_messages_total', 'Messages a sink delivered (acknowledged by the broker) since the server started', 'sink', (s) => s.messages, 'counter');
  each('sluice_sink_lag_entries', 'Log entries of the sink\'s input not delivered yet', 'sink', (s) => s.lag, 'gauge');
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    // A file LevelDB removes between the listing and the stat (a compaction) no longer counts.
    else if (entry.isFile()) total += await stat(path).then((s) => s.size, () => 0);
  }
  return total;
}
