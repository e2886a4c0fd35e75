// Liveness as another session sees it: a connection of its own sends `SELECT 1` every 10 ms (the next one 10 ms
// after the previous was sent, or at once if it took longer) and keeps each round trip's latency under the phase
// that was current when it was sent. A server whose event loop is blocked shows it here as one long round trip.

import type { Client } from 'pg';
import { nowMs, percentile, sleep } from './stats';

const EVERY_MS = 10;

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export class Pinger {
  private phase: string | null = null;
  private readonly samples = new Map<string, number[]>();
  private running = true;
  private failure: unknown = null;
  private readonly loop: Promise<void>;

  constructor(private readonly client: Client) {
    this.loop = this.run().catch((e: unknown) => {
      this.failure = e;
    });
  }

  /** Round trips sent from now on count under `phase` (null: counted nowhere). */
  enter(phase: string | null): void {
    this.phase = phase;
  }

  /** Stops after the round trip in flight; throws if a round trip failed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.failure !== null) throw this.failure;
  }

  summary(phase: string): LatencySummary {
    const s = this.samples.get(phase) ?? [];
    return { samples: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s.length ? Math.max(...s) : null };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const phase = this.phase;
      const sent = nowMs();
      await this.client.query('SELECT 1');
      const latency = nowMs() - sent;
      if (phase !== null) {
        let list = this.samples.get(phase);
        if (!list) this.samples.set(phase, (list = []));
        list.push(latency);
      }
      if (latency < EVERY_MS) await sleep(EVERY_MS - latency);
    }
  }
}
