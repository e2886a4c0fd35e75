// Lowering: the optimized logical plan to engine/plan.ts nodes. Column ids become positions; GROUP BY over SESSION
// becomes one session aggregate; grouping or join keys that are expressions get a projection below; join conditions
// are split into equi keys and a residual.

import { SqlError, SQLSTATE } from '../engine/errors';
import { isClosingWindowEnd, neverRetracts } from '../engine/operators/properties';
import type { AggCall, Expr, PlanNode } from '../engine/plan';
import { T, type Field, type Schema, type SqlType } from '../engine/types';
import { columnIds, conjunction, splitConjuncts, type LExpr } from './logical/expr';
import { shareCommonSubplans } from './share';
import type { LAggCall, LAggregate, LField, LogicalKind, LogicalNode, LSessionWindow } from './logical/nodes';

interface Lowered {
  readonly node: PlanNode;
  /** The logical id of each output column, by position. */
  readonly ids: readonly number[];
}

function internal(message: string): Error {
  return new Error(`planner: ${message}`);
}

export class Lowering {
  private readonly fieldsById = new Map<number, LField>();

  constructor(private readonly paramTypes: readonly SqlType[]) {}

  /** The plan, with output columns in the order of the logical root's fields. */
  lower(root: LogicalNode): PlanNode {
    return this.inOrder(this.node(root), root.fields).node;
  }

  private node(n: LogicalNode): Lowered {
    for (const f of n.fields) this.fieldsById.set(f.id, f);
    return (this.visitors[n.kind] as (x: LogicalNode) => Lowered)(n);
  }

  private schema(ids: readonly number[]): Schema {
    return ids.map((id): Field => {
      const f = this.fieldsById.get(id);
      if (f === undefined) throw internal(`no field #${id}`);
      return { name: f.name, type: f.type, nullable: f.nullable };
    });
  }

  expr(e: LExpr, ids: readonly number[]): Expr {
    switch (e.kind) {
      case 'column': {
        const index = ids.indexOf(e.id);
        if (index < 0) throw internal(`column ${e.name}#${e.id} is not in the input`);
        return { kind: 'column', index, type: e.type };
      }
      case 'literal': return e;
      case 'param': {
        const t = this.paramTypes[e.index];
        return { kind: 'param', index: e.index, type: t === undefined || t.name === 'unknown' ? T.text : t };
      }
      case 'call': return { kind: 'call', fn: e.fn, args: e.args.map((a) => this.expr(a, ids)), type: e.type };
      case 'cast': return { kind: 'cast', expr: this.expr(e.expr, ids), type: e.type };
      case 'case': return {
        kind: 'case',
        whens: e.whens.map((w) => ({ when: this.expr(w.when, ids), then: this.expr(w.then, ids) })),
        otherwise: e.otherwise === null ? null : this.expr(e.otherwise, ids),
        type: e.type,
      };
    }
  }

  /** Reorders (a projection) when the physical column order differs from the logical fields. */
  private inOrder(l: Lowered, fields: readonly LField[]): Lowered {
    const want = fields.map((f) => f.id);
    if (want.length === l.ids.length && want.every((id, i) => l.ids[i] === id)) return l;
    const exprs = want.map((id) => this.expr({ kind: 'column', id, type: this.fieldsById.get(id)!.type, name: '' }, l.ids));
    return { node: { kind: 'project', input: l.node, exprs, schema: this.schema(want) }, ids: want };
  }

  /** The input columns in `keep` plus computed ones: for keys that are expressions. */
  private withComputed(input: Lowered, computed: readonly { id: number; expr: LExpr }[], keep: ReadonlySet<number>): Lowered {
    if (computed.length === 0) return input;
    const kept = input.ids.filter((id) => keep.has(id));
    const exprs: Expr[] = [
      ...kept.map((id): Expr => ({ kind: 'column', index: input.ids.indexOf(id), type: this.fieldsById.get(id)!.type })),
      ...computed.map((c) => this.expr(c.expr, input.ids)),
    ];
    const ids = [...kept, ...computed.map((c) => c.id)];
    return { node: { kind: 'project', input: input.node, exprs, schema: this.schema(ids) }, ids };
  }

  private readonly visitors: { readonly [K in LogicalKind]: (n: Extract<LogicalNode, { kind: K }>) => Lowered } = {
    scan: (n) => ({ node: { kind: 'source', relation: n.relation, columns: n.columns, schema: this.schema(n.fields.map((f) => f.id)) }, ids: n.fields.map((f) => f.id) }),
    values: (n) => ({
      node: { kind: 'values', rows: n.rows.map((r) => r.map((e) => this.expr(e, []))), schema: this.schema(n.fields.map((f) => f.id)) },
      ids: n.fields.map((f) => f.id),
    }),
    filter: (n) => {
      const input = this.node(n.input);
      return { node: { kind: 'filter', input: input.node, predicate: this.expr(n.predicate, input.ids), schema: this.schema(input.ids) }, ids: input.ids };
    },
    project: (n) => {
      const input = this.node(n.input);
      const ids = n.fields.map((f) => f.id);
      return { node: { kind: 'project', input: input.node, exprs: n.exprs.map((e) => this.expr(e, input.ids)), schema: this.schema(ids) }, ids };
    },
    window: (n) => {
      const input = this.node(n.input);
      const ids = [...input.ids, n.startId, n.endId];
      const column = input.ids.indexOf(n.timeId);
      if (column < 0) throw internal('window time column missing');
      return { node: { kind: 'window', input: input.node, window: n.spec, time: { column, watermarkDelayMicros: n.delayMicros }, schema: this.schema(ids) }, ids };
    },
    session_window: (n) => {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a SESSION window must be aggregated directly: GROUP BY its window_start and window_end', { position: n.pos + 1 });
    },
    aggregate: (n) => (n.input.kind === 'session_window' ? this.session(n, n.input) : this.aggregate(n)),
    join: (n) => {
      const left = this.node(n.left);
      const right = this.node(n.right);
      const ids = [...left.ids, ...right.ids];
      const leftKeys: number[] = [];
      const rightKeys: number[] = [];
      const rest: LExpr[] = [];
      for (const c of splitConjuncts(n.condition)) {
        if (c.kind === 'call' && c.fn === '=' && c.args[0].kind === 'column' && c.args[1].kind === 'column') {
          const [a, b] = c.args;
          const al = left.ids.indexOf(a.id);
          const br = right.ids.indexOf(b.id);
          const bl = left.ids.indexOf(b.id);
          const ar = right.ids.indexOf(a.id);
          if (al >= 0 && br >= 0) { leftKeys.push(al); rightKeys.push(br); continue; }
          if (bl >= 0 && ar >= 0) { leftKeys.push(bl); rightKeys.push(ar); continue; }
        }
        rest.push(c);
      }
      const residual = conjunction(rest);
      const bound = n.timeBound;
      const timeBound = bound === undefined ? undefined : {
        leftTime: left.ids.indexOf(bound.leftTimeId), rightTime: right.ids.indexOf(bound.rightTimeId),
        lowerMicros: bound.lowerMicros, upperMicros: bound.upperMicros,
      };
      if (timeBound !== undefined && (timeBound.leftTime < 0 || timeBound.rightTime < 0)) throw internal('interval join time column missing');
      return {
        node: {
          kind: 'join', joinType: n.joinType, left: left.node, right: right.node, leftKeys, rightKeys,
          residual: residual === null ? null : this.expr(residual, ids), ...(timeBound === undefined ? {} : { timeBound }),
          schema: this.schema(ids),
        },
        ids,
      };
    },
    window_max: (n) => {
      const input = this.node(n.input);
      const windowEnd = input.ids.indexOf(n.endId);
      const value = input.ids.indexOf(n.valueId);
      if (windowEnd < 0 || value < 0) throw internal('window max columns missing');
      return { node: { kind: 'window_max', input: input.node, windowEnd, value, schema: this.schema(input.ids) }, ids: input.ids };
    },
    union: (n) => {
      const inputs = n.inputs.map((i) => this.inOrder(this.node(i), i.fields).node);
      const ids = n.fields.map((f) => f.id);
      return { node: { kind: 'union', inputs, schema: this.schema(ids) }, ids };
    },
    distinct: (n) => {
      const input = this.node(n.input);
      return { node: { kind: 'distinct', input: input.node, schema: this.schema(input.ids) }, ids: input.ids };
    },
    sort: (n) => {
      const input = this.node(n.input);
      const keys = n.keys.map((k) => ({ expr: this.expr(k.expr, input.ids), descending: k.descending, nullsFirst: k.nullsFirst }));
      return { node: { kind: 'sort', input: input.node, keys, schema: this.schema(input.ids) }, ids: input.ids };
    },
    limit: (n) => {
      const input = this.node(n.input);
      return { node: { kind: 'limit', input: input.node, limit: n.limit, offset: n.offset, schema: this.schema(input.ids) }, ids: input.ids };
    },
    top_n: (n) => {
      const input = this.node(n.input);
      const keys = n.keys.map((k) => ({ column: input.ids.indexOf(k.expr.id), descending: k.descending, nullsFirst: k.nullsFirst }));
      if (keys.some((k) => k.column < 0)) throw internal('top-n key column missing');
      return {
        node: {
          kind: 'top_n', input: input.node, keys, limit: n.limit, offset: n.offset, appendOnly: neverRetracts(input.node),
          schema: this.schema(input.ids),
        },
        ids: input.ids,
      };
    },
  };

  private aggCalls(n: LAggregate, ids: readonly number[]): AggCall[] {
    return n.aggs.map((a) => ({ fn: a.fn, args: a.args.map((x) => this.expr(x, ids)), distinct: a.distinct, type: a.type }));
  }

  /** Group keys as input columns: plain columns as they are, expressions computed by a projection below. */
  private keyColumns(
    input: Lowered, keys: readonly { id: number; expr: LExpr }[], aggs: readonly LAggCall[], extra: readonly number[] = [],
  ): { input: Lowered; indexes: number[] } {
    const computed = keys.filter((k) => k.expr.kind !== 'column').map((k) => ({ id: k.id, expr: k.expr }));
    const keep = new Set<number>(extra);
    for (const k of keys) if (k.expr.kind === 'column') keep.add(k.expr.id);
    for (const a of aggs) for (const x of a.args) columnIds(x, keep);
    const widened = this.withComputed(input, computed, keep);
    const indexes = keys.map((k) => widened.ids.indexOf(k.expr.kind === 'column' ? k.expr.id : k.id));
    if (indexes.some((i) => i < 0)) throw internal('group key missing from input');
    return { input: widened, indexes };
  }

  private aggregate(n: LAggregate): Lowered {
    for (const g of n.groupBy) this.fieldsById.set(g.id, n.fields.find((f) => f.id === g.id)!);
    const { input, indexes } = this.keyColumns(this.node(n.input), n.groupBy, n.aggs);
    const ids = [...n.groupBy.map((g) => g.id), ...n.aggs.map((a) => a.id)];
    return {
      node: {
        kind: 'aggregate', input: input.node, groupBy: indexes, aggs: this.aggCalls(n, input.ids),
        windowEnd: n.windowEnd ?? closedKey(input.node, indexes),
        emit: n.emit, schema: this.schema(ids),
      },
      ids,
    };
  }

  /** GROUP BY keys, window_start, window_end over SESSION(...): one session aggregate. */
  private session(n: LAggregate, sw: LSessionWindow): Lowered {
    for (const f of sw.fields) this.fieldsById.set(f.id, f);
    const isWindowCol = (e: LExpr) => e.kind === 'column' && (e.id === sw.startId || e.id === sw.endId);
    const keys = n.groupBy.filter((g) => !isWindowCol(g.expr));
    const start = n.groupBy.find((g) => g.expr.kind === 'column' && g.expr.id === sw.startId);
    const end = n.groupBy.find((g) => g.expr.kind === 'column' && g.expr.id === sw.endId);
    if (start === undefined || end === undefined) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a SESSION window must be grouped by its window_start and window_end', { position: sw.pos + 1 });
    }
    for (const k of keys) {
      if ([sw.startId, sw.endId].some((id) => exprUses(k.expr, id))) {
        throw new SqlError(SQLSTATE.feature_not_supported, 'SESSION window columns can only be grouped by as they are', { position: sw.pos + 1 });
      }
    }
    const { input, indexes } = this.keyColumns(this.node(sw.input), keys, n.aggs, [sw.timeId]);
    const time = input.ids.indexOf(sw.timeId);
    if (time < 0) throw internal('session time column missing');
    for (const g of n.groupBy) this.fieldsById.set(g.id, n.fields.find((f) => f.id === g.id)!);
    const ids = [...keys.map((k) => k.id), start.id, end.id, ...n.aggs.map((a) => a.id)];
    return {
      node: {
        kind: 'session_aggregate', input: input.node, keys: indexes, time: { column: time, watermarkDelayMicros: sw.delayMicros },
        gap: sw.gap, aggs: this.aggCalls(n, input.ids), emit: n.emit, schema: this.schema(ids),
      },
      ids,
    };
  }
}

/**
 * Which group key is a window_end that the input's watermark closes, when the binder saw no window of its own (an
 * aggregate over a windowed aggregate, like q5's max of counts per window): its groups of a closed window are final,
 * so the aggregate evicts them as it does a window's groups, and a join above can evict by it too.
 */
function closedKey(input: PlanNode, groupBy: readonly number[]): number | null {
  const k = groupBy.findIndex((c) => isClosingWindowEnd(input, c));
  return k < 0 ? null : k;
}

function exprUses(e: LExpr, id: number): boolean {
  switch (e.kind) {
    case 'column': return e.id === id;
    case 'literal': case 'param': return false;
    case 'call': return e.args.some((a) => exprUses(a, id));
    case 'cast': return exprUses(e.expr, id);
    case 'case': return e.whens.some((w) => exprUses(w.when, id) || exprUses(w.then, id)) || (e.otherwise !== null && exprUses(e.otherwise, id));
  }
}

/** The physical plan of a logical plan, with equal subtrees computed once (planner/share.ts). */
export function lowerPlan(root: LogicalNode, paramTypes: readonly SqlType[]): PlanNode {
  return shareCommonSubplans(new Lowering(paramTypes).lower(root));
}
