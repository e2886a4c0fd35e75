// Bounded work between yields. A Node process does one thing at a time: a loop over a whole epoch's input or a whole
// pull query would freeze every other session until it ends (a 1 M-row epoch kept `SELECT 1` waiting for seconds).
// So long loops push their input in slices of at most SLICE_ROWS rows (RecordBatch.slice is zero-copy) and, between
// slices, a Pacer gives the event loop back (a setImmediate macrotask, so sockets and timers run, not only
// microtasks) once SLICE_BUDGET_MS of work has passed since the last yield. The Pacer is also where a statement's
// cancellation is seen: a CancelRequest or a hang-up aborts the signal, and the next check throws 57014.

import type { ChangeBatch } from './batch';
import { SqlError, SQLSTATE } from './errors';

/** Rows pushed into a DAG at once: small enough that one push through the operators takes a few milliseconds. */
export const SLICE_ROWS = 16_384;

/** Work between two yields to the event loop, in milliseconds. */
const SLICE_BUDGET_MS = 5;

/** `batch` cut into consecutive slices of at most `rows` rows (views, no copies), weights cut alike. */
export function* slicesOf(batch: ChangeBatch, rows: number = SLICE_ROWS): Generator<ChangeBatch> {
  const n = batch.data.numRows;
  if (n <= rows) {
    yield batch;
    return;
  }
  for (let at = 0; at < n; at += rows) {
    const end = Math.min(n, at + rows);
    yield { data: batch.data.slice(at, end), diffs: batch.diffs === null ? null : batch.diffs.subarray(at, end) };
  }
}

/** Lets other work run: resolves in a later turn of the event loop, after pending I/O callbacks. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Paces a long loop: `between()` after each slice of work yields once the budget is spent, and sees cancellation. */
export class Pacer {
  private since = performance.now();

  /** `signal`: the statement's, aborted by a CancelRequest or a hang-up; none for work no client can cancel. */
  constructor(private readonly signal?: AbortSignal) {}

  async between(): Promise<void> {
    this.throwIfCanceled();
    if (performance.now() - this.since < SLICE_BUDGET_MS) return;
    await yieldToLoop();
    this.since = performance.now();
    this.throwIfCanceled();
  }

  private throwIfCanceled(): void {
    if (this.signal?.aborted !== true) return;
    const reason: unknown = this.signal.reason;
    throw reason instanceof SqlError ? reason : new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
  }
}
