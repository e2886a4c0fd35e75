// Executes one planned statement against the runtime. Every kind of Statement has its handler here, so adding a
// kind to the planner without handling it is a compile error.

import type { Statement } from '../../engine/statement';
import type { Runtime } from '../../engine/runtime/runtime';
import { describe as describeDef } from '../../engine/runtime/runtime';
import { compileExpr, BatchColumns, type EvalContext } from '../../engine/expr';
import { batchFromRows } from '../../engine/columns';
import { valueAt } from '../../engine/columns/vec';
import type { RelationDef } from '../../engine/catalog';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Value } from '../../engine/types';
import type { RecordBatch } from 'apache-arrow';
import type { CommandResult, ExecContext, SessionState, StatementResult } from '../backend';
import { fieldDescriptions } from './fields';
import { copyIn } from './copy-in';
import { showColumns } from './planned';
import { refuseInBlock, type PendingWrites } from './transactions';

export interface ExecutionTarget {
  readonly runtime: Runtime;
  /** Rows INSERTed or COPYed inside transaction blocks, waiting for COMMIT. */
  readonly pending: PendingWrites;
  /** Called after every change to the catalog (the catalog mirror follows it). */
  catalogChanged(): void;
}

type Of<K extends Statement['kind']> = Extract<Statement, { kind: K }>;
type Handler<K extends Statement['kind']> = (s: Of<K>, x: Execution) => Promise<StatementResult>;

interface Execution {
  readonly params: readonly Value[];
  readonly session: SessionState;
  readonly ctx: ExecContext;
  readonly target: ExecutionTarget;
}

const command = (tag: string): CommandResult => ({ kind: 'command', tag });

const CREATE_TAG: Record<RelationDef['kind'], string> = {
  stream: 'CREATE STREAM', table: 'CREATE TABLE', query: 'CREATE CONTINUOUS QUERY', sink: 'CREATE SINK',
};

async function create(def: RelationDef, ifNotExists: boolean, x: Execution, plan?: Parameters<Runtime['create']>[1]) {
  const tag = def.kind === 'query' && def.materializedView ? 'CREATE MATERIALIZED VIEW' : CREATE_TAG[def.kind];
  refuseInBlock(x.session, tag);
  const rt = x.target.runtime;
  if (rt.def(def.name)) {
    if (ifNotExists) {
      x.session.notice(`relation "${def.name}" already exists, skipping`);
      return command(tag);
    }
    throw new SqlError(SQLSTATE.duplicate_table, `relation "${def.name}" already exists`);
  }
  await rt.create(def, plan);
  x.target.catalogChanged();
  return command(tag);
}

const HANDLERS: { [K in Statement['kind']]: Handler<K> } = {
  async select(s, x) {
    const rows = await x.target.runtime.pull(s.plan, x.params);
    return { kind: 'rows', fields: fieldDescriptions(s.plan.schema), rows, tag: (n) => `SELECT ${n}` };
  },
  create_stream: (s, x) => create(s.def, s.ifNotExists, x),
  create_table: (s, x) => create(s.def, s.ifNotExists, x),
  create_query: (s, x) => create(s.def, s.ifNotExists, x, s.plan),
  create_sink: (s, x) => create(s.def, s.ifNotExists, x),
  async drop(s, x) {
    const rt = x.target.runtime;
    const tag = `DROP ${{ stream: 'STREAM', table: 'TABLE', query: 'CONTINUOUS QUERY', sink: 'SINK' }[s.objectKind]}`;
    refuseInBlock(x.session, tag);
    const def = rt.def(s.name);
    if (!def) {
      if (s.ifExists) {
        x.session.notice(`${describeKind(s.objectKind)} "${s.name}" does not exist, skipping`);
        return command(tag);
      }
      throw new SqlError(SQLSTATE.undefined_table, `${describeKind(s.objectKind)} "${s.name}" does not exist`);
    }
    if (def.kind !== s.objectKind) {
      throw new SqlError(SQLSTATE.wrong_object_type, `"${s.name}" is not a ${describeKind(s.objectKind)}`, {
        hint: `It is a ${describeDef(def)}.`,
      });
    }
    const dropped = await rt.drop(s.name, s.cascade);
    for (const name of dropped.filter((n) => n !== s.name)) x.session.notice(`drop cascades to ${name}`);
    x.target.catalogChanged();
    return command(tag);
  },
  async alter_query(s, x) {
    refuseInBlock(x.session, 'ALTER CONTINUOUS QUERY');
    await x.target.runtime.setPaused(s.name, s.action === 'pause');
    x.target.catalogChanged();
    return command('ALTER CONTINUOUS QUERY');
  },
  async insert(s, x) {
    const rt = x.target.runtime;
    const batch = rowsBatch(rt, s.target, await rt.pull(s.source, x.params));
    if (x.target.pending.inBlock(x.session)) {
      rt.checkWrite(s.target, batch);
      x.target.pending.hold(x.session, s.target, batch);
      return command(`INSERT 0 ${batch.numRows}`);
    }
    const n = await rt.insertBatch(s.target, batch);
    return command(`INSERT 0 ${n}`);
  },
  async copy_from(s, x) {
    const rt = x.target.runtime;
    const def = rt.def(s.target);
    if (!def || (def.kind !== 'stream' && def.kind !== 'table')) {
      throw new SqlError(SQLSTATE.undefined_table, `relation "${s.target}" does not exist`);
    }
    return copyIn({
      name: s.target, columns: def.columns, dataColumns: s.columns, format: s.format, header: s.header,
      delimiter: s.delimiter, nullString: s.null,
      insert: async (rows) => {
        const batch = rowsBatch(rt, s.target, rows);
        if (!x.target.pending.inBlock(x.session)) return rt.insertBatch(s.target, batch);
        rt.checkWrite(s.target, batch);
        x.target.pending.hold(x.session, s.target, batch);
        return rows.length;
      },
    });
  },
  async update(s, x) {
    refuseInBlock(x.session, 'UPDATE');
    const table = x.target.runtime.writableTable(s.table);
    const n = await table.modify((rows) => {
      const matching = matchingRows(rows, table.def.columns, s.predicate, x);
      if (matching.length === 0) return { deletes: [], inserts: [] };
      const schema = table.def.columns;
      const view = new BatchColumns(batchFromRows(schema, matching), schema);
      const updated = matching.map((r) => [...r]);
      for (const a of s.assignments) {
        const vec = compileExpr(a.value).eval(view, evalContext(x));
        for (let i = 0; i < updated.length; i++) updated[i][a.column] = valueAt(vec, i);
      }
      return { deletes: matching, inserts: updated };
    });
    return command(`UPDATE ${n}`);
  },
  async delete(s, x) {
    refuseInBlock(x.session, 'DELETE');
    const table = x.target.runtime.writableTable(s.table);
    const n = await table.modify((rows) => ({
      deletes: matchingRows(rows, table.def.columns, s.predicate, x), inserts: [],
    }));
    return command(`DELETE ${n}`);
  },
  async show_objects(s, x) {
    const rows = x.target.runtime.defs().filter((d) => d.kind === s.objectKind).map((d) => [d.name, d.definition]);
    return { kind: 'rows', fields: fieldDescriptions(showColumns()), rows, tag: (n) => `SHOW ${n}` };
  },
  async explain(s) {
    const rows = s.lines.map((l) => [l]);
    return {
      kind: 'rows', fields: fieldDescriptions([{ name: 'QUERY PLAN', type: { name: 'text' }, nullable: false }]),
      rows, tag: () => 'EXPLAIN',
    };
  },
};

export function executeStatement(
  statement: Statement, params: readonly Value[], session: SessionState, ctx: ExecContext, target: ExecutionTarget,
): Promise<StatementResult> {
  const handler = HANDLERS[statement.kind] as Handler<Statement['kind']>;
  return handler(statement, { params, session, ctx, target });
}

function evalContext(x: Execution): EvalContext {
  return { params: x.params, nowMicros: Date.now() * 1000 };
}

function matchingRows(
  rows: readonly (readonly Value[])[], schema: Parameters<typeof batchFromRows>[0], predicate: Of<'delete'>['predicate'], x: Execution,
): (readonly Value[])[] {
  if (!predicate) return [...rows];
  if (rows.length === 0) return [];
  const view = new BatchColumns(batchFromRows(schema, rows), schema);
  const vec = compileExpr(predicate).eval(view, evalContext(x));
  return rows.filter((_, i) => valueAt(vec, i) === true);
}

/** Rows as a batch of the relation's columns (what the runtime writes); the runtime refuses a wrong relation. */
function rowsBatch(rt: Runtime, relation: string, rows: readonly (readonly Value[])[]): RecordBatch {
  const def = rt.def(relation);
  return batchFromRows(def === undefined || def.kind === 'sink' ? [] : def.columns, rows);
}

function describeKind(k: RelationDef['kind']): string {
  return { stream: 'stream', table: 'table', query: 'continuous query', sink: 'sink' }[k];
}
