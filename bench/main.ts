// `npm run bench`: Nexmark on Sluice through each ingest path, then q1, q2, q5 and q7 on PostgreSQL for
// comparison, printed as one table; then issue 14's workloads (bench/workloads/: copy-agg, small-inserts,
// liveness, many-queries), each figure beside PostgreSQL's from the same run and the issue's target.
// `--workloads` picks among them (docs/performance.md explains the method and keeps the latest figures).

import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { OptionError, parseOptions, USAGE } from './options';
import { queryByName } from './queries';
import type { BenchSettings } from './settings';
import { type BenchResult, emptyResult } from './report/result';
import { formatComparison, formatTable } from './report/table';
import { runSluiceQuery } from './sluice/run-query';
import { openInProcess } from './sluice/inproc';
import { openCopyPath } from './sluice/copy-path';
import { openKafkaPath } from './sluice/kafka-path';
import type { PathName, SluiceTarget } from './sluice/target';
import { kcatAvailable } from './kafka/broker';
import { findPgBin, startPgCluster } from './postgres/cluster';
import { PG_QUERIES } from './postgres/queries';
import { runPgQuery } from './postgres/run-query';
import { formatFigures, type WorkloadReport } from './report/figures';
import { runWorkloads } from './workloads/run';

const OPENERS: Record<PathName, () => Promise<SluiceTarget>> = {
  inproc: openInProcess as () => Promise<SluiceTarget>,
  copy: openCopyPath as () => Promise<SluiceTarget>,
  kafka: openKafkaPath as () => Promise<SluiceTarget>,
};

function progress(r: BenchResult): void {
  const rate = r.eventsPerSecond === null ? '' : ` ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s`;
  process.stderr.write(`  ${r.system} ${r.query} ${r.path}: ${r.status}${rate}${r.status === 'ok' ? '' : ` (${r.note.slice(0, 120)})`}\n`);
}

async function runSluice(settings: BenchSettings, results: BenchResult[]): Promise<void> {
  // A path that cannot carry events for one query cannot for the next either: say so once, then skip it.
  const unusable = new Map<PathName, string>();
  if (!kcatAvailable()) unusable.set('kafka', 'kcat (librdkafka mock broker) is not installed');
  for (const name of settings.queries) {
    const query = queryByName(name);
    for (const path of settings.paths as PathName[]) {
      let r: BenchResult;
      const reason = unusable.get(path);
      if (reason !== undefined) {
        r = { ...emptyResult('sluice', name, path), status: 'skipped', note: reason };
      } else {
        r = await runSluiceQuery(query, path, settings, OPENERS[path]);
        if (r.status === 'not supported' && r.pathUnsupported) unusable.set(path, `${path} path not supported: ${r.note}`);
      }
      results.push(r);
      progress(r);
    }
  }
}

async function runPostgres(settings: BenchSettings, results: BenchResult[]): Promise<void> {
  const wanted = PG_QUERIES.filter((q) => settings.queries.some((n) => n === q.name || n === `${q.name}-agg`));
  if (wanted.length === 0) return;
  const bin = findPgBin();
  if ('reason' in bin) {
    process.stderr.write(`PostgreSQL side by side skipped: ${bin.reason}\n`);
    return;
  }
  let cluster;
  try {
    cluster = await startPgCluster(bin.dir);
  } catch (e) {
    process.stderr.write(`PostgreSQL side by side skipped: ${(e as Error).message}\n`);
    return;
  }
  process.stderr.write(`PostgreSQL ${cluster.version} from ${bin.dir}\n`);
  try {
    for (const q of wanted) {
      const r = await runPgQuery(q, settings, cluster);
      results.push(r);
      progress(r);
    }
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<number> {
  let settings: BenchSettings | 'help';
  try {
    settings = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    process.stderr.write(`bench: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`;
  const results: BenchResult[] = [];
  if (settings.workloads.includes('nexmark')) {
    process.stderr.write(`Nexmark: ${settings.events.toLocaleString('en-US')} events per run, rate ${settings.rate} events/s ` +
      `(event time), seed ${settings.seed}, trigger ${settings.triggerMs} ms on ${machine}\n`);
    await runSluice(settings, results);
    if (settings.postgres) await runPostgres(settings, results);
  }
  const workloads = await runWorkloads(settings, (r: WorkloadReport) =>
    process.stderr.write(`  ${r.workload}: ${r.status}${r.status === 'ok' ? '' : ` (${r.note.slice(0, 160)})`}\n`));

  if (results.length > 0) {
    process.stdout.write(`\n${formatTable(results)}\n`);
    const comparison = formatComparison(results);
    if (comparison) process.stdout.write(`\n${comparison}\n`);
  }
  if (workloads.length > 0) process.stdout.write(`\n${formatFigures(workloads)}\n`);
  if (settings.jsonFile) {
    const at = new Date().toISOString();
    writeFileSync(settings.jsonFile, `${JSON.stringify({ settings, machine, at, results, workloads }, null, 2)}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
