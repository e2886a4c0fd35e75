// Structural checks of a physical plan, independent of EXPLAIN's text: every column reference points inside its
// input's schema with the type found there, and every node's schema has the width its kind implies.

import assert from 'node:assert/strict';
import type { Expr, PlanNode } from '../../engine/plan';
import type { Schema } from '../../engine/types';

function checkExpr(e: Expr, input: Schema, where: string): void {
  switch (e.kind) {
    case 'column':
      assert.ok(e.index >= 0 && e.index < input.length, `${where}: column #${e.index} outside an input of ${input.length}`);
      assert.equal(e.type.name, input[e.index].type.name, `${where}: column #${e.index} typed ${e.type.name}, input has ${input[e.index].type.name}`);
      return;
    case 'literal': case 'param': return;
    case 'call': for (const a of e.args) checkExpr(a, input, where); return;
    case 'cast': checkExpr(e.expr, input, where); return;
    case 'case':
      for (const w of e.whens) { checkExpr(w.when, input, where); checkExpr(w.then, input, where); }
      if (e.otherwise !== null) checkExpr(e.otherwise, input, where);
  }
}

export function checkPlan(n: PlanNode): void {
  const w = n.kind;
  switch (n.kind) {
    case 'source': assert.equal(n.columns.length, n.schema.length, w); return;
    case 'values': for (const r of n.rows) { assert.equal(r.length, n.schema.length, w); r.forEach((e) => checkExpr(e, [], w)); } return;
    case 'filter': checkExpr(n.predicate, n.input.schema, w); assert.equal(n.predicate.type.name, 'bool', w); assert.deepEqual(n.schema, n.input.schema); break;
    case 'project': assert.equal(n.exprs.length, n.schema.length, w); n.exprs.forEach((e) => checkExpr(e, n.input.schema, w)); break;
    case 'window':
      assert.equal(n.schema.length, n.input.schema.length + 2, w);
      assert.ok(['timestamptz', 'timestamp'].includes(n.input.schema[n.time.column].type.name), w);
      break;
    case 'aggregate':
      assert.equal(n.schema.length, n.groupBy.length + n.aggs.length, w);
      n.groupBy.forEach((i) => assert.ok(i < n.input.schema.length, w));
      n.aggs.forEach((a) => a.args.forEach((e) => checkExpr(e, n.input.schema, w)));
      if (n.windowEnd !== null) assert.equal(n.input.schema[n.groupBy[n.windowEnd]].name, 'window_end', w);
      break;
    case 'session_aggregate':
      assert.equal(n.schema.length, n.keys.length + 2 + n.aggs.length, w);
      n.aggs.forEach((a) => a.args.forEach((e) => checkExpr(e, n.input.schema, w)));
      break;
    case 'join': {
      assert.equal(n.leftKeys.length, n.rightKeys.length, w);
      n.leftKeys.forEach((l, i) => assert.equal(n.left.schema[l].type.name, n.right.schema[n.rightKeys[i]].type.name, `${w}: key types`));
      if (n.residual !== null) checkExpr(n.residual, [...n.left.schema, ...n.right.schema], w);
      assert.equal(n.schema.length, n.left.schema.length + n.right.schema.length, w);
      break;
    }
    case 'union':
      for (const i of n.inputs) assert.deepEqual(i.schema.map((f) => f.type.name), n.schema.map((f) => f.type.name), `${w}: input types`);
      break;
    case 'sort': n.keys.forEach((k) => checkExpr(k.expr, n.input.schema, w)); break;
    case 'window_max':
      assert.deepEqual(n.schema, n.input.schema, w);
      assert.equal(n.input.schema[n.windowEnd].name, 'window_end', w);
      assert.ok(n.value < n.input.schema.length, w);
      break;
    case 'distinct': case 'limit': break;
  }
  const children = n.kind === 'join' ? [n.left, n.right] : n.kind === 'union' ? n.inputs : [n.input];
  children.forEach(checkPlan);
}
