// Well-formed PostgreSQL frontend sessions, drawn from a seeded generator: a startup, then a run of simple queries,
// extended-query exchanges and COPYs over a small schema, then Terminate. mutate.ts damages them afterwards; starting
// from valid traffic is what lets the damage reach deep into the server rather than stop at the first length check.

import { serialize } from 'pg-protocol';
import type { Prng } from '../nexmark/prng';

/** What every session may touch; created once by the driver before the first session. */
export const FUZZ_SCHEMA = [
  'CREATE STREAM IF NOT EXISTS fuzz_s (k BIGINT, v TEXT, ts TIMESTAMPTZ NOT NULL)',
  'CREATE TABLE IF NOT EXISTS fuzz_t (k BIGINT PRIMARY KEY, v TEXT)',
];

const SIMPLE_QUERIES = [
  'SELECT 1', 'SELECT 1; SELECT 2', 'SHOW ALL', 'SHOW TimeZone', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SELEC nothing',
  "SET statement_timeout = '2s'", 'SET application_name = fuzz', 'SELECT count(*) FROM fuzz_s', 'SELECT * FROM fuzz_t',
  'SELECT k, count(*) FROM fuzz_s GROUP BY k', "SELECT 'x' || 'y'", 'SELECT 1/0', "SELECT 'abc'::int",
  'DECLARE c CURSOR FOR SELECT * FROM fuzz_t', 'FETCH 2 FROM c', 'CLOSE c', 'SELECT version()', '', ';',
  'DELETE FROM fuzz_t WHERE k < 0', "UPDATE fuzz_t SET v = 'u' WHERE k = 1", 'DISCARD ALL', 'SELECT $1',
];

const EXTENDED_QUERIES: readonly { text: string; params: () => (string | null)[] }[] = [
  { text: 'SELECT $1::int + 1', params: () => ['41'] },
  { text: 'SELECT $1::text || $2::text', params: () => ['a', null] },
  { text: 'SELECT * FROM fuzz_t WHERE k = $1', params: () => ['1'] },
  { text: 'INSERT INTO fuzz_s VALUES ($1, $2, now())', params: () => ['7', 'e'] },
  { text: 'SELECT k, v FROM fuzz_s LIMIT $1', params: () => ['3'] },
  { text: 'SELECT 1', params: () => [] },
];

export interface SessionOptions {
  /** Statements and exchanges between startup and Terminate. */
  readonly steps: number;
}

/** One session as a list of frontend messages, each one frame (the startup packet first). */
export function generateSession(rng: Prng, opts: SessionOptions): Buffer[] {
  const frames: Buffer[] = [];
  if (rng.nextInt(8) === 0) frames.push(serialize.requestSsl());
  frames.push(serialize.startup({ user: `fuzz${rng.nextInt(3)}`, database: 'sluice', application_name: 'fuzz' }));
  for (let i = 0; i < opts.steps; i++) frames.push(...step(rng));
  frames.push(serialize.end());
  return frames;
}

function step(rng: Prng): Buffer[] {
  switch (rng.nextInt(5)) {
    case 0: case 1: return [serialize.query(pick(rng, SIMPLE_QUERIES))];
    case 2: return extended(rng);
    case 3: return copyIn(rng);
    default: return [serialize.query(insert(rng))];
  }
}

function insert(rng: Prng): string {
  return rng.nextInt(2) === 0
    ? `INSERT INTO fuzz_s VALUES (${rng.nextInt(100)}, 'v${rng.nextInt(1000)}', now())`
    : `INSERT INTO fuzz_t VALUES (${rng.nextInt(1000)}, 'w') ON CONFLICT (k) DO UPDATE SET v = excluded.v`;
}

/** Parse / Bind / Describe / Execute / Sync with names that sometimes collide or were never defined. */
function extended(rng: Prng): Buffer[] {
  const q = pick(rng, EXTENDED_QUERIES);
  const statement = pick(rng, ['', 's1', 's2']);
  const portal = pick(rng, ['', 'p1']);
  const frames = [serialize.parse({ name: statement, text: q.text, types: rng.nextInt(3) === 0 ? [23] : [] })];
  frames.push(serialize.bind({ statement: rng.nextInt(10) === 0 ? 'never-parsed' : statement, portal, values: q.params() }));
  if (rng.nextInt(2) === 0) frames.push(serialize.describe({ type: rng.nextInt(2) === 0 ? 'P' : 'S', name: rng.nextInt(2) === 0 ? portal : statement }));
  frames.push(serialize.execute({ portal, rows: rng.nextInt(3) }));
  if (rng.nextInt(4) === 0) frames.push(serialize.close({ type: 'S', name: statement }));
  frames.push(rng.nextInt(6) === 0 ? serialize.flush() : serialize.sync());
  return frames;
}

function copyIn(rng: Prng): Buffer[] {
  const lines = Array.from({ length: 1 + rng.nextInt(5) }, () => `${rng.nextInt(100)}\tc${rng.nextInt(10)}\t2026-01-01 00:00:0${rng.nextInt(10)}+00\n`);
  const frames = [serialize.query('COPY fuzz_s FROM STDIN'), ...lines.map((l) => serialize.copyData(Buffer.from(l)))];
  frames.push(rng.nextInt(8) === 0 ? serialize.copyFail('fuzz gave up') : serialize.copyDone());
  return frames;
}

export function pick<T>(rng: Prng, xs: readonly T[]): T {
  return xs[rng.nextInt(xs.length)];
}
