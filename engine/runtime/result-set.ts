// The materialized result of a continuous query: a multiset of rows, changed by +1/-1 weights. SELECT reads it,
// downstream queries read its changes from the query's log, and each epoch's net effect on it is written to storage
// in the same atomic batch as the state that produced it.
//
// Two shapes. A query whose output can retract (an aggregate, DISTINCT, a LEFT JOIN, anything over a table...) keeps
// its rows keyed (KeyedResult): an epoch's changes are netted per row, and the rows whose count changed are written
// as one chunk of a chunk log (engine/state/chunks.ts, the mechanism of operator state): a handful of values per
// epoch however many rows changed, replayed in epoch order at restart. A query whose output is append-only
// (`neverRetracts`: rows are only ever inserted) needs no keys: its own log already holds every row it ever produced,
// in order, so its result is those log batches (AppendResult), kept as the Arrow batches they are and reloaded from
// the log at restart. Each epoch then writes one log entry.
//
// Readers never see half an epoch: a keyed result takes an epoch's delta in slices behind an overlay of the counts
// it replaced (readers look through it), and the overlay goes in one synchronous step with the epoch number. A
// SELECT takes the keys it will read in one step too, and only then makes them into batches a slice at a time.

import type { ChangeBatch } from '../batch';
import type { RecordBatch } from 'apache-arrow';
import { batchFromRows, columnData, rowsFromBatch, takeBatch, valuesFromData } from '../columns';
import { type Pacer, SLICE_ROWS, slicesOf } from '../slices';
import { ChunkLog, type Encode, type StateDelta } from '../state/chunks';
import type { ByteReader, ByteWriter } from '../state/codec';
import type { Schema, Value } from '../types';

export { neverRetracts } from '../operators/properties';

export interface ResultRow {
  readonly row: readonly Value[];
  count: number;
}

/** What one epoch does to the stored result: rows (by key) whose count changed, with the new count (0 = delete). */
export interface ResultDelta {
  readonly key: string;
  readonly count: number;
}

/** What SELECT reads. */
export interface ResultSet {
  /** Rows, counted with multiplicity. */
  readonly size: number;
  /** Every row, repeated by its multiplicity, in no particular order. */
  snapshot(): Value[][];
  /**
   * The same rows as change batches (weights > 0) of the given columns, for a pull query's input; `schema` is
   * those columns' fields. The rows are those the result holds when this is called (taken in that synchronous
   * step); the batches are then made a slice at a time, paced by `pacer`.
   */
  batches(columns: readonly number[], schema: Schema, pacer: Pacer): Promise<ChangeBatch[]>;
}

export class KeyedResult implements ResultSet {
  /**
   * Each row's count, by the row's key. The key spells the row exactly (rowKey), so the row is read back from it
   * when it is needed (SELECT, a chunk rewrite) rather than kept beside it as an array of values: that array and
   * its values were ~180 bytes a row, 18 MB for copy-agg's 100 K groups.
   */
  private readonly counts = new Map<string, number>();
  /**
   * While an epoch's delta is being applied (`applyHidden`, in slices): the count each key it changed had before
   * (0: absent). Readers see the result through it, so they see the last revealed epoch whole until `reveal` drops
   * it in one synchronous step; null when no delta is half applied.
   */
  private before: Map<string, number> | null = null;
  private readonly chunks = new ChunkLog();

  get size(): number {
    let n = 0;
    for (const count of this.counts.values()) n += count;
    if (this.before !== null) for (const [key, was] of this.before) n += was - (this.counts.get(key) ?? 0);
    return n;
  }

  snapshot(): Value[][] {
    return this.visibleKeys().map(rowFromKey);
  }

  async batches(columns: readonly number[], schema: Schema, pacer: Pacer): Promise<ChangeBatch[]> {
    const keys = this.visibleKeys();
    const out: ChangeBatch[] = [];
    for (let at = 0; at < keys.length; at += SLICE_ROWS) {
      const rows = keys.slice(at, at + SLICE_ROWS).map((key) => {
        const row = rowFromKey(key);
        return columns.map((c) => row[c]);
      });
      out.push({ data: batchFromRows(schema, rows), diffs: null });
      await pacer.between();
    }
    return out;
  }

  /** The key of every row visible now, repeated by its multiplicity: a reader's consistent view, taken at once. */
  private visibleKeys(): string[] {
    const out: string[] = [];
    const before = this.before;
    for (const [key, now] of this.counts) {
      const count = before?.get(key) ?? now;
      for (let i = 0; i < count; i++) out.push(key);
    }
    if (before !== null) {
      for (const [key, was] of before) if (!this.counts.has(key)) for (let i = 0; i < was; i++) out.push(key);
    }
    return out;
  }

  /**
   * The delta that applying an epoch's changes (rows of `schema`) would make, without applying it: callers make the
   * delta durable first and only then `apply` it, so SELECT never sees an epoch that could still be lost. The changes
   * are netted by their rows' keys, built a column at a time (no array per row), a slice at a time paced by
   * `pacer`: an epoch's changes can be every group of a big aggregate.
   */
  async plan(changes: ChangeBatch | null, schema: Schema, pacer: Pacer): Promise<ResultDelta[]> {
    const pending = new Map<string, number>();
    for (const slice of changes === null ? [] : slicesOf(changes)) {
      const keys = rowKeysOf(slice.data, schema);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const count = pending.get(key) ?? this.counts.get(key) ?? 0;
        pending.set(key, count + (slice.diffs ? slice.diffs[i] : 1));
      }
      await pacer.between();
    }
    const out: ResultDelta[] = [];
    let seen = 0;
    for (const [key, count] of pending) {
      if (count < 0) throw new Error(`result row deleted more often than inserted: ${key}`);
      if (count !== (this.counts.get(key) ?? 0)) out.push({ key, count });
      if (++seen % SLICE_ROWS === 0) await pacer.between();
    }
    return out;
  }

  /**
   * Epoch `epoch`'s chunk of the stored result for `delta` (made with `plan`, not applied yet): the changed rows, or,
   * when the chunk log is due for a rewrite, every row the result will hold after the delta. Paced by `pacer`.
   */
  chunk(epoch: number, delta: readonly ResultDelta[], pacer: Pacer): Promise<StateDelta> {
    return this.chunks.write(epoch, delta.length, () => this.recordsAfter(delta), () => deltaRecords(delta), pacer);
  }

  /** Every row the result holds once `delta` is applied. */
  private *recordsAfter(delta: readonly ResultDelta[]): Generator<Encode> {
    const changed = new Set(delta.map((d) => d.key));
    for (const [key, count] of this.counts) if (!changed.has(key)) yield (w) => writeRecord(w, rowFromKey(key), count);
    yield* deltaRecords(delta.filter((d) => d.count > 0));
  }

  /**
   * Applies a delta made durable, a slice at a time paced by `pacer`, unseen: readers keep seeing the result as it
   * was until `reveal`. An epoch's delta can be every row of the result (100 K rows were ~25 ms in one piece).
   */
  async applyHidden(delta: readonly ResultDelta[], pacer: Pacer): Promise<void> {
    if (this.before !== null) throw new Error('engine: a result delta applied over one not revealed yet');
    const before = new Map<string, number>();
    this.before = before;
    for (let at = 0; at < delta.length; at += SLICE_ROWS) {
      for (const d of delta.slice(at, at + SLICE_ROWS)) {
        before.set(d.key, this.counts.get(d.key) ?? 0);
        if (d.count === 0) this.counts.delete(d.key);
        else this.counts.set(d.key, d.count);
      }
      await pacer.between();
    }
  }

  /** Readers see the delta `applyHidden` applied, all of it at once. */
  reveal(): void {
    this.before = null;
  }

  /** Restores the rows from the stored chunks, at startup. */
  restore(chunks: Iterable<[string, Uint8Array]>): void {
    this.chunks.restore(chunks, (r, count) => {
      for (let i = 0; i < count; i++) {
        const { row, count } = readRecord(r);
        const key = rowKey(row);
        if (count === 0) this.counts.delete(key);
        else this.counts.set(key, count);
      }
    });
  }
}

function* deltaRecords(delta: readonly ResultDelta[]): Generator<Encode> {
  for (const d of delta) yield (w) => writeRecord(w, rowFromKey(d.key), d.count);
}

/** A chunk record: the row's count (0: the row is gone), then its values. The row is its own key. */
function writeRecord(w: ByteWriter, row: readonly Value[], count: number): void {
  w.uvar(count).uvar(row.length);
  for (const v of row) w.value(v);
}

function readRecord(r: ByteReader): ResultRow {
  const count = r.uvar();
  const row: Value[] = new Array(r.uvar());
  for (let i = 0; i < row.length; i++) row[i] = r.value();
  return { row, count };
}

export class AppendResult implements ResultSet {
  private readonly parts: RecordBatch[] = [];
  private count = 0;

  constructor(private readonly schema: Schema) {}

  get size(): number {
    return this.count;
  }

  /**
   * Checks that a batch only inserts (weights, when present, are positive: a row inserted k times at once has
   * weight k). A retraction here means the plan property was wrong: an internal error, never a silent mistake.
   */
  static check(batch: ChangeBatch): number {
    const d = batch.diffs;
    if (d === null) return batch.data.numRows;
    let n = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] < 0) throw new Error('engine: an append-only continuous query produced a retraction');
      n += d[i];
    }
    return n;
  }

  /** Adds batches already made durable (an epoch's output, or the query's log at restart). */
  append(batch: ChangeBatch): void {
    const n = AppendResult.check(batch);
    if (n === 0) return;
    let data = batch.data;
    if (n !== data.numRows || batch.diffs !== null && batch.diffs.some((w) => w !== 1)) {
      // A row inserted k times at once (an INNER JOIN of duplicates) is kept as k rows: parts carry no weights.
      const idx: number[] = [];
      for (let i = 0; i < batch.diffs!.length; i++) for (let k = 0; k < batch.diffs![i]; k++) idx.push(i);
      data = takeBatch(this.schema, data, idx);
    }
    this.parts.push(data);
    this.count += n;
  }

  snapshot(): Value[][] {
    const out: Value[][] = [];
    for (const b of this.parts) for (const r of rowsFromBatch(b, this.schema)) out.push(r);
    return out;
  }

  /** The kept batches themselves (or views of their columns): nothing to make, so nothing to pace. */
  batches(columns: readonly number[], _schema: Schema, _pacer: Pacer): Promise<ChangeBatch[]> {
    const all = this.schema.length;
    const same = columns.length === all && columns.every((c, i) => c === i);
    return Promise.resolve(this.parts.map((b) => ({ data: same ? b : b.selectAt([...columns]), diffs: null })));
  }
}

/**
 * A text key for a row, equal exactly for rows that are the same: it tells apart types that print alike (1, 1n, '1',
 * NULL, 'null') and strings that contain separators, because every part starts with its type's tag and ends where
 * its tag says (`;`, which no number prints, or a string's length). Built by concatenation: the result holds as
 * many rows as the query has groups, and this runs for every row of every epoch's changes.
 */
export function rowKey(row: readonly Value[]): string {
  let key = '';
  for (let c = 0; c < row.length; c++) key += keyPart(row[c]);
  return key;
}

/** The rowKey of each row of a batch, built a column at a time. */
function rowKeysOf(batch: RecordBatch, schema: Schema): string[] {
  const keys = new Array<string>(batch.numRows).fill('');
  for (let c = 0; c < schema.length; c++) {
    const values = valuesFromData(columnData(batch, c), schema[c].type);
    for (let i = 0; i < keys.length; i++) keys[i] += keyPart(values[i]);
  }
  return keys;
}

function keyPart(v: Value): string {
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? 'f-0;' : `f${v};`; // -0 prints `-0`: another row than 0
    case 'bigint': return `b${v};`;
    case 'string': return `s${v.length}:${v}`;
    case 'boolean': return v ? 'T' : 'F';
    default: return v === null ? 'N' : `i${v.months},${v.days},${v.micros};`;
  }
}

/** The row a rowKey spells, value for value. */
export function rowFromKey(key: string): Value[] {
  const row: Value[] = [];
  let at = 0;
  while (at < key.length) {
    const tag = key[at++];
    if (tag === 'N') row.push(null);
    else if (tag === 'T' || tag === 'F') row.push(tag === 'T');
    else if (tag === 's') {
      const colon = key.indexOf(':', at);
      const start = colon + 1;
      const end = start + Number(key.slice(at, colon));
      row.push(key.slice(start, end));
      at = end;
    } else {
      const end = key.indexOf(';', at);
      const text = key.slice(at, end);
      at = end + 1;
      if (tag === 'f') row.push(Number(text));
      else if (tag === 'b') row.push(BigInt(text));
      else if (tag === 'i') {
        const [months, days, micros] = text.split(',').map(Number);
        row.push({ months, days, micros });
      } else throw new Error(`engine: ${JSON.stringify(key)} is not a row key`);
    }
  }
  return row;
}
