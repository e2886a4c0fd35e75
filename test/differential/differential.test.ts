// Differential test of continuous queries against their batch SELECT (see harness.ts). Seeded:
//   SLUICE_DIFF_SEED=1234        replays one seed (printed on failure)
//   SLUICE_DIFF_ITERATIONS=200   runs that many seeds, from a seed taken from the clock (default 5, a few seconds)
//   SLUICE_DIFF_STEPS=60         steps of input per seed (default 16)
//   SLUICE_DIFF_TRACE=1          prints each restart

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUERIES, runScenario } from './harness';

const fixedSeed = process.env.SLUICE_DIFF_SEED;
const iterations = Number(process.env.SLUICE_DIFF_ITERATIONS ?? 5);
const steps = Number(process.env.SLUICE_DIFF_STEPS ?? 16);
const firstSeed = fixedSeed !== undefined ? Number(fixedSeed) : (Date.now() % 1_000_000);
const seeds = fixedSeed !== undefined ? [firstSeed] : Array.from({ length: iterations }, (_, i) => firstSeed + i);

test('the differential harness covers every window kind, emit mode and chained queries', () => {
  const all = QUERIES.map((q) => q.select).join('\n');
  for (const needle of ['TUMBLE(', 'HOP(', 'SESSION(', 'UNION ALL', 'HAVING', 'count(DISTINCT', 'stddev(', 'bool_and(',
    'bool_or(', 'avg(', 'min(', 'max(', 'sum(', 'count(*)', 'approx_count_distinct(', ' LIMIT ', ' OFFSET ', 'RIGHT JOIN', 'FULL JOIN']) {
    assert.ok(all.includes(needle), `no differential query uses ${needle}`);
  }
  assert.ok(QUERIES.some((q) => q.emitOnWindowClose), 'no EMIT ON WINDOW CLOSE query');
  assert.ok(QUERIES.some((q) => q.batch !== undefined), 'no chained query');
  // APPROX_PERCENTILE's sketch is not checked here: its result depends on the order rows reach it, so the
  // incremental and batch runs may pick different (equally valid) values; aggregates.slt checks its rank error.
});

for (const seed of seeds) {
  test(`continuous queries equal their batch SELECT after every epoch (seed ${seed})`, async () => {
    const trace = process.env.SLUICE_DIFF_TRACE ? (line: string) => console.log(line) : undefined;
    const report = await runScenario({ seed, steps, trace });
    assert.ok(report.checks >= QUERIES.length, `only ${report.checks} checks ran`);
    assert.ok(report.rows > 0);
  });
}
