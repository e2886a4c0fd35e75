// How long a continuous query's epochs take, as counts per bucket: what /metrics shows as a histogram. Kept by the
// query's runner as each epoch commits (the one place an epoch's duration is known), read at scrape time.

/** Upper bounds of the buckets, in seconds (Prometheus' `le`); the last, +Inf, is implied. */
export const EPOCH_DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class EpochDurations {
  /** counts[i]: epochs that took at most EPOCH_DURATION_BUCKETS[i] and more than the bound before (not cumulative). */
  private readonly counts = new Array<number>(EPOCH_DURATION_BUCKETS.length + 1).fill(0);
  private sumSeconds = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < EPOCH_DURATION_BUCKETS.length && seconds > EPOCH_DURATION_BUCKETS[i]) i++;
    this.counts[i]++;
    this.sumSeconds += seconds;
  }

  /** Cumulative counts per bucket bound (the last for +Inf, the total), and the sum of the durations. */
  snapshot(): { readonly cumulative: readonly number[]; readonly sumSeconds: number } {
    let running = 0;
    return { cumulative: this.counts.map((n) => (running += n)), sumSeconds: this.sumSeconds };
  }
}
