// One fetched batch of one partition, made durable: decoded (a stream's rows, or a table's upserts and deletes),
// bad records handled by on_error, and written in ONE storage write with the partition's next offset and the dead
// letters, so the batch is either wholly applied and never read again, or not at all and read again.

import type { KafkaMessage } from 'kafkajs';
import type { RecordBatch } from 'apache-arrow';
import type { StreamDef, TableDef } from '../catalog';
import type { Value } from '../types';
import type { DeadLetter, SourcePositions } from '../../storage';
import type { RelationStore } from '../catalog';
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
  async write(partition: number, messages: readonly KafkaMessage[], batchLastOffset: string): Promise<WrittenBatch> {
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
    const dead = this.options.onError === 'dead_letter' ? decoded.bad.map((b) => this.deadLetter(b)) : [];
    const whole = take === records.length;
    const last = whole ? maxOffset(records[take - 1].offset, batchLastOffset) : take > 0 ? records[take - 1].offset : null;
    if (take > 0) {
      const positions: SourcePositions = { [partition]: whole ? String(BigInt(last!) + 1n) : records[take].offset };
      if ('rows' in decoded) {
        const bytes = decoded.rows.numRows > 0 ? encodeChangeBatch({ data: decoded.rows, diffs: null }) : null;
        await this.store.appendSourceBatch(this.relationId, bytes, positions, dead);
      } else {
        await this.onTableRows!(decoded.upserts, decoded.deleteKeys, { positions, deadLetters: dead });
      }
    }
    return {
      lastConsumed: last,
      consumed: take,
      deadLetters: take > 0 ? dead.length : 0,
      skipped: take > 0 && this.options.onError === 'skip' ? decoded.bad.length : 0,
      failure: failure === null ? null : `bad record at partition ${failure.partition} offset ${failure.offset} of topic ` +
        `${this.options.topic} (${failure.reason}): ${failure.error}`,
    };
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
