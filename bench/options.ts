// The command line of `npm run bench` (node dist/bench/main.js).

import { DEFAULT_SETTINGS, type BenchSettings, WORKLOAD_NAMES, type WorkloadName } from './settings';
import { QUERIES } from './queries';
import { PATH_NAMES } from './sluice/target';

export const USAGE = `usage: npm run bench -- [options]

  --workloads a,b      workloads to run (default: all; known: ${WORKLOAD_NAMES.join(',')})
  --queries q0,q7      Nexmark queries to run (default: ${DEFAULT_SETTINGS.queries.join(',')}; known: ${QUERIES.map((q) => q.name).join(',')})
  --paths inproc,copy  Nexmark ingest paths (default: ${DEFAULT_SETTINGS.paths.join(',')}; known: ${PATH_NAMES.join(',')})
  --events N           events per run in the throughput phase (default ${DEFAULT_SETTINGS.events})
  --rate N             event-time rate of the generator, events/s (default ${DEFAULT_SETTINGS.rate}, the reference's)
  --seed N             generator seed (default ${DEFAULT_SETTINGS.seed})
  --batch N            events per ingest batch (default ${DEFAULT_SETTINGS.batchEvents})
  --trigger-ms N       trigger_interval of the continuous queries (default ${DEFAULT_SETTINGS.triggerMs})
  --fresh-seconds N    length of the paced freshness phase, 0 to skip (default ${DEFAULT_SETTINGS.freshSeconds})
  --fresh-share X      pace of that phase as a share of the measured throughput (default ${DEFAULT_SETTINGS.freshShare})
  --copy-rows N        rows COPYed by copy-agg and liveness (default ${DEFAULT_SETTINGS.copyRows})
  --insert-seconds N   how long small-inserts inserts (default ${DEFAULT_SETTINGS.insertSeconds})
  --many-queries N     continuous queries created by many-queries (default ${DEFAULT_SETTINGS.manyQueries})
  --no-postgres        skip the PostgreSQL side-by-side runs
  --json FILE          also write the results as JSON
`;

export class OptionError extends Error {}

export function parseOptions(argv: readonly string[]): BenchSettings | 'help' {
  const s: { -readonly [K in keyof BenchSettings]: BenchSettings[K] } = { ...DEFAULT_SETTINGS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new OptionError(`${flag} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = value();
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isFinite(n) || n < min) throw new OptionError(`${flag}: expected a number ≥ ${min}, got ${v}`);
      return n;
    };
    switch (flag) {
      case '--help': case '-h': return 'help';
      case '--workloads': s.workloads = list(value(), WORKLOAD_NAMES, flag) as WorkloadName[]; break;
      case '--queries': s.queries = list(value(), QUERIES.map((q) => q.name), flag); break;
      case '--paths': s.paths = list(value(), PATH_NAMES, flag); break;
      case '--events': s.events = Math.floor(count(1)); break;
      case '--rate': s.rate = count(1); break;
      case '--seed': s.seed = Math.floor(count(0)); break;
      case '--batch': s.batchEvents = Math.floor(count(1)); break;
      case '--trigger-ms': s.triggerMs = Math.floor(count(1)); break;
      case '--fresh-seconds': s.freshSeconds = count(0); break;
      case '--fresh-share': s.freshShare = count(0.01); break;
      case '--copy-rows': s.copyRows = Math.floor(count(1)); break;
      case '--insert-seconds': s.insertSeconds = count(0.1); break;
      case '--many-queries': s.manyQueries = Math.floor(count(1)); break;
      case '--no-postgres': s.postgres = false; break;
      case '--json': s.jsonFile = value(); break;
      default: throw new OptionError(`unknown option ${flag}`);
    }
  }
  return s;
}

function list(v: string, known: readonly string[], flag: string): string[] {
  const items = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const x of items) if (!known.includes(x)) throw new OptionError(`${flag}: unknown ${x}; known: ${known.join(', ')}`);
  return items;
}
