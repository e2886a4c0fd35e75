// kafkajs clients as Sluice's sources and sinks use them: kafkajs's own logging routed into Sluice's log (warnings
// and errors only, each distinct message at most once a minute, since a broker outage repeats them every retry),
// short timeouts so an outage is noticed quickly, and retries that give up soon so that our own loop (which knows
// the durable positions) restarts the client with backoff instead of kafkajs restarting itself.

import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from './security';

export interface KafkaLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Timing of Kafka clients; tests shorten it. */
export interface KafkaTuning {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** kafkajs's own retries of one request before it gives up and we restart the client. */
  readonly retries: number;
  readonly initialRetryMs: number;
  /** Our restart backoff: doubles from initialRetryMs up to this. */
  readonly maxBackoffMs: number;
  /** How long a fetch waits at the broker for new messages. */
  readonly maxWaitMs: number;
  /** At most this many bytes per fetch, over all partitions (kafkajs's maxBytes). */
  readonly maxFetchBytes: number;
  /** How often consumer-group offsets are committed (informational only). */
  readonly commitIntervalMs: number;
}

export const DEFAULT_TUNING: KafkaTuning = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 10_000,
  retries: 3,
  initialRetryMs: 300,
  maxBackoffMs: 30_000,
  maxWaitMs: 500,
  maxFetchBytes: 2 << 20,
  commitIntervalMs: 5000,
};

export interface KafkaEndpoint {
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
}

export function makeKafka(endpoint: KafkaEndpoint, clientId: string, log: KafkaLog, tuning: KafkaTuning): Kafka {
  const lastLogged = new Map<string, number>();
  return new Kafka({
    clientId,
    brokers: [...endpoint.brokers],
    ...kafkajsSecurity(endpoint.security),
    connectionTimeout: tuning.connectionTimeoutMs,
    requestTimeout: tuning.requestTimeoutMs,
    retry: { retries: tuning.retries, initialRetryTime: tuning.initialRetryMs, maxRetryTime: tuning.maxBackoffMs },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const message = entry.log.message;
      const now = Date.now();
      if ((lastLogged.get(message) ?? 0) > now - 60_000) return;
      lastLogged.set(message, now);
      if (lastLogged.size > 1000) lastLogged.clear();
      log.warn(`kafkajs: ${message}`, { client: clientId, kafkajs: entry.namespace, broker: entry.log.broker });
    },
  });
}

/** The message of an error from kafkajs, with its cause (kafkajs wraps the real reason in retries errors). */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  let text = e.message;
  let cause = (e as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    if (!text.includes(cause.message)) text += `: ${cause.message}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return text;
}

/**
 * A sleep that `wake()` ends early (stopping a source or sink must not wait out a backoff; a log append wakes a
 * sink). A wake with nobody asleep is remembered, so the next sleep returns at once and no wake-up is lost.
 */
export class Sleeper {
  private wakeUp: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending = false;

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.timer = setTimeout(() => this.end(), ms);
    });
  }

  wake(): void {
    if (this.wakeUp === null) this.pending = true;
    this.end();
  }

  private end(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }
}
