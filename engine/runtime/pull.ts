// Pull queries (a plain SELECT, INSERT ... SELECT, COPY (SELECT ...) TO): the plan runs once over the current contents
// of the relations it reads, fed to the same operators a continuous query runs (engine/batch-run.ts). This file gathers
// those contents — a table's rows, a continuous query's result, a stream's retained rows, a system view — a slice at
// a time, so a big source never blocks other sessions.

import type { ChangeBatch } from '../batch';
import { streamSchema, type RelationStore, type StoredRelation, type StreamDef } from '../catalog';
import { batchFromRows, columnData, int32View, readI64, takeBatch } from '../columns';
import { SqlError, SQLSTATE } from '../errors';
import { planInputs, type PlanNode, type SourceNode } from '../plan';
import type { Value } from '../types';
import type { EvalContext } from '../expr/context';
import { decodeChangeBatch } from '../codecs/change-batch';
import { runPullChanges } from '../batch-run';
import { Pacer, SLICE_ROWS } from '../slices';
import { StatementMemory } from '../memory/statement';
import { batchBytes } from '../memory/sizes';
import type { ResultSet } from './result-set';
import { retentionMicros } from './stream-retention';

/** What a pull query reads, as the runtime holds it. */
export interface PullSources {
  readonly store: RelationStore;
  /** The stored definition of a relation; throws 42P01 for an unknown one. */
  stored(name: string): StoredRelation;
  tableRows(name: string): readonly (readonly Value[])[];
  queryResult(name: string): ResultSet;
  systemRows(schema: string, view: string): Promise<readonly (readonly Value[])[]>;
  /** What one pull query may hold, its input's batches included. */
  readonly statementMemoryBytes: number;
}

/** The changes `plan` makes when run once over its sources' current contents. */
export async function pullChanges(
  sources: PullSources, plan: PlanNode, ctx: EvalContext, signal?: AbortSignal,
): Promise<ChangeBatch[]> {
  const pacer = new Pacer(signal);
  const memory = new StatementMemory(sources.statementMemoryBytes);
  const inputs = new Map<SourceNode, ChangeBatch[]>();
  for (const node of sourceNodes(plan)) {
    const batches = await currentContents(sources, node, pacer);
    for (const b of batches) memory.hold(batchBytes(b.data), 'input rows');
    inputs.set(node, batches);
  }
  return runPullChanges(plan, (node) => inputs.get(node) ?? [], { ...ctx, signal, memory });
}

async function currentContents(sources: PullSources, node: SourceNode, pacer: Pacer): Promise<ChangeBatch[]> {
  const rel = node.relation;
  if (rel.kind === 'system') {
    const [schema, view] = rel.name.split('.');
    const rows = await sources.systemRows(schema, view);
    return [{ data: batchFromRows(node.schema, rows.map((r) => node.columns.map((c) => r[c]))), diffs: null }];
  }
  const stored = sources.stored(rel.name);
  const def = stored.def;
  if (def.kind === 'query') return sources.queryResult(def.name).batches(node.columns, node.schema, pacer);
  if (def.kind === 'stream') return retainedRows(sources.store, stored, node, pacer);
  if (def.kind !== 'table') throw new SqlError(SQLSTATE.wrong_object_type, `sink "${def.name}" is not selectable`);
  // A big table's rows become batches a slice at a time, so making them lets other sessions run too.
  const rows = sources.tableRows(def.name);
  const out: ChangeBatch[] = [];
  for (let at = 0; at < rows.length; at += SLICE_ROWS) {
    const slice = rows.slice(at, at + SLICE_ROWS).map((r) => node.columns.map((c) => r[c]));
    out.push({ data: batchFromRows(node.schema, slice), diffs: null });
    await pacer.between();
  }
  return out;
}

/** A stream keeps rows for SELECT only with `retention`; the rows older than it are not returned. */
async function retainedRows(
  store: RelationStore, stored: StoredRelation, node: SourceNode, pacer: Pacer,
): Promise<ChangeBatch[]> {
  const def = stored.def as StreamDef;
  const retention = retentionMicros(def);
  if (retention === null) {
    throw new SqlError(SQLSTATE.feature_not_supported, `cannot SELECT from stream "${def.name}": it keeps no rows`, {
      hint: 'Create the stream WITH (retention = \'10 minutes\') to query recent rows, or use a continuous query or SUBSCRIBE.',
    });
  }
  const cutoff = Date.now() * 1000 - retention;
  const schema = streamSchema(def);
  const arrivalColumn = def.columns.length;
  const out: ChangeBatch[] = [];
  for await (const entry of store.readLog(stored.id, store.firstSeq(stored.id) - 1n)) {
    const { data, watermark } = decodeChangeBatch(entry.bytes);
    const arrival = int32View(columnData(data, arrivalColumn).values as BigInt64Array);
    const keep: number[] = [];
    for (let i = 0; i < data.numRows; i++) if (readI64(arrival, i) >= cutoff) keep.push(i);
    // An entry whose rows are all past retention still moves the watermark, as it did for continuous queries.
    if (keep.length === 0 && watermark === undefined) continue;
    const kept = keep.length === data.numRows ? data : takeBatch(schema, data, keep);
    const rows = kept.selectAt([...node.columns]);
    out.push(watermark === undefined ? { data: rows, diffs: null } : { data: rows, diffs: null, watermark });
    await pacer.between();
  }
  return out;
}

function sourceNodes(plan: PlanNode): SourceNode[] {
  const out: SourceNode[] = [];
  const walk = (n: PlanNode): void => {
    if (n.kind === 'source') out.push(n);
    for (const child of planInputs(n)) walk(child);
  };
  walk(plan);
  return out;
}
