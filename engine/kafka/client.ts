// The Kafka client as Sluice's sources and sinks use it: the small interface KafkaClient, which is all that
// source.ts and sink.ts know of the client library. Today's library is kafkajs (here, in partition-reader.ts and in
// codecs.ts, and nowhere else); moving to another (docs/kafka.md says which) means implementing KafkaClient again.
//
// The kafkajs clients: kafkajs's own logging routed into Sluice's log (warnings and errors only, each distinct
// message at most once a minute, since a broker outage repeats them every retry), short timeouts so an outage is
// noticed quickly, and retries that give up soon so that our own loop (which knows the durable positions) restarts
// the client with backoff instead of kafkajs restarting itself.

import { Kafka, logLevel, Partitioners, type LogEntry } from 'kafkajs';
import { compressionType, registerCodecs, type SinkCompression } from './codecs';
import { kafkajsSecurity, type KafkaSecurity } from './security';
import { PartitionReader } from './partition-reader';
import type { SinkMessage } from './sink-encode';

registerCodecs();

/** One message as a source reads it; offsets are 64-bit, so text. */
export interface FetchedMessage {
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
}

/** One partition of a fetch. */
export interface FetchedPartition {
  readonly partition: number;
  readonly messages: readonly FetchedMessage[];
  /** The last offset the fetch covered (past the last message when it ends with transaction markers). */
  readonly lastOffset: string;
  readonly highWatermark: string;
  /** Nothing but records the client filters out (markers, aborted messages): the position moves past them. */
  readonly onlyFiltered: boolean;
}

export interface FetchLimits {
  /** How long a fetch waits at the broker for new messages. */
  readonly maxWaitMs: number;
  /** At most this many bytes per fetch, over all partitions. */
  readonly maxBytes: number;
}

/** Reads every partition of one topic from positions the caller holds, in no consumer group. */
export interface TopicReader {
  /** The topic's partitions, as of the latest metadata. */
  partitions(): Promise<number[]>;
  /** One fetch of every partition in `positions`, all partitions at once. */
  fetch(positions: ReadonlyMap<number, bigint>, limits: FetchLimits): Promise<FetchedPartition[]>;
  /** Records the positions as the group's committed offsets (for monitoring tools; the group has no members). */
  commitOffsets(groupId: string, positions: ReadonlyMap<number, bigint>): Promise<void>;
  close(): Promise<void>;
}

export interface TopicOffsets {
  readonly partition: number;
  /** The first offset still in the partition. */
  readonly low: bigint;
  /** The offset the next message will get. */
  readonly high: bigint;
}

export interface KafkaProducer {
  /** Sends in order and resolves once every in-sync replica has acknowledged every message. */
  send(topic: string, messages: readonly SinkMessage[], compression: SinkCompression): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaClient {
  topicOffsets(topic: string): Promise<TopicOffsets[]>;
  openReader(topic: string): Promise<TopicReader>;
  /** A connected producer; a key's messages always go to the same partition. */
  connectProducer(): Promise<KafkaProducer>;
}

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
}

export const DEFAULT_TUNING: KafkaTuning = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 10_000,
  retries: 3,
  initialRetryMs: 300,
  maxBackoffMs: 30_000,
  maxWaitMs: 500,
  maxFetchBytes: 2 << 20,
};

/** Where a source or sink connects (its options). */
export interface KafkaEndpoint {
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
}

export function kafkaClient(endpoint: KafkaEndpoint, clientId: string, log: KafkaLog, tuning: KafkaTuning): KafkaClient {
  const kafka = makeKafka(endpoint, clientId, log, tuning);
  return {
    async topicOffsets(topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    openReader: (topic) => PartitionReader.open(kafka, topic),
    async connectProducer() {
      const producer = kafka.producer({
        allowAutoTopicCreation: true,
        idempotent: false,
        // One request in flight keeps a key's messages in order through kafkajs's retries.
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return {
        async send(topic, messages, compression) {
          await producer.send({ topic, acks: -1, messages: [...messages], compression: compressionType(compression) });
        },
        close: () => producer.disconnect(),
      };
    },
  };
}

function makeKafka(endpoint: KafkaEndpoint, clientId: string, log: KafkaLog, tuning: KafkaTuning): Kafka {
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
