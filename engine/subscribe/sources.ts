// Where a subscription reads its changes: the relation's durable change log, one epoch at a time, in epoch order,
// only what has committed. What an epoch is depends on the relation:
// - a stream or table: one entry of its log (one INSERT, COPY, UPDATE, DELETE or COMMIT); its number is the entry's
//   sequence number;
// - a continuous query: one of its epochs (sluice.queries.epoch); an epoch that changed the result appended one entry
//   to the query's log, and storage records which (storage/epochs.ts epochEntries).

import type { ChangeBatch } from '../batch';
import { type RelationStore, type StoredRelation } from '../catalog';
import { batchFromRows } from '../columns';
import { decodeChangeBatch } from '../codecs/change-batch';
import type { QueryRunner } from '../runtime/query-runner';
import type { TableState } from '../runtime/table-state';
import { Pacer, SLICE_ROWS } from '../slices';
import type { Schema } from '../types';

/** The changes of one epoch, or of a part of it (a big COPY's entry comes as several batches of one epoch). */
export interface EpochChanges {
  readonly epoch: bigint;
  readonly changes: ChangeBatch;
  /** Names these changes for the shared encoding: the same key, the same rows, for every subscriber. */
  readonly key: string;
}

export interface ChangeSource {
  readonly relationId: number;
  /** The relation's visible columns (a stream's without _arrival): what `changes` hold. */
  readonly columns: Schema;
  /** The newest committed epoch. */
  newest(): bigint;
  /** The oldest epoch a subscription may resume after (from_epoch): every change after it is still in the log. */
  oldestResumable(): bigint;
  /** The current contents and the epoch they are the contents at, taken together. */
  snapshot(): Promise<{ readonly epoch: bigint; readonly batches: readonly ChangeBatch[] }>;
  /** The changes of the committed epochs after `after` up to `upTo` (at most newest()), in order. */
  changesAfter(after: bigint, upTo: bigint): AsyncIterable<EpochChanges>;
  /** Calls `listener` after each commit that may move newest(); returns the unsubscribe. */
  onCommit(listener: () => void): () => void;
}

/** A stream's or table's log: an epoch is a log entry. */
export function relationLogSource(store: RelationStore, stored: StoredRelation, table: TableState | null): ChangeSource {
  const id = stored.id;
  const columns = stored.def.kind === 'sink' ? [] : stored.def.columns;
  return {
    relationId: id,
    columns,
    newest: () => store.lastSeq(id),
    oldestResumable: () => store.firstSeq(id) - 1n,
    async snapshot() {
      // A stream's rows are events, not contents: its snapshot is empty (from_epoch replays what its log holds).
      if (table === null) return { epoch: store.lastSeq(id), batches: [] };
      // Under the table's write lock no write is between durable and applied: the rows are those of the log's end.
      const { epoch, rows } = await table.exclusive(async () => ({ epoch: store.lastSeq(id), rows: table.snapshot() }));
      // In slices, so a big table's snapshot goes out (and is held encoded) a slice at a time.
      const batches: ChangeBatch[] = [];
      for (let at = 0; at < rows.length; at += SLICE_ROWS) {
        batches.push({ data: batchFromRows(columns, rows.slice(at, at + SLICE_ROWS)), diffs: null });
      }
      return { epoch, batches };
    },
    async *changesAfter(after, upTo) {
      for await (const entry of store.readLog(id, after, upTo)) {
        const decoded = decodeChangeBatch(entry.bytes);
        const data = decoded.data.numCols === columns.length ? decoded.data : decoded.data.selectAt(columns.map((_, i) => i));
        yield { epoch: entry.seq, changes: { data, diffs: decoded.diffs }, key: `${id}/${entry.seq}/${entry.part}` };
      }
    },
    onCommit: (listener) => store.onLogAppend((relationId) => {
      if (relationId === id) listener();
    }),
  };
}

/** A continuous query: an epoch is one of its epochs; its changes are the log entry that epoch appended, if any. */
export async function queryLogSource(store: RelationStore, runner: QueryRunner): Promise<ChangeSource> {
  const id = runner.id;
  const oldest = await oldestRecordedEpoch(store, runner);
  return {
    relationId: id,
    columns: runner.schema,
    newest: () => BigInt(runner.stats.epoch),
    // Trims after this source opened move the oldest epoch on (the trimmer tells the runner how far they reached).
    oldestResumable: () => (runner.trimmedThrough > oldest ? runner.trimmedThrough : oldest),
    async snapshot() {
      // The result and the epoch number change together, in one synchronous step after the commit; batches() takes
      // its rows in the same step as the epoch is read here, and makes them into batches after.
      const all = runner.schema.map((_, i) => i);
      const epoch = BigInt(runner.stats.epoch);
      return { epoch, batches: await runner.result.batches(all, runner.schema, new Pacer()) };
    },
    async *changesAfter(after, upTo) {
      for await (const { epoch, seq } of store.epochEntries(id, Number(after))) {
        if (epoch > upTo) return;
        for await (const entry of store.readLog(id, seq - 1n, seq)) {
          yield { epoch: BigInt(epoch), changes: decodeChangeBatch(entry.bytes), key: `${id}/${seq}/${entry.part}` };
        }
      }
    },
    onCommit: (listener) => runner.onEpochCommitted(listener),
  };
}

/** What the oldest resumable epoch of a query is read from. */
type QueryEpochLog = Pick<RelationStore, 'firstSeq' | 'lastSeq' | 'epochEntries'>;

/** The oldest epoch a subscription to the query may resume after (what sluice.changelogs shows). */
export async function queryOldestResumable(store: QueryEpochLog, runner: QueryRunner): Promise<bigint> {
  const recorded = await oldestRecordedEpoch(store, runner);
  return runner.trimmedThrough > recorded ? runner.trimmedThrough : recorded;
}

/**
 * The oldest epoch a resume may start after: the epoch before the one that appended the first entry the log still
 * holds. Every epoch when nothing was ever trimmed and every entry's epoch is recorded; not the epochs committed by a
 * build that did not record which log entry an epoch appended (data directories from before SUBSCRIBE), whose changes
 * cannot be told apart by epoch. A log trimmed to nothing keeps no change from before the last epoch.
 */
async function oldestRecordedEpoch(store: QueryEpochLog, runner: QueryRunner): Promise<bigint> {
  const firstEntry = store.firstSeq(runner.id);
  const trimmed = firstEntry > 1n;
  if (firstEntry > store.lastSeq(runner.id)) return trimmed ? BigInt(runner.stats.epoch) : 0n;
  for await (const recorded of store.epochEntries(runner.id, 0)) {
    if (recorded.seq < firstEntry) continue; // a record a crash kept after its entry was trimmed
    return recorded.seq === firstEntry && !trimmed ? 0n : BigInt(recorded.epoch - 1);
  }
  return BigInt(runner.stats.epoch);
}
