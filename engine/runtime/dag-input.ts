// An epoch's input into a continuous query's DAG: each input log from the query's offset to the end the epoch noted,
// in bounded slices with a yield to the event loop between them, so no session waits for the whole epoch. A first
// epoch over a keyed query starts from that query's result instead of its log, which may be trimmed.

import type { ChangeBatch } from '../batch';
import { batchFromData } from '../columns';
import type { DagSource } from '../dag';
import type { SourceNode } from '../plan';
import { type Pacer, slicesOf } from '../slices';
import type { LogReader } from './log-reader';

/** A query's result as insert batches, and the entry of its own log that result is the sum of, taken together. */
export interface ResultAt {
  readonly seq: bigint;
  readonly batches: readonly ChangeBatch[];
}

export interface EpochInputs {
  /** Each input's log end as the epoch noted it; a start from a result may move one on (to what the result includes). */
  readonly ends: Map<number, bigint>;
  /** Each input's committed offset. */
  readonly offsets: ReadonlyMap<number, bigint>;
  /** Inputs the query has never committed an offset for. */
  readonly unstarted: ReadonlySet<number>;
  readonly logs: LogReader;
  /** The result of the keyed query with relation id `id`; null for any other relation. */
  readonly resultOf: (id: number) => Promise<ResultAt> | null;
  /** The DAG sources that read relation `id`. */
  readonly sourcesOf: (id: number) => readonly DagSource[];
  /** Called after each slice is pushed (the query checks its state's share of memory there; it may throw). */
  readonly afterSlice: () => void;
}

/** Pushes the epoch's input into the DAG; returns how many rows it read. */
export async function feedInputs(inputs: EpochInputs, pacer: Pacer): Promise<number> {
  let rows = 0;
  // Relations in id order, so an epoch replayed after a crash feeds its inputs in the same order.
  for (const id of [...inputs.ends.keys()].sort((a, b) => a - b)) {
    const targets = inputs.sourcesOf(id);
    const started = await startFromResult(inputs, id, targets, pacer);
    rows += started.rows;
    const from = started.from ?? inputs.offsets.get(id) ?? 0n;
    const to = inputs.ends.get(id) ?? from;
    if (to <= from) continue;
    for await (const batch of inputs.logs.changes(id, from, to)) {
      rows += batch.data.numRows;
      await pushSliced(batch, targets, pacer, inputs.afterSlice);
      if (batch.watermark !== undefined) for (const source of targets) source.advanceWatermark(batch.watermark);
    }
  }
  return rows;
}

/**
 * A first epoch over a keyed query reads that query's result (the sum of its log up to an entry) instead of the log
 * up to that entry, then its log after it; `from` is where the log read continues. Even when nothing is trimmed yet:
 * a trim computed before this query existed may be deleting entries as it starts.
 */
async function startFromResult(
  inputs: EpochInputs, id: number, targets: readonly DagSource[], pacer: Pacer,
): Promise<{ readonly from: bigint | null; readonly rows: number }> {
  if (!inputs.unstarted.has(id)) return { from: null, rows: 0 };
  const result = await inputs.resultOf(id);
  if (result === null) return { from: null, rows: 0 };
  // The result may include an entry committed after this epoch noted the log's end: read up to it, not past.
  if ((inputs.ends.get(id) ?? 0n) < result.seq) inputs.ends.set(id, result.seq);
  let rows = 0;
  for (const batch of result.batches) {
    rows += batch.data.numRows;
    await pushSliced(batch, targets, pacer, inputs.afterSlice);
  }
  return { from: result.seq, rows };
}

async function pushSliced(batch: ChangeBatch, targets: readonly DagSource[], pacer: Pacer, afterSlice: () => void): Promise<void> {
  for (const slice of slicesOf(batch)) {
    for (const source of targets) source.push(project(slice, source.node));
    afterSlice();
    await pacer.between();
  }
}

/**
 * Keeps the columns a source reads, in its order, as a batch of the source's own schema object. Arrow's selectAt
 * would build a new schema for every batch (most of the cost of feeding a one-row epoch); the column data is shared.
 */
function project(batch: ChangeBatch, source: SourceNode): ChangeBatch {
  const { columns } = source;
  const all = batch.data.schema.fields.length;
  if (columns.length === all && columns.every((c, i) => c === i)) return batch;
  const children = batch.data.data.children;
  return { data: batchFromData(source.schema, columns.map((c) => children[c]), batch.data.numRows), diffs: batch.diffs };
}
