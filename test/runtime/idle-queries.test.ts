// Idle continuous queries cost nothing per trigger interval: a query whose inputs have no new entry sets no timer
// and waits until one of its logs grows (engine/runtime/query-runner.ts inputAppended). With a thousand queries over
// one stream, a timer per query per interval was ten thousand wake-ups a second doing nothing. Appends still wake
// them: an INSERT into their stream, and a query's own result entry for the query reading it.
// In-process (openSluice: the server's own code, real LevelDB on disk), so the process's timers can be counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openSluice } from '../../server/sluice';
import { silentLogger } from '../../server/log';
import type { Value } from '../../engine/types';
import { benchSession, execute, rowsOf } from '../../bench/sluice/session';
import { waitForValue } from '../helpers/wait';

const QUERIES = 50;

/** Timers pending in this process (the waits' own poll timer is not pending while they probe). */
function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

test(`${QUERIES} idle queries hold no timers; an append wakes exactly its readers, downstream queries too`, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-idle-queries-'));
  const session = benchSession();
  const sluice = await openSluice({ dataDir: dir, log: silentLogger });
  try {
    const sql = async (text: string): Promise<Value[][]> => rowsOf(await execute(sluice.backend, session, text));
    const runner = (name: string) => sluice.runtime.queryRunner(name);
    const names = Array.from({ length: QUERIES }, (_, i) => `q${i}`);
    const rowsIn = (): number[] => names.map((n) => runner(n).stats.rowsIn);
    const baseline = pendingTimers();

    await sql(`CREATE STREAM s (k BIGINT)`);
    for (const [i, name] of names.entries()) {
      await sql(`CREATE CONTINUOUS QUERY ${name} WITH (trigger_interval = '20 milliseconds') ` +
        `AS SELECT count(*) AS n FROM s WHERE k <> ${i}`);
    }
    await sql(`CREATE CONTINUOUS QUERY downstream WITH (trigger_interval = '20 milliseconds') AS SELECT sum(n) AS total FROM q0`);
    // Each runs its first epoch over no input (a global aggregate has its row from the start), then goes idle.
    await waitForValue(() => [...names, 'downstream'].every((n) => runner(n).stats.epoch >= 1), (all) => all,
      'every query to run its first epoch');
    await waitForValue(pendingTimers, (n) => n <= baseline, 'the idle queries to hold no timers');
    const epochsWhileIdle = names.map((n) => runner(n).stats.epoch);

    await sql(`INSERT INTO s VALUES (3)`);
    await waitForValue(rowsIn, (r) => r.every((n) => n === 1), 'the row to reach every query');
    await waitForValue(() => sql(`SELECT total FROM downstream`), (rows) => rows.length === 1 && Number(rows[0][0]) === 1,
      'q0\'s new result to reach the query reading it');
    assert.deepEqual(await sql(`SELECT n FROM q3`), [[0n]], 'q3 filters the row out');
    assert.deepEqual(names.map((n) => runner(n).stats.epoch), epochsWhileIdle.map((e) => e + 1),
      'one epoch each: the insert, nothing more while idle');
    await waitForValue(pendingTimers, (n) => n <= baseline, 'the queries to go idle again');
  } finally {
    await sluice.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
