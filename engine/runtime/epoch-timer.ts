// When a continuous query's next epoch starts. Epochs start at a fixed rate, one per trigger interval (at once when
// the last one ran longer), so a row is picked up by an epoch that starts at most one interval after it was
// acknowledged. A query with no new input sets no timer: it waits for `inputAppended`, so a thousand idle queries
// cost nothing per interval.

export interface EpochTimerHooks {
  readonly intervalMs: number;
  /** Whether an epoch may run now (the query runs: not paused, failed or stopped). */
  canRun(): boolean;
  /** Whether an epoch has anything to do (new input, or a first epoch not yet committed). */
  hasWork(): boolean;
  /** Runs one epoch; never rejects. */
  runEpoch(): Promise<void>;
}

export class EpochTimer {
  private timer: NodeJS.Timeout | null = null;
  /** When the last epoch started, while the query waits for new input with no timer set; null otherwise. */
  private idleSince: number | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly hooks: EpochTimerHooks) {}

  /** Schedules the next epoch one interval after `lastStart` (now, by default), or waits for input. */
  schedule(lastStart = performance.now()): void {
    if (!this.hooks.canRun()) return;
    if (!this.hooks.hasWork()) {
      this.idleSince = lastStart;
      return;
    }
    const wait = Math.max(0, this.hooks.intervalMs - (performance.now() - lastStart));
    this.timer = setTimeout(() => {
      this.timer = null;
      const started = performance.now();
      this.inFlight = this.hooks.runEpoch().finally(() => {
        this.inFlight = null;
        this.schedule(started);
      });
    }, wait);
  }

  /**
   * A log the query reads has grown: a query idle for want of input starts its next epoch one trigger interval after
   * the last one started, or at once if that has passed.
   */
  inputAppended(): void {
    const since = this.idleSince;
    if (since === null) return;
    this.idleSince = null;
    this.schedule(since);
  }

  /** No more epochs until the next schedule(); resolves once the epoch in flight, if any, has ended. */
  cancel(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.idleSince = null;
    return this.inFlight ?? Promise.resolve();
  }
}
