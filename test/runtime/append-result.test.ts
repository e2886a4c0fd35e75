// Append-only continuous queries keep their result as their log's batches (no key per row): SELECT sees every row,
// duplicates included, and a restart reloads the same rows from the log. Queries that can retract keep the keyed
// result; the plan property decides which is which.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connectPg, freshDataDir } from '../helpers/server';
import { waitForValue } from '../helpers/wait';
import { Store } from '../../storage';
import type { RelationDef } from '../../engine/catalog';
import { neverRetracts } from '../../engine/runtime/result-set';
import type { PlanNode, SourceNode } from '../../engine/plan';
import { T } from '../../engine/types';

test('neverRetracts: streams row by row, inner joins of them and window-close aggregates; not tables or changes', () => {
  const schema = [{ name: 'k', type: T.int8, nullable: true }];
  const stream: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0], schema };
  const table: SourceNode = { kind: 'source', relation: { kind: 'table', name: 't' }, columns: [0], schema };
  const filter = (input: PlanNode): PlanNode => ({ kind: 'filter', input, predicate: { kind: 'literal', value: true, type: T.bool }, schema });
  const join = (left: PlanNode, right: PlanNode, joinType: 'inner' | 'left'): PlanNode =>
    ({ kind: 'join', joinType, left, right, leftKeys: [0], rightKeys: [0], residual: null, schema: [...schema, ...schema] });
  const agg = (emit: 'changes' | 'on_window_close'): PlanNode =>
    ({ kind: 'aggregate', input: table, groupBy: [0], aggs: [], windowEnd: 0, emit, schema });
  assert.equal(neverRetracts(filter(stream)), true);
  assert.equal(neverRetracts(filter(table)), false);
  assert.equal(neverRetracts(join(stream, stream, 'inner')), true);
  assert.equal(neverRetracts(join(stream, stream, 'left')), false);
  assert.equal(neverRetracts(join(stream, table, 'inner')), false);
  assert.equal(neverRetracts(agg('changes')), false);
  assert.equal(neverRetracts(agg('on_window_close')), true);
  assert.equal(neverRetracts({ kind: 'distinct', input: stream, schema }), true);
  assert.equal(neverRetracts({ kind: 'union', inputs: [stream, table], schema }), false);
});

test('an append-only query stores no result keys, keeps duplicates, and reloads its rows from its log', async (tc) => {
  const dataDir = freshDataDir();
  let server = await startServer({ dataDir });
  let client = await connectPg(server);
  let running = true;
  tc.after(async () => {
    if (running) await client.end().catch(() => undefined).then(() => server.stop());
  });
  await client.query(`CREATE STREAM s (k TEXT, v BIGINT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE STREAM r (k TEXT, w BIGINT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query(`CREATE CONTINUOUS QUERY big AS SELECT k, v * 2 AS v2 FROM s WHERE v > 1`);
  await client.query(`CREATE CONTINUOUS QUERY pairs AS SELECT s.k, s.v, r.w FROM s JOIN r ON s.k = r.k AND s.ts = r.ts`);
  const t = `'2026-01-01 00:00:00+00'`;
  await client.query(`INSERT INTO s VALUES ('a', 1, ${t}), ('b', 2, ${t}), ('b', 2, ${t}), ('c', 5, ${t})`);
  await client.query(`INSERT INTO r VALUES ('b', 10, ${t}), ('b', 10, ${t})`);
  const big = async () => (await client.query(`SELECT k, v2::text FROM big ORDER BY k, v2`)).rows;
  const pairs = async () => (await client.query(`SELECT k, v::text, w::text FROM pairs ORDER BY k`)).rows;
  const expectBig = [{ k: 'b', v2: '4' }, { k: 'b', v2: '4' }, { k: 'c', v2: '10' }];
  const expectPairs = Array.from({ length: 4 }, () => ({ k: 'b', v: '2', w: '10' }));
  await waitForValue(big, (r) => r.length === 3, 'big');
  await waitForValue(pairs, (r) => r.length === 4, 'pairs');
  assert.deepEqual(await big(), expectBig);
  assert.deepEqual(await pairs(), expectPairs, 'duplicate rows on both sides: 2 × 2 copies');
  assert.deepEqual((await client.query(`SELECT count(*)::int AS n FROM big`)).rows, [{ n: 3 }]);
  await client.end();
  running = false;
  assert.equal(await server.stop(), 0);

  const store = await Store.open<RelationDef>(dataDir);
  for (const name of ['big', 'pairs']) {
    const id = store.getDef(name)!.id;
    const loaded = await store.loadQuery(id);
    assert.equal(loaded.results.length, 0, `${name}: no result key per row`);
    assert.ok(loaded.resultSeq >= 1n, `${name}: its rows are in its log`);
  }
  await store.close();

  server = await startServer({ dataDir });
  client = await connectPg(server);
  running = true;
  assert.deepEqual(await big(), expectBig, 'the same rows after a restart');
  assert.deepEqual(await pairs(), expectPairs);
  await client.query(`INSERT INTO s VALUES ('d', 7, now())`);
  await waitForValue(big, (r) => r.length === 4, 'the epoch after the restart');
  assert.deepEqual(await big(), [...expectBig, { k: 'd', v2: '14' }]);
  await client.end();
  running = false;
  assert.equal(await server.stop(), 0);
});
