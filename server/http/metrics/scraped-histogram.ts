// A histogram whose bucket counts are kept elsewhere (a query's epoch durations, engine/runtime/epoch-durations.ts)
// and read when Prometheus scrapes. prom-client's Histogram only counts what is observed through it, so this is a
// metric of the shape its Registry reads (name, help, type, get()) and prom-client still writes the text format.

import type { Metric } from 'prom-client';

export interface HistogramSample {
  readonly labels: Readonly<Record<string, string>>;
  /** Upper bounds of the buckets, without +Inf. */
  readonly bounds: readonly number[];
  /** Cumulative counts: one per bound, then the +Inf bucket (the total count). */
  readonly cumulative: readonly number[];
  readonly sum: number;
}

export function scrapedHistogram(name: string, help: string, samples: () => readonly HistogramSample[]): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name, help, type: 'histogram', aggregator: 'sum',
      values: samples().flatMap((s) => [
        ...s.cumulative.map((count, i) => ({
          metricName: `${name}_bucket`,
          labels: { ...s.labels, le: i < s.bounds.length ? s.bounds[i] : '+Inf' },
          value: count,
        })),
        { metricName: `${name}_sum`, labels: s.labels, value: s.sum },
        { metricName: `${name}_count`, labels: s.labels, value: s.cumulative[s.cumulative.length - 1] },
      ]),
    }),
  };
  // The Registry's type names prom-client's own classes; at run time it reads only these fields and get().
  return metric as unknown as Metric;
}
