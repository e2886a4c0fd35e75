// The plan fingerprint guards a continuous query's stored state against a restart under another plan. It must be a
// function of the plan data alone: the same plan built twice has the same fingerprint, however EXPLAIN renders it,
// and any change to what the operators compute gives another.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AggregateNode, FilterNode, JoinNode, SourceNode } from '../../engine/plan';
import type { SqlType, Value } from '../../engine/types';
import { planFingerprint } from '../../engine/plan-fingerprint';
import { planContinuousSelect } from '../../planner/plan';
import { testCatalog, testContext } from '../planner/catalog';
import { agg, call, col, lit, schemaOf, T } from './helpers';

const schema = schemaOf(['k', T.int8], ['v', T.float8]);

/** A fresh plan each call: a filter `v > threshold` over a stream, then a count per key. */
function build(threshold: Value, type: SqlType = T.float8, fieldOrder: 'natural' | 'reversed' = 'natural'): AggregateNode {
  const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0, 1], schema: schemaOf(['k', T.int8], ['v', T.float8]) };
  const predicate = call('>', T.bool, col(1, T.float8), lit(threshold, type));
  const filter: FilterNode = fieldOrder === 'natural'
    ? { kind: 'filter', input: source, predicate, schema }
    : { schema, predicate, input: source, kind: 'filter' };
  return {
    kind: 'aggregate', input: filter, groupBy: [0], aggs: [agg('count_star', T.int8)], windowEnd: null, emit: 'changes',
    schema: schemaOf(['k', T.int8], ['n', T.int8]),
  };
}

test('the same plan built twice has the same fingerprint, whatever the order of its fields', () => {
  assert.equal(planFingerprint(build(1.5)), planFingerprint(build(1.5)));
  assert.equal(planFingerprint(build(1.5, T.float8, 'reversed')), planFingerprint(build(1.5)));
});

test('a changed expression or node gives another fingerprint', () => {
  const base = planFingerprint(build(1.5));
  assert.notEqual(planFingerprint(build(2.5)), base);
  assert.notEqual(planFingerprint(build(1.5, T.float4)), base);
  assert.notEqual(planFingerprint({ ...build(1.5), groupBy: [1] }), base);
  assert.notEqual(planFingerprint({ ...build(1.5), emit: 'on_window_close' }), base);
});

test('values that print alike are told apart: a number and a bigint, NULL and NaN, 0 and -0', () => {
  assert.notEqual(planFingerprint(build(1, T.int8)), planFingerprint(build(1n, T.int8)));
  assert.notEqual(planFingerprint(build(null)), planFingerprint(build(NaN)));
  assert.notEqual(planFingerprint(build(0)), planFingerprint(build(-0)));
  assert.notEqual(planFingerprint(build('1', T.text)), planFingerprint(build(1, T.text)));
});

test('a node shared by two parents is not the same plan as two equal copies', () => {
  const source: SourceNode = { kind: 'source', relation: { kind: 'stream', name: 's' }, columns: [0, 1], schema };
  const selfJoin = (right: SourceNode): JoinNode => ({
    kind: 'join', joinType: 'inner', left: source, right, leftKeys: [0], rightKeys: [0], residual: null, schema: [...schema, ...schema],
  });
  assert.notEqual(planFingerprint(selfJoin(source)), planFingerprint(selfJoin({ ...source })));
  assert.equal(planFingerprint(selfJoin({ ...source })), planFingerprint(selfJoin({ ...source })));
});

test('a continuous query planned again from its SELECT has the same fingerprint', () => {
  const plan = (select: string) => planContinuousSelect(select, 'changes', testCatalog, testContext()).plan;
  const select = `SELECT customer, window_end, count(*), sum(amount) FROM TUMBLE(orders, ts, INTERVAL '1 minute')
    WHERE amount > 10 GROUP BY customer, window_end`;
  assert.equal(planFingerprint(plan(select)), planFingerprint(plan(select)));
  assert.notEqual(planFingerprint(plan(select.replace('amount > 10', 'amount > 11'))), planFingerprint(plan(select)));
});

test('the fingerprint of a given plan does not change between versions', () => {
  // Stored with every continuous query's state: if this changes, every stored continuous query is refused at its
  // next start (docs/durability.md). Change it deliberately, never as a side effect.
  assert.equal(planFingerprint(build(1.5)), '1c5f88a2d5042e62');
});
