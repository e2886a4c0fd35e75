// The batches of one fetch made durable. Their records are decoded (a stream's rows, or a table's upserts and
// deletes), bad records handled by on_error, and written with each partition's next offset and the dead letters, so
// a batch is either wholly applied and never read again, or not at all and read again.
//
// A stream decodes the records of all the partitions of a fetch at once and gets ONE log entry in ONE storage write:
// per-entry costs (building columns, encoding, the synced write, and every continuous query decoding the entry) are
// paid once per fetch, not once per partition. A table gets one write per batch, in fetch order: its rows are
// replaced by key, last writer wins, and merging batches of different partitions would make one upsert whose order
// between partitions means nothing.
//
// A stream with WATERMARK FOR gets its watermark per partition (partition-watermarks.ts), written into each entry.

import type { StreamDef, TableDef } from '../catalog';
import type { Value } from '../types';
import type { DeadLetter } from '../../storage';
import type { RelationStore } from '../catalog';
import { encodeChangeBatch } from '../codecs/change-batch';
import type { SourceProgress } from '../runtime/table-state';
import { type BadRecord, RecordDecoder } from './decode';
import type { FetchedMessage } from './client';
import type { KafkaSourceOptions } from './options';
import { PartitionWatermarks } from './partition-watermarks';
import { type KeyedRecord, TableRecords } from './table-records';

/** Applies a batch of a keyed topic to its table, with the progress, atomically (TableState.upsert does). */
export type TableRowsHandler = (upserts: Value[][], deleteKeys: Value[][], progress: SourceProgress) => Promise<void>;

/** One partition's batch of a fetch. */
export interface FetchedBatch {
  readonly partition: number;
  readonly messages: readonly FetchedMessage[];
  /**
   * The last offset the fetch covered, which is past the last message when the batch ends with records kafkajs
   * filters out (transaction markers); a fully consumed batch moves the position past them too.
   */
  readonly lastOffset: string;
}

export interface WrittenBatch {
  /** The last offset consumed; null when none was (on_error = 'fail' at the first message). */
  readonly lastConsumed: string | null;
  readonly consumed: number;
  readonly deadLetters: number;
  readonly skipped: number;
  /** With on_error = 'fail': the bad record the source must stop at. */
  readonly failure: string | null;
}

/** What is kept of one batch: its first `take` records, whose bad ones are `bad`. */
interface Kept {
  readonly take: number;
  readonly bad: readonly BadRecord[];
  readonly failure: BadRecord | null;
}

export class SourceBatchWriter {
  private readonly stream: RecordDecoder | null = null;
  private readonly table: TableRecords | null = null;
  /** A stream's watermarks, recovered from its log as the writer starts; null without WATERMARK FOR (or a table). */
  private readonly watermarks: Promise<PartitionWatermarks | null>;

  constructor(
    private readonly store: RelationStore,
    private readonly relationId: number,
    private readonly def: StreamDef | TableDef,
    private readonly options: KafkaSourceOptions,
    private readonly onTableRows?: TableRowsHandler,
    private readonly onStreamRows?: (rows: number) => void,
  ) {
    if (def.kind === 'table') {
      if (!onTableRows) throw new Error(`Kafka table ${def.name} started without onTableRows`);
      this.table = new TableRecords(def, options.format);
    } else {
      this.stream = new RecordDecoder(def.columns, options.format, { arrival: true });
    }
    this.watermarks = def.kind === 'stream'
      ? PartitionWatermarks.open(store, relationId, def, this.stream!.schema, options.idleTimeoutMs)
      : Promise.resolve(null);
    // Awaited by every write, which reports a failure; not left unhandled meanwhile.
    this.watermarks.catch(() => undefined);
  }

  /**
   * The topic's partitions as of now: each holds the watermark back until read from or idle. When time alone moved
   * the watermark (a partition fell idle), writes an entry of no rows that carries it.
   */
  async tick(partitions: readonly number[]): Promise<void> {
    const watermarks = await this.watermarks;
    if (watermarks === null) return;
    watermarks.knowPartitions(partitions);
    const watermark = watermarks.advancedByIdleness();
    if (watermark === null) return;
    const empty = this.stream!.decode([], Date.now() * 1000).data;
    await this.store.appendSourceBatch(this.relationId, encodeChangeBatch({ data: empty, diffs: null, watermark }), {});
    watermarks.reached(watermark);
  }

  /** Makes the batches durable, at most one per partition (kafkajs hands a partition's next batch only after). */
  async write(batches: readonly FetchedBatch[]): Promise<WrittenBatch[]> {
    const records = batches.map(recordsOf);
    if (this.stream === null) {
      const written: WrittenBatch[] = [];
      for (let i = 0; i < batches.length; i++) written.push(await this.writeTableBatch(batches[i], records[i]));
      return written;
    }
    return this.writeStreamBatches(this.stream, batches, records);
  }

  private async writeStreamBatches(
    decoder: RecordDecoder, batches: readonly FetchedBatch[], records: readonly KeyedRecord[][],
  ): Promise<WrittenBatch[]> {
    const arrival = Date.now() * 1000;
    let decodedRecords = records.flat();
    let decoded = decoder.decode(decodedRecords, arrival);
    const kept = this.keep(records, decoded.bad);
    if (kept.some((k, i) => k.take < records[i].length)) {
      // on_error = 'fail' stops some partitions at a bad record: decode again what precedes it (no bad record).
      decodedRecords = records.flatMap((r, i) => r.slice(0, kept[i].take));
      decoded = decoder.decode(decodedRecords, arrival);
    }
    const positions: Record<string, string> = {};
    const dead: DeadLetter[] = [];
    batches.forEach((b, i) => {
      const next = this.nextPosition(b, records[i], kept[i].take);
      if (next !== null) positions[b.partition] = next;
      for (const letter of this.deadLetters(kept[i])) dead.push(letter);
    });
    if (Object.keys(positions).length > 0) {
      const watermarks = await this.watermarks;
      const { recordOf } = decoded;
      const watermark = watermarks?.after(decoded.data, (row) => decodedRecords[recordOf[row]].partition,
        batches.filter((_, i) => kept[i].take > 0).map((b) => b.partition));
      const carried = watermark === undefined ? {} : { watermark };
      const bytes = decoded.data.numRows > 0 ? encodeChangeBatch({ data: decoded.data, diffs: null, ...carried }) : null;
      await this.store.appendSourceBatch(this.relationId, bytes, positions, dead);
      if (bytes !== null) {
        watermarks?.reached(watermark);
        this.onStreamRows?.(decoded.data.numRows);
      }
    }
    return batches.map((b, i) => this.outcome(b, records[i], kept[i]));
  }

  private async writeTableBatch(batch: FetchedBatch, records: KeyedRecord[]): Promise<WrittenBatch> {
    let changes = this.table!.changes(records);
    const [kept] = this.keep([records], changes.bad);
    if (kept.take < records.length) changes = this.table!.changes(records.slice(0, kept.take));
    const next = this.nextPosition(batch, records, kept.take);
    if (next !== null) {
      const progress = { positions: { [batch.partition]: next }, deadLetters: this.deadLetters(kept) };
      await this.onTableRows!(changes.upserts, changes.deleteKeys, progress);
    }
    return this.outcome(batch, records, kept);
  }

  /**
   * What is kept of each batch, given the bad records of all of them (indexes into their concatenation). With
   * on_error = 'fail' a batch keeps what precedes its first bad record: the position stops there, so a restart
   * meets it again.
   */
  private keep(records: readonly KeyedRecord[][], bad: readonly BadRecord[]): Kept[] {
    const kept: Kept[] = [];
    let first = 0;
    let b = 0;
    for (const batch of records) {
      const end = first + batch.length;
      const mine: BadRecord[] = [];
      for (; b < bad.length && bad[b].index < end; b++) mine.push({ ...bad[b], index: bad[b].index - first });
      const failure = this.options.onError === 'fail' && mine.length > 0 ? mine[0] : null;
      kept.push({ take: failure === null ? batch.length : failure.index, bad: failure === null ? mine : [], failure });
      first = end;
    }
    return kept;
  }

  /** The partition's position after the first `take` records; null when none was taken (nothing to write). */
  private nextPosition(batch: FetchedBatch, records: readonly KeyedRecord[], take: number): string | null {
    if (take === 0) return null;
    if (take < records.length) return records[take].offset;
    return String(BigInt(maxOffset(records[take - 1].offset, batch.lastOffset)) + 1n);
  }

  private outcome(batch: FetchedBatch, records: readonly KeyedRecord[], kept: Kept): WrittenBatch {
    const { take, failure } = kept;
    const whole = take === records.length;
    return {
      lastConsumed: take === 0 ? null : whole ? maxOffset(records[take - 1].offset, batch.lastOffset) : records[take - 1].offset,
      consumed: take,
      deadLetters: this.deadLetters(kept).length,
      skipped: take > 0 && this.options.onError === 'skip' ? kept.bad.length : 0,
      failure: failure === null ? null : `bad record at partition ${failure.partition} offset ${failure.offset} of ` +
        `topic ${this.options.topic} (${failure.reason}): ${failure.error}`,
    };
  }

  private deadLetters(kept: Kept): DeadLetter[] {
    if (kept.take === 0 || this.options.onError !== 'dead_letter') return [];
    return kept.bad.map((b) => ({
      source: this.def.name, partition: b.partition, offset: b.offset, raw: b.raw, reason: b.reason, error: b.error,
      at: new Date(),
    }));
  }
}

function recordsOf(batch: FetchedBatch): KeyedRecord[] {
  return batch.messages.map((m) => ({ partition: batch.partition, offset: m.offset, value: m.value, key: m.key ?? null }));
}

function maxOffset(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}
