// A stream's `retention` is how long its change log keeps an entry after it arrived: SELECT shows the rows of that
// time, and SUBSCRIBE ... WITH (from_epoch = N) can resume within it. An entry older than the retention goes once
// every reader has consumed it (stream-trimmer.ts); this file says which entries are that old.
//
// Entries are appended in arrival order, so the expired ones are a prefix of the log: a walk from the oldest entry
// stops at the first one still within retention. Every row of an entry carries the same `_arrival` (commit.ts gives
// a write its commit time, a staged COPY the time its first batch arrived, a Kafka batch the time it was read), so
// the first part of an entry says when all of it arrived: a big COPY's other chunks are never read. The log itself
// is the record of arrival times, so after a restart nothing needs rebuilding; the newest arrival found is kept per
// stream, and an entry is read once while it waits to expire, not on every trim.

import type { RelationStore, StreamDef } from '../catalog';
import { decodeChangeBatch } from '../codecs/change-batch';
import { columnData, int32View, readI64 } from '../columns';
import { parseValue } from '../text';
import { T, type Interval } from '../types';
import { intervalSortKey } from '../values/interval';

/** How many entries one step of the walk reads at most: a big log expires over several steps, not in one turn. */
const STEP_ENTRIES = 256;

/** A stream's retention in microseconds (a month counts as 30 days, as PostgreSQL compares intervals); null: none. */
export function retentionMicros(def: StreamDef): number | null {
  const retention = def.options.retention;
  return retention ? intervalSortKey(parseValue(retention, T.interval) as Interval) : null;
}

/**
 * How often a stream with retention is looked at while nothing else asks: a tenth of its retention, so an entry
 * outlives it by at most about 10%, between 10 ms and a minute.
 */
export function retentionCheckMs(retention: number): number {
  return Math.min(60_000, Math.max(10, Math.round(retention / 10_000)));
}

/** The end of a walk over the oldest entries: the last one past retention (or first - 1), and whether to walk on. */
export interface ExpiredEntries {
  readonly upTo: bigint;
  /** The walk stopped at its step bound with every entry read past retention: the next step may find more. */
  readonly more: boolean;
}

export class StreamRetention {
  /** Stream id → the oldest entry found still within retention, and when it arrived. */
  private readonly oldestKept = new Map<number, { readonly seq: bigint; readonly arrival: number }>();

  constructor(private readonly store: RelationStore) {}

  /**
   * The last entry of stream `id`, from `first` up to `upTo`, whose rows arrived before `cutoff` (microseconds since
   * the epoch); `arrivalColumn` is the index of its `_arrival` column.
   */
  async expiredUpTo(id: number, arrivalColumn: number, first: bigint, upTo: bigint, cutoff: number): Promise<ExpiredEntries> {
    let seq = first;
    for (let read = 0; seq <= upTo; seq++) {
      const known = this.oldestKept.get(id);
      if (known?.seq === seq && known.arrival >= cutoff) return { upTo: seq - 1n, more: false };
      if (known?.seq !== seq) {
        if (read === STEP_ENTRIES) return { upTo: seq - 1n, more: true };
        read++;
        const arrival = await this.arrivalOf(id, seq, arrivalColumn);
        if (arrival >= cutoff) {
          this.oldestKept.set(id, { seq, arrival });
          return { upTo: seq - 1n, more: false };
        }
      }
    }
    return { upTo: seq - 1n, more: false };
  }

  /** A stream was dropped. */
  forget(id: number): void {
    this.oldestKept.delete(id);
  }

  /** When entry `seq` arrived: the newest `_arrival` of its first part; -Infinity for an entry without rows. */
  private async arrivalOf(id: number, seq: bigint, arrivalColumn: number): Promise<number> {
    for await (const part of this.store.readLog(id, seq - 1n, seq)) {
      const data = decodeChangeBatch(part.bytes).data;
      const arrivals = int32View(columnData(data, arrivalColumn).values as BigInt64Array);
      let newest = -Infinity;
      for (let i = 0; i < data.numRows; i++) newest = Math.max(newest, readI64(arrivals, i));
      return newest; // leaving the loop ends the read: a staged entry's other chunks are not fetched
    }
    return -Infinity;
  }
}
