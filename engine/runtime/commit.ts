// Rows written into streams and tables become durable here: one INSERT's or COPY's, or a whole transaction block's
// over any number of streams and tables. Everything is checked first (each batch against its target, and every
// table's primary keys across the whole commit, holding those tables' write locks), then encoded and handed to
// storage as ONE atomic write, so a crash keeps all of it or none (docs/durability.md). A COPY into a stream outside
// a transaction block does not come here with all its rows: it stages them as they arrive (staged-write.ts).

import { makeData, type RecordBatch } from 'apache-arrow';
import { streamSchema, type RelationStore, type StreamDef, type TableDef } from '../catalog';
import { arrowTypeOf, batchFromData, rowsFromBatch } from '../columns';
import { T, type Value } from '../types';
import type { RelationAppend } from '../../storage';
import { encodeChangeBatch } from '../codecs/change-batch';
import type { CommitFault } from './commit-fault';
import { checkBatch } from './row-checks';
import type { StreamRowCounts } from './stream-row-counts';
import { yieldAfterBigStep } from '../slices';
import { batchBytes } from '../memory/sizes';
import type { StreamWatermarks } from './stream-watermarks';
import type { TableState } from './table-state';
import type { TableDraft } from './table-draft';

/** Rows for one stream or table: a batch of its declared columns, in order, of their Arrow types. */
export interface RelationWrite {
  readonly relation: string;
  readonly batch: RecordBatch;
}

/** A stream or table that takes rows, as the runtime resolves it when the commit runs. */
export interface WriteTarget {
  readonly id: number;
  readonly def: StreamDef | TableDef;
  /** The table's rows; null for a stream. */
  readonly table: TableState | null;
}

/** A transaction block's working copy of a table it ran UPDATE or DELETE on (table-draft.ts). */
export interface DraftWrite {
  readonly relation: string;
  readonly draft: TableDraft;
}

export interface CommitContext {
  readonly store: RelationStore;
  /** Resolves a relation that takes rows, or throws the SqlError that says why it does not. */
  readonly target: (name: string) => WriteTarget;
  readonly fault: CommitFault | null;
  /** The streams' watermarks, written into each of their entries. */
  readonly watermarks: StreamWatermarks;
  /** Rows made durable in each stream, counted once their write is. */
  readonly streamRows: StreamRowCounts;
}

interface CheckedWrite {
  readonly target: WriteTarget;
  readonly batch: RecordBatch;
  /** A table's rows as Values (its in-memory rows and keys are Values); null for a stream. */
  readonly rows: Value[][] | null;
}

/**
 * `drafts` hold the tables a block updated or deleted from, with the rows it inserted into them; `writes` never
 * name one of those tables.
 */
export async function commitWrites(
  ctx: CommitContext, writes: readonly RelationWrite[], drafts: readonly DraftWrite[] = [],
): Promise<void> {
  const checked: CheckedWrite[] = writes.filter((w) => w.batch.numRows > 0).map((w) => {
    const target = ctx.target(w.relation);
    checkBatch(target.def, w.batch);
    return { target, batch: w.batch, rows: target.table === null ? null : rowsFromBatch(w.batch, target.def.columns) };
  });
  // Checking, encoding and writing big values each take a while: other sessions run between those steps.
  const bytes = checked.reduce((n, w) => n + batchBytes(w.batch), 0);
  await yieldAfterBigStep(bytes);
  const drafted = drafts.map((d) => ({ table: ctx.target(d.relation).table!, draft: d.draft }));
  if (checked.length === 0 && drafted.length === 0) return;
  const inserted = [...new Set(checked.flatMap((w) => (w.target.table === null ? [] : [w.target.table])))];
  await exclusively([...inserted, ...drafted.map((d) => d.table)], async () => {
    for (const t of inserted) t.checkNewKeys(checked.flatMap((w) => (w.target.table === t ? w.rows! : [])));
    const arrival = BigInt(Date.now()) * 1000n;
    const appends: RelationAppend[] = [];
    const afterDurable: (() => void)[] = [];
    for (const { table, draft } of drafted) {
      const prepared = table.prepareDraft(draft);
      appends.push(prepared.append);
      afterDurable.push(prepared.apply);
    }
    for (const { target: { id, def, table }, batch, rows } of checked) {
      if (table === null) {
        const clock = await ctx.watermarks.of(id, def as StreamDef);
        const watermark = clock?.after(batch);
        appends.push({ relationId: id, entry: encodeStreamEntry(def as StreamDef, batch, arrival, watermark) });
        if (clock !== null) afterDurable.push(() => clock.reached(watermark));
        afterDurable.push(() => ctx.streamRows.appended(id, batch.numRows));
      } else {
        const inserts = table.prepareInserts(rows!);
        const data = batchFromData(def.columns, batch.data.children, batch.numRows);
        appends.push({ relationId: id, entry: encodeChangeBatch({ data, diffs: null }), rowPuts: inserts.rowPuts });
        afterDurable.push(inserts.apply);
      }
    }
    await yieldAfterBigStep(bytes);
    const write = (onDurable?: () => void): Promise<bigint[]> => ctx.store.appendAtomically(appends, onDurable);
    await (ctx.fault === null ? write() : ctx.fault.write(write));
    for (const apply of afterDurable) apply();
  });
}

/**
 * A stream's log entry: the batch's columns and the hidden `_arrival` column, `arrival` in every row, and the
 * stream's watermark as of the entry (stream-watermarks.ts; undefined when it has none).
 */
export function encodeStreamEntry(def: StreamDef, batch: RecordBatch, arrival: bigint, watermark: number | undefined): Uint8Array {
  const data = batchFromData(streamSchema(def), [...batch.data.children, arrivalColumn(batch.numRows, arrival)], batch.numRows);
  return encodeChangeBatch(watermark === undefined ? { data, diffs: null } : { data, diffs: null, watermark });
}

/** A stream's hidden `_arrival` column: the commit time, for every row. */
function arrivalColumn(length: number, micros: bigint) {
  return makeData({ type: arrowTypeOf(T.timestamptz), length, data: new BigInt64Array(length).fill(micros) } as never);
}

/** Runs `work` holding every table's write lock, taken in name order so that two commits never wait on each other. */
function exclusively<R>(tables: readonly TableState[], work: () => Promise<R>): Promise<R> {
  const ordered = [...tables].sort((a, b) => (a.def.name < b.def.name ? -1 : a.def.name > b.def.name ? 1 : 0));
  const from = (i: number): Promise<R> => (i === ordered.length ? work() : ordered[i].exclusive(() => from(i + 1)));
  return from(0);
}
