// A Kafka topic feeding a stream's log or a table, exactly once. Positions live only in Sluice: each fetched batch
// is decoded and written in ONE atomic storage write together with the partition's next offset (and the batch's dead
// letters), and only then does the consumer move on. On start every partition is sought to its stored position, so
// a crash between the fetch and the write reads the same messages again, and after the write never again.
// Consumer-group offset commits are made now and then for monitoring tools only; nothing reads them back, and each
// start uses a new group id (sluice-<name>-<id>-<random>).
//
// kafkajs decides where a fetch starts from its own state (group commits, rebalances, our seeks landing after its
// first fetch), so every batch is checked against the position we hold: a batch fetched from anywhere else is
// dropped and the partition sought back. That check is what the exactly-once promise rests on.
//
// The broker going away: kafkajs gives up after a few retries, the source shows 'waiting' with the error, logs it,
// and restarts its client with doubling backoff from the positions it holds; nothing is lost or read twice.

import { randomBytes } from 'node:crypto';
import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { StreamDef, TableDef } from '../catalog';
import type { RelationStore } from '../catalog';
import { DEFAULT_TUNING, type KafkaLog, type KafkaTuning, Sleeper, errorText, makeKafka } from './client';
import { type KafkaSourceOptions, kafkaSourceOptions } from './options';
import { type PreparedBatch, SourceBatchWriter, type TableRowsHandler, type WrittenBatch } from './source-batch';
import { WriteTogether } from './write-together';

export type { TableRowsHandler } from './source-batch';

export type KafkaSourceState = 'running' | 'waiting' | 'failed';

export interface KafkaSourceStatus {
  /** running: consuming · waiting: the broker is unreachable (or not yet reached), retrying · failed: stopped. */
  readonly state: KafkaSourceState;
  readonly lastError: string | null;
  /** Messages in the topic not yet read, summed over partitions (as of the last fetch). */
  readonly lag: number;
  /** Messages consumed since start (good and bad). */
  readonly messages: number;
  /** Bad records written to sluice.dead_letters since start. */
  readonly deadLetters: number;
  /** Bad records dropped since start (on_error = 'skip'). */
  readonly skipped: number;
}

export interface StartKafkaSourceOptions {
  readonly store: RelationStore;
  readonly relationId: number;
  readonly def: StreamDef | TableDef;
  readonly log: KafkaLog;
  /** Required for a table. */
  readonly onTableRows?: TableRowsHandler;
  readonly tuning?: Partial<KafkaTuning>;
}

export interface KafkaSource {
  status(): KafkaSourceStatus;
  /** Stops consuming; a batch being written finishes first. Idempotent. */
  stop(): Promise<void>;
}

/** Starts consuming at once; options are checked first (SqlError 22023 / 0A000 when they are wrong). */
export function startKafkaSource(opts: StartKafkaSourceOptions): KafkaSource {
  const source = new KafkaSourceRunner(opts, kafkaSourceOptions(opts.def));
  source.start();
  return source;
}

class KafkaSourceRunner implements KafkaSource {
  private state: KafkaSourceState = 'waiting';
  private lastError: string | null = null;
  private messages = 0;
  private deadLetters = 0;
  private skipped = 0;
  /** The next offset to read per partition: always one that is durable in the store. */
  private readonly next = new Map<number, bigint>();
  private readonly high = new Map<number, bigint>();
  private readonly tuning: KafkaTuning;
  private readonly writer: SourceBatchWriter;
  private readonly writes: WriteTogether<PreparedBatch>;
  private readonly sleeper = new Sleeper();
  private consumer: Consumer | null = null;
  private endRun: ((error?: unknown) => void) | null = null;
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private backoffMs: number;
  private lastCommitMs = 0;
  /**
   * New at every start: the group only serves the informational commits, and a fresh group never waits for the
   * session of a crashed predecessor's member to expire (seconds to half a minute) before it gets its partitions.
   */
  private readonly groupId: string;

  constructor(private readonly opts: StartKafkaSourceOptions, private readonly options: KafkaSourceOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.backoffMs = this.tuning.initialRetryMs;
    this.groupId = `sluice-${opts.def.name}-${opts.relationId}-${randomBytes(4).toString('hex')}`;
    this.writer = new SourceBatchWriter(opts.store, opts.relationId, opts.def, options, opts.onTableRows);
    this.writes = new WriteTogether((batches) => this.writer.writeAll(batches));
    for (const [p, offset] of Object.entries(opts.store.sourcePositions(opts.relationId))) {
      this.next.set(Number(p), BigInt(offset));
    }
  }

  status(): KafkaSourceStatus {
    let lag = 0n;
    for (const [p, high] of this.high) {
      const at = this.next.get(p) ?? high;
      if (high > at) lag += high - at;
    }
    return {
      state: this.state, lastError: this.lastError, lag: Number(lag), messages: this.messages,
      deadLetters: this.deadLetters, skipped: this.skipped,
    };
  }

  start(): void {
    this.loop = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    this.endRun?.();
    await this.loop;
  }

  // --- the client's lifecycle -------------------------------------------------------------------------------------

  /** Runs the consumer, restarting it with backoff after each failure, until stopped or failed. Never rejects. */
  private async supervise(): Promise<void> {
    while (!this.stopping && !this.failed()) {
      let failure: unknown = null;
      try {
        await this.runOnce();
      } catch (e) {
        failure = e;
      }
      await this.closeConsumer();
      if (this.stopping || this.failed() || failure === null) break;
      const error = errorText(failure);
      // Once per outage (and when the reason changes), not at every retry.
      if (this.state !== 'waiting' || this.lastError !== error) {
        this.opts.log.warn('Kafka source waiting for the broker', {
          relation: this.opts.def.name, topic: this.options.topic, error, retryInMs: this.backoffMs,
        });
      }
      this.state = 'waiting';
      this.lastError = error;
      await this.sleeper.sleep(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.tuning.maxBackoffMs);
    }
  }

  /** One client: resolves when stopped or failed, rejects when the broker fails us. */
  private async runOnce(): Promise<void> {
    const kafka = makeKafka(this.options.brokers, `sluice-${this.opts.def.name}`, this.opts.log, this.tuning);
    await this.resolvePositions(kafka);
    if (this.stopping) return;
    const ended = new Promise<void>((resolve, reject) => {
      this.endRun = (e?: unknown) => (e === undefined ? resolve() : reject(e));
    });
    // Awaited below, unless connecting fails first and a late crash event rejects it with nobody listening.
    ended.catch(() => undefined);
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(this.tuning.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: this.tuning.maxWaitMs,
      // One fetch is decoded in one turn of the event loop (its batches are written together): bounded so that
      // other sessions never wait long for it.
      maxBytes: this.tuning.maxFetchBytes,
      // Our loop restarts the client, from our positions.
      retry: { retries: this.tuning.retries, initialRetryTime: this.tuning.initialRetryMs, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (ev) => {
      if (this.consumer === consumer) this.endRun?.(ev.payload.error ?? new Error('the Kafka consumer crashed'));
    });
    // A fetch of nothing but records kafkajs filters out (transaction markers, aborted messages) never reaches
    // eachBatch, yet kafkajs moves past it: so do we, or the next batch would look fetched from the wrong place.
    consumer.on(consumer.events.END_BATCH_PROCESS, (ev) => {
      const { partition, batchSize, firstOffset, lastOffset } = ev.payload;
      const at = this.next.get(partition);
      if (batchSize !== 0 || firstOffset === null || at === undefined) return;
      if (BigInt(firstOffset) <= at && at <= BigInt(lastOffset)) this.next.set(partition, BigInt(lastOffset) + 1n);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.state === 'failed') return;
      if (this.state === 'waiting' && this.lastError !== null) {
        this.opts.log.info('Kafka source resumed', { relation: this.opts.def.name, topic: this.options.topic });
      }
      this.state = 'running';
      this.backoffMs = this.tuning.initialRetryMs;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: this.options.start === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch of a fetch at once, so that they are written together (write-together.ts); kafkajs
      // still hands a partition's batches over one after the other, so each partition is read in order.
      partitionsConsumedConcurrently: Math.max(1, this.high.size),
      eachBatch: (payload) => this.onBatch(payload),
    });
    for (const [partition, offset] of this.next) {
      consumer.seek({ topic: this.options.topic, partition, offset: offset.toString() });
    }
    await ended;
  }

  private async closeConsumer(): Promise<void> {
    this.endRun = null;
    const c = this.consumer;
    this.consumer = null;
    if (c !== null) await c.disconnect().catch(() => undefined);
  }

  /**
   * Reads each partition's first and next offset. A partition we hold no position for starts at `start`, and that
   * position is stored at once, so `latest` means the end of the topic when the source was first started, not at
   * every restart.
   */
  private async resolvePositions(kafka: Kafka): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.options.topic);
      const fresh: Record<string, string> = {};
      for (const o of offsets) {
        const low = BigInt(o.low);
        const high = BigInt(o.high);
        this.high.set(o.partition, high);
        const at = this.next.get(o.partition);
        if (at === undefined) {
          fresh[o.partition] = String(this.options.start === 'earliest' ? low : high);
        } else if (at < low) {
          this.opts.log.error('Kafka messages were deleted before Sluice read them', {
            relation: this.opts.def.name, topic: this.options.topic, partition: o.partition, position: String(at),
            firstAvailable: String(low), lost: String(low - at),
          });
          fresh[o.partition] = String(low);
        } else if (at > high) {
          throw new Error(`partition ${o.partition} of topic ${this.options.topic} ends at offset ${high}, before the ` +
            `position ${at} Sluice has read up to: the topic was re-created or the broker lost messages`);
        }
      }
      if (Object.keys(fresh).length > 0) {
        await this.opts.store.appendSourceBatch(this.opts.relationId, null, fresh);
        for (const [p, offset] of Object.entries(fresh)) this.next.set(Number(p), BigInt(offset));
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  // --- batches ------------------------------------------------------------------------------------------------------

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.stopping || this.state === 'failed' || !payload.isRunning() || payload.isStale()) return;
    const partition = batch.partition;
    const fetched = BigInt((batch as Batch & { fetchedOffset: string }).fetchedOffset);
    let expected = this.next.get(partition);
    if (expected === undefined) {
      // A partition added to the topic while we run: it starts where the consumer started it.
      expected = fetched;
      this.next.set(partition, fetched);
    }
    if (fetched !== expected) {
      this.consumer?.seek({ topic: this.options.topic, partition, offset: expected.toString() });
      return;
    }
    this.high.set(partition, BigInt(batch.highWatermark));
    const messages = batch.messages;
    if (messages.length === 0) return;
    let written: WrittenBatch;
    try {
      const prepared = this.writer.prepare(partition, messages, batch.lastOffset());
      await this.writes.add(prepared);
      written = prepared.outcome;
    } catch (e) {
      this.fail(`Kafka source of ${this.opts.def.name} stopped: ${errorText(e)}`);
      return;
    }
    this.messages += written.consumed;
    this.deadLetters += written.deadLetters;
    this.skipped += written.skipped;
    if (written.lastConsumed !== null) {
      this.next.set(partition, BigInt(written.lastConsumed) + 1n);
      payload.resolveOffset(written.lastConsumed);
    }
    if (written.failure !== null) {
      this.fail(written.failure);
      return;
    }
    if (this.state === 'waiting') this.state = 'running';
    await this.commitInformational(payload);
  }

  /** Group offsets for monitoring tools, now and then; a failure here changes nothing. */
  private async commitInformational(payload: EachBatchPayload): Promise<void> {
    const now = Date.now();
    if (now - this.lastCommitMs < this.tuning.commitIntervalMs) return;
    this.lastCommitMs = now;
    const partitions = [...this.next].map(([p, o]) => ({ partition: p, offset: o.toString() }));
    await payload.commitOffsetsIfNecessary({ topics: [{ topic: this.options.topic, partitions }] }).catch(() => undefined);
  }

  private failed(): boolean {
    return this.state === 'failed';
  }

  private fail(message: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.lastError = message;
    this.opts.log.error('Kafka source failed', { relation: this.opts.def.name, topic: this.options.topic, error: message });
    // Ends the run; the supervisor disconnects once this batch handler has returned.
    this.endRun?.();
  }
}
