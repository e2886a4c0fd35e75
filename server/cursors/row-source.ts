// Where a cursor's rows come from. A cursor only ever reads forward, so a source needs no more than "the next n
// rows": a SELECT's rows, materialized when the cursor is declared, or a subscription's (subscription-rows.ts), whose
// rows arrive as epochs commit and may have to be waited for. FETCH and MOVE speak to this interface only. Each
// source accounts the rows it holds in the server's cursor memory (memory.ts) itself, from the moment it takes them
// in until it lets them go: a SELECT's all at once, a subscription's a group at a time.

import type { Value } from '../../engine/types';
import { estimateRowsBytes, type CursorMemory } from './memory';

export type Row = readonly Value[];

export interface TakeOptions {
  /**
   * How long to wait for rows that have not arrived yet: undefined waits until `n` rows or the end (plain FETCH n),
   * a number of milliseconds returns what arrived by then, possibly nothing (FETCH ... WITH (timeout = ...)).
   */
  readonly timeoutMs?: number;
  /** Aborted by a CancelRequest: a waiting take rejects with the signal's reason (57014). */
  readonly signal: AbortSignal;
}

export interface CursorRowSource {
  /** Up to `n` rows (Infinity: all there will be); fewer only at the end of the rows or when the timeout passes. */
  take(n: number, options: TakeOptions): Promise<Row[]>;
  /** True once every row has been taken and no more will come. */
  readonly exhausted: boolean;
  /** Lets go of whatever the source holds (rows and their memory, a subscription); taking after close is a bug. */
  close(): void;
}

/** A query's rows, computed once when the cursor was declared: taking never waits. */
export class MaterializedRows implements CursorRowSource {
  private next = 0;
  private rows: readonly Row[] | null;
  private readonly heldBytes: number;

  /** Throws 53200 (holding nothing) when the rows do not fit in the cursor memory. */
  constructor(rows: readonly Row[], private readonly memory: CursorMemory) {
    this.heldBytes = estimateRowsBytes(rows);
    memory.reserve(this.heldBytes);
    this.rows = rows;
  }

  get exhausted(): boolean {
    return this.rows === null || this.next >= this.rows.length;
  }

  async take(n: number): Promise<Row[]> {
    if (this.rows === null) throw new Error('rows taken from a closed cursor');
    const to = Math.min(this.rows.length, this.next + n);
    const taken = this.rows.slice(this.next, to);
    this.next = to;
    return taken;
  }

  close(): void {
    if (this.rows === null) return;
    this.rows = null;
    this.memory.release(this.heldBytes);
  }
}
