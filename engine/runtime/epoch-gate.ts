// How many continuous-query epochs compute at once. Each epoch yields to the event loop between its steps, but a
// thousand queries woken by one append all ran at once: every turn of the loop then did one step of each of them,
// hundreds of milliseconds before a socket was read again, and one group-commit write took all their epochs at once.
// Through the gate at most a few epochs compute at a time, so a turn does a few steps; the others wait in order.
//
// An epoch holds its place while it reads its input, runs its operators and prepares its commit, and gives it up
// once the commit is submitted: waiting for the disk is no work, and the group commit batches the epochs submitted
// while a write is under way into the next one, so the queries still share their synced writes.

/** Epochs computing at once: enough to overlap one epoch's reads with another's work, few enough to keep turns short. */
export const EPOCHS_AT_ONCE = 4;

export class EpochGate {
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
