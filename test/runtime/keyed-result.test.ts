// A keyed continuous query result is stored as chunks, not one LevelDB key per row: an epoch that changes tens of
// thousands of result rows writes a handful of puts, and a restart replays the chunks into the same result.
// In-process (openSluice: the server's own code, real LevelDB on disk); epochs are run by the test, the trigger
// interval being far longer than the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openSluice, type Sluice } from '../../server/sluice';
import { silentLogger } from '../../server/log';
import { batchFromRows } from '../../engine/columns';
import { T, type Field, type Value } from '../../engine/types';
import { benchSession, execute, rowsOf } from '../../bench/sluice/session';
import { rowFromKey, rowKey } from '../../engine/runtime/result-set';

const GROUPS = 30_000;
const columns: Field[] = ['k', 'v', 't'].map((name) => ({ name, type: T.int8, nullable: true }));

/** Count and sum per k of every row inserted so far: what the result must hold (sum of a bigint is numeric). */
class Expected {
  private readonly groups = new Map<bigint, { n: bigint; sum: bigint }>();

  add(rows: readonly (readonly bigint[])[]): void {
    for (const [k, v] of rows) {
      const g = this.groups.get(k) ?? { n: 0n, sum: 0n };
      g.n += 1n;
      g.sum += v;
      this.groups.set(k, g);
    }
  }

  rows(): Value[][] {
    return [...this.groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, g]) => [k, g.n, g.sum.toString()]);
  }
}

test('an epoch changing many result rows writes a bounded number of puts; a restart reloads the same result', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-keyed-result-'));
  const session = benchSession();
  let sluice: Sluice | null = await openSluice({ dataDir: dir, log: silentLogger });
  try {
    const sql = async (text: string): Promise<Value[][]> => rowsOf(await execute(sluice!.backend, session, text));
    await sql(`CREATE STREAM s (k BIGINT, v BIGINT, t BIGINT)`);
    await sql(`CREATE CONTINUOUS QUERY agg WITH (trigger_interval = '1 hour') AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k`);
    const expected = new Expected();
    const select = () => sql(`SELECT k, n, total FROM agg ORDER BY k`);

    /** Inserts one row per group in [from, to) and runs one epoch; returns the LevelDB puts the epoch wrote. */
    const epoch = async (from: number, to: number, v: bigint): Promise<number> => {
      const rows = Array.from({ length: to - from }, (_, i) => [BigInt(from + i), v, BigInt(i)]);
      await sluice!.runtime.writes.insertBatch('s', batchFromRows(columns, rows));
      expected.add(rows);
      const puts = sluice!.runtime.store.putCount;
      await sluice!.runtime.queryRunner('agg').runEpoch();
      assert.equal(sluice!.runtime.queryRunner('agg').stats.lastError, null);
      return sluice!.runtime.store.putCount - puts;
    };

    // Each epoch nets to tens of thousands of changed result rows (a new group is an insert; a changed group, a
    // delete of its old row and an insert of its new one); a key per row would be as many puts.
    const bound = 40;
    const first = await epoch(0, GROUPS, 1n);
    assert.ok(first <= bound, `${GROUPS} new result rows in one epoch took ${first} puts`);
    const second = await epoch(0, GROUPS, 2n);
    assert.ok(second <= bound, `${2 * GROUPS} changed result rows in one epoch took ${second} puts`);
    // Smaller epochs over part of the groups append chunks rather than rewrite them.
    for (let e = 0; e < 4; e++) {
      const puts = await epoch(e * 5_000, e * 5_000 + 5_000, BigInt(e));
      assert.ok(puts <= bound, `epoch over 5000 groups took ${puts} puts`);
    }
    const uninterrupted = await select();
    assert.deepEqual(uninterrupted, expected.rows());

    await sluice.close();
    sluice = null;
    sluice = await openSluice({ dataDir: dir, log: silentLogger });
    assert.deepEqual(await select(), uninterrupted, 'the restarted query holds the same result');
    // And goes on from it: the chunk log continues after the restored chunks.
    await epoch(GROUPS - 1_000, GROUPS + 1_000, 7n);
    assert.deepEqual(await select(), expected.rows());
    await sluice.close();
    sluice = null;
    sluice = await openSluice({ dataDir: dir, log: silentLogger });
    assert.deepEqual(await select(), expected.rows(), 'the same again after a second restart');
  } finally {
    await sluice?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rowKey: equal for the same row, different for rows that print alike or hide separators', () => {
  const rows: Value[][] = [
    [1], [1n], ['1'], [null], ['null'], ['N'], [true], ['T'], [NaN], [Infinity], [0.5],
    [{ months: 1, days: 2, micros: 3 }], [{ months: 12, days: 0, micros: 3 }],
    ['a', 'b'], ['a;', 'b'], ['a', ';b'], ['s1:a'], ['a', null], [null, 'a'], ['', ''], [''], [],
    [1, 2], [12], ['1:', '2'], ['1', ':2'],
  ];
  const keys = rows.map(rowKey);
  assert.equal(new Set(keys).size, rows.length, `collisions among ${JSON.stringify(keys)}`);
  assert.deepEqual(rows.map((r) => rowKey(structuredClone(r))), keys, 'a copy of a row has its key');
  assert.notEqual(rowKey([-0]), rowKey([0]), '-0 prints as -0: another row than 0, as in consolidation');
  // The result keeps only the key: each row must come back from it as it was.
  assert.deepEqual(keys.map(rowFromKey), rows);
  const more: Value[][] = [
    [-1.5e-300, 1e21, -Infinity, -(2n ** 70n), 'é;∑:s3:x', '', { months: -1, days: 0, micros: -86_400_000_001 }, false],
  ];
  assert.deepEqual(more.map(rowKey).map(rowFromKey), more);
  assert.ok(Object.is(rowFromKey(rowKey([-0]))[0], -0), 'a -0 comes back as -0');
});
