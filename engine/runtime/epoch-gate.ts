// How many continuous-query epochs compute at once, and one pace for all of them. Each epoch yielded to the event
// loop between its steps, but a thousand queries woken by one append all ran at once: every turn of the loop then
// did one step of each of them, hundreds of milliseconds before a socket was read again, and one group-commit write
// took all their epochs at once. Through the gate at most a few epochs compute at a time, the others waiting in
// order; and they share one Pacer (engine/slices.ts), so together they give the loop back once their work since the
// last yield reaches its budget, rather than each epoch yielding at every step whatever the work was (a thousand
// one-row epochs then needed thousands of turns, each a wait on a loaded machine).
//
// An epoch holds its place while it reads its input, runs its operators and prepares its commit, and gives it up
// once the commit is submitted: waiting for the disk is no work, and the group commit batches the epochs submitted
// while a write is under way into the next one, so the queries still share their synced writes.

import { Pacer } from '../slices';

/** Epochs computing at once: enough to overlap one epoch's reads with another's work, few enough to keep turns short. */
export const EPOCHS_AT_ONCE = 16;

export class EpochGate {
  /** The work of every epoch is paced together. */
  readonly pacer = new Pacer();
  private inside = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly capacity: number = EPOCHS_AT_ONCE) {}

  /** Resolves when the caller may compute; it must call the returned `leave` exactly once when done. */
  async enter(): Promise<() => void> {
    if (this.inside < this.capacity) this.inside++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the leaver hands its place over
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.inside--;
    };
  }
}
