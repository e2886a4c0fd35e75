// Fetched batches made durable. Each batch of one partition is decoded on its own (`prepare`: a stream's rows, or a
// table's upserts and deletes; bad records handled by on_error), then the batches of one fetch are written together
// (`writeAll`) with each partition's next offset and the dead letters, so a batch is either wholly applied and never
// read again, or not at all and read again.
//
// A stream gets ONE log entry and ONE storage write for all the partitions of a fetch: per-entry costs (encoding,
// the synced write, and every continuous query decoding the entry) are paid once per fetch, not once per partition.
// A table gets one write per batch, in fetch order: its rows are replaced by key, last writer wins, and merging
// batches of different partitions would make one upsert whose order between partitions means nothing.

import type { KafkaMessage } from 'kafkajs';
import type { RecordBatch } from 'apache-arrow';
import type { StreamDef, TableDef } from '../catalog';
import type { Value } from '../types';
import type { DeadLetter } from '../../storage';
import type { RelationStore } from '../catalog';
import { concatBatches } from '../columns';
import { encodeChangeBatch } from '../codecs/change-batch';
import type { SourceProgress } from '../runtime/table-state';
import { type BadRecord, RecordDecoder } from './decode';
import type { KafkaSourceOptions } from './options';
import { type KeyedRecord, TableRecords } from './table-records';

/** Applies a batch of a keyed topic to its table, with the progress, atomically (TableState.upsert does). */
export type TableRowsHandler = (upserts: Value[][], deleteKeys: Value[][], progress: SourceProgress) => Promise<void>;

export interface WrittenBatch {
  /** The last offset consumed; null when none was (on_error = 'fail' at the first message). */
  readonly lastConsumed: string | null;
  readonly consumed: number;
  readonly deadLetters: number;
  readonly skipped: number;
  /** With on_error = 'fail': the bad record the source must stop at. */
  readonly failure: string | null;
}

type Decoded =
  | { readonly rows: RecordBatch; readonly bad: BadRecord[] }
  | { readonly upserts: Value[][]; readonly deleteKeys: Value[][]; readonly bad: BadRecord[] };

/** One partition's batch, decoded and waiting for `writeAll`; `outcome` holds once that write is durable. */
export interface PreparedBatch {
  readonly partition: number;
  /** The records taken (all, or those before the bad record on_error = 'fail' stops at). */
  readonly decoded: Decoded;
  /** The partition's position after the records taken; null when none was taken (nothing to write). */
  readonly nextPosition: string | null;
  readonly deadLetters: readonly DeadLetter[];
  readonly outcome: WrittenBatch;
}

export class SourceBatchWriter {
  private readonly stream: RecordDecoder | null = null;
  private readonly table: TableRecords | null = null;

  constructor(
    private readonly store: RelationStore,
    private readonly relationId: number,
    private readonly def: StreamDef | TableDef,
    private readonly options: KafkaSourceOptions,
    private readonly onTableRows?: TableRowsHandler,
  ) {
    if (def.kind === 'table') {
      if (!onTableRows) throw new Error(`Kafka table ${def.name} started without onTableRows`);
      this.table = new TableRecords(def, options.format);
    } else {
      this.stream = new RecordDecoder(def.columns, options.format, { arrival: true });
    }
  }

  /**
   * `batchLastOffset`: the last offset the fetch covered, which is past the last message when the batch ends with
   * records kafkajs filters out (transaction markers); a fully consumed batch moves the position past them too.
   */
  prepare(partition: number, messages: readonly KafkaMessage[], batchLastOffset: string): PreparedBatch {
    const records: KeyedRecord[] = messages.map((m) => ({ partition, offset: m.offset, value: m.value, key: m.key }));
    let take = records.length;
    let decoded = this.decode(records);
    let failure: BadRecord | null = null;
    if (this.options.onError === 'fail' && decoded.bad.length > 0) {
      // Keep what precedes the bad record; the position stops at it, so a restart meets it again.
      failure = decoded.bad[0];
      take = failure.index;
      decoded = this.decode(records.slice(0, take));
    }
    const dead = take > 0 && this.options.onError === 'dead_letter' ? decoded.bad.map((b) => this.deadLetter(b)) : [];
    const whole = take === records.length;
    const last = whole ? maxOffset(records[take - 1].offset, batchLastOffset) : take > 0 ? records[take - 1].offset : null;
    return {
      partition,
      decoded,
      nextPosition: take === 0 ? null : whole ? String(BigInt(last!) + 1n) : records[take].offset,
      deadLetters: dead,
      outcome: {
        lastConsumed: last,
        consumed: take,
        deadLetters: dead.length,
        skipped: take > 0 && this.options.onError === 'skip' ? decoded.bad.length : 0,
        failure: failure === null ? null : `bad record at partition ${failure.partition} offset ${failure.offset} of ` +
          `topic ${this.options.topic} (${failure.reason}): ${failure.error}`,
      },
    };
  }

  /** Makes the batches durable, at most one per partition (kafkajs hands a partition's next batch only after). */
  async writeAll(batches: readonly PreparedBatch[]): Promise<void> {
    const taken = batches.filter((b) => b.nextPosition !== null);
    if (taken.length === 0) return;
    if (this.stream === null) {
      for (const b of taken) await this.writeTableBatch(b);
      return;
    }
    const positions: Record<string, string> = {};
    for (const b of taken) positions[b.partition] = b.nextPosition!;
    const rows = concatBatches(this.stream.schema, taken.map((b) => ('rows' in b.decoded ? b.decoded.rows : [])).flat());
    const bytes = rows.numRows > 0 ? encodeChangeBatch({ data: rows, diffs: null }) : null;
    await this.store.appendSourceBatch(this.relationId, bytes, positions, taken.flatMap((b) => b.deadLetters));
  }

  private async writeTableBatch(b: PreparedBatch): Promise<void> {
    if (!('upserts' in b.decoded)) throw new Error('a stream batch given to a table writer');
    const progress = { positions: { [b.partition]: b.nextPosition! }, deadLetters: b.deadLetters };
    await this.onTableRows!(b.decoded.upserts, b.decoded.deleteKeys, progress);
  }

  private decode(records: KeyedRecord[]): Decoded {
    if (this.stream !== null) {
      const d = this.stream.decode(records, Date.now() * 1000);
      return { rows: d.data, bad: d.bad };
    }
    return this.table!.changes(records);
  }

  private deadLetter(b: BadRecord): DeadLetter {
    return {
      source: this.def.name, partition: b.partition, offset: b.offset, raw: b.raw, reason: b.reason, error: b.error,
      at: new Date(),
    };
  }
}

function maxOffset(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}
