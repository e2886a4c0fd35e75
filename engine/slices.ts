// Bounded work between yields. A Node process does one thing at a time: a loop over a whole epoch's input or a whole
// pull query would freeze every other session until it ends (a 1 M-row epoch kept `SELECT 1` waiting for seconds).
// So long loops push their input in slices of at most SLICE_ROWS rows (RecordBatch.slice is zero-copy) and, between
// slices, a Pacer gives the event loop back (a setImmediate macrotask, so sockets and timers run, not only
// microtasks) once SLICE_BUDGET_MS of work has passed in the current turn of the loop. The Pacer is also where a
// statement's cancellation is seen: a CancelRequest or a hang-up aborts the signal, and the next check throws 57014.
//
// The budget is the turn's, not one loop's: a thousand one-row epochs each well under the budget may run one after
// another in the same turn (the epoch gate hands its place over through a microtask), and only the time since the
// turn began tells when that chain must give the loop back. Measuring per turn also spares a tiny epoch the fixed
// yields it used to take, so it runs in one turn instead of three.

import type { ChangeBatch } from './batch';
import { canceledBy } from './errors';

/** Rows pushed into a DAG at once: small enough that one push through the operators takes a few milliseconds. */
export const SLICE_ROWS = 16_384;

/** Work between two yields to the event loop, in milliseconds. */
export const SLICE_BUDGET_MS = 5;

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

/**
 * When the current turn of the event loop began, as near as paced work can tell: the first check in a turn notes the
 * time and sets a timer that forgets it. The timer runs in the next turn's timers phase, before its I/O callbacks
 * and immediates (the work that yielded to get there), once a millisecond has passed, which it always has when the
 * turn ran long enough to yield; a turn shorter than that may leave its time to the next one, off by under that
 * millisecond and the wait between.
 */
let turnBegan: number | null = null;

function forgetTurn(): void {
  turnBegan = null;
}

/** Milliseconds of paced work in the current turn of the event loop. */
function turnElapsed(): number {
  const now = performance.now();
  if (turnBegan === null) {
    turnBegan = now;
    setTimeout(forgetTurn, 0).unref();
  }
  return now - turnBegan;
}

/** Data past which one step of a statement (decoding, checking, encoding or copying it) takes longer than a slice. */
const BIG_DATA_BYTES = 1 << 20;

/**
 * Between the steps of a statement over `bytes` of data: gives the event loop back when they are many, so a statement
 * with one 50 MB value takes turns with other sessions step by step instead of holding the loop through all of them.
 * By size rather than by the turn's time, because these steps often begin a turn, where the time says nothing yet.
 */
export async function yieldAfterBigStep(bytes: number, signal?: AbortSignal): Promise<void> {
  if (bytes < BIG_DATA_BYTES) return;
  await yieldToLoop();
  if (signal?.aborted === true) throw canceledBy(signal);
}

/**
 * Notes that work begins in this turn, unless some already did: the checks that follow count from here. For work done
 * before a statement's first check (reading, lexing and planning a 50 MB statement), which would otherwise go
 * unseen, the first check of a turn counting from itself.
 */
export function workBegins(): void {
  turnElapsed();
}

/** Paces a long loop: `between()` after each slice of work yields once the turn's budget is spent, and sees cancellation. */
export class Pacer {
  /** `signal`: the statement's, aborted by a CancelRequest or a hang-up; none for work no client can cancel. */
  constructor(private readonly signal?: AbortSignal) {}

  async between(): Promise<void> {
    this.throwIfCanceled();
    if (turnElapsed() < SLICE_BUDGET_MS) return;
    await yieldToLoop();
    this.throwIfCanceled();
  }

  private throwIfCanceled(): void {
    if (this.signal?.aborted === true) throw canceledBy(this.signal);
  }
}
