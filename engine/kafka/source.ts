// A Kafka topic feeding a stream's log or a table, exactly once. Positions live only in Sluice: each fetch is
// decoded and written in ONE atomic storage write together with the partitions' next offsets (and the dead letters),
// and only then does the source fetch again, from those offsets. No consumer group is involved
// (partition-reader.ts): the source reads every partition of the topic from the positions it holds, so a crash
// between a fetch and its write reads the same messages again, and after the write never again. The positions are
// also committed now and then as the offsets of group sluice-<name>-<id>, for monitoring tools only; nothing reads
// them back.
//
// The broker going away: kafkajs gives up after a few retries, the source shows 'waiting' with the error, logs it,
// and restarts its client with doubling backoff from the positions it holds; nothing is lost or read twice.

import type { Kafka } from 'kafkajs';
import type { StreamDef, TableDef } from '../catalog';
import type { RelationStore } from '../catalog';
import { DEFAULT_TUNING, type KafkaLog, type KafkaTuning, Sleeper, errorText, makeKafka } from './client';
import { type KafkaSourceOptions, kafkaSourceOptions } from './options';
import { type FetchedPartition, PartitionReader } from './partition-reader';
import { SourceBatchWriter, type TableRowsHandler, type WrittenBatch } from './source-batch';

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
  /** Told how many rows each write made durable in a stream (the server's count, StreamRowCounts). */
  readonly onStreamRows?: (rows: number) => void;
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
  private readonly sleeper = new Sleeper();
  private stopping = false;
  /** Resolves when stop() is called: a fetch waiting at the broker is not waited for. */
  private readonly stopped: Promise<void>;
  private wakeStopped: () => void = () => undefined;
  /** The storage write in progress (a fetch's, or new partitions' positions), which stop() lets finish. */
  private writing: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> = Promise.resolve();
  private backoffMs: number;
  private lastCommitMs = 0;
  /** The group whose offsets show the positions to monitoring tools; it never has members. */
  private readonly groupId: string;

  constructor(private readonly opts: StartKafkaSourceOptions, private readonly options: KafkaSourceOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.backoffMs = this.tuning.initialRetryMs;
    this.groupId = `sluice-${opts.def.name}-${opts.relationId}`;
    this.writer = new SourceBatchWriter(opts.store, opts.relationId, opts.def, options, opts.onTableRows, opts.onStreamRows);
    this.stopped = new Promise((resolve) => (this.wakeStopped = resolve));
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
    this.wakeStopped();
    await this.loop;
  }

  // --- the client's lifecycle -------------------------------------------------------------------------------------

  /** Runs the reader, restarting it with backoff after each failure, until stopped or failed. Never rejects. */
  private async supervise(): Promise<void> {
    while (!this.stopping && !this.failed()) {
      let failure: unknown = null;
      try {
        await this.runOnce();
      } catch (e) {
        failure = e;
      }
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
    const kafka = makeKafka(this.options, `sluice-${this.opts.def.name}`, this.opts.log, this.tuning);
    await this.resolvePositions(kafka);
    if (this.stopping) return;
    const reader = await PartitionReader.open(kafka, this.options.topic);
    try {
      const reading = this.read(kafka, reader);
      // Awaited below, unless stop() comes first; its end (a closed connection, most likely) matters no more then.
      reading.catch(() => undefined);
      await Promise.race([reading, this.stopped]);
    } finally {
      await this.writing.catch(() => undefined);
      await reader.close();
    }
  }

  /** Fetches and writes, one fetch at a time, until stopped or failed; rejects when the broker fails us. */
  private async read(kafka: Kafka, reader: PartitionReader): Promise<void> {
    const limits = { maxWaitMs: this.tuning.maxWaitMs, maxBytes: this.tuning.maxFetchBytes };
    while (!this.stopping && !this.failed()) {
      // A partition added to the topic while we run starts where `start` says, as at a first start.
      if ((await reader.partitions()).some((p) => !this.next.has(p))) {
        this.writing = this.resolvePositions(kafka);
        await this.writing;
      }
      const fetched = await reader.fetch(this.next, limits);
      if (this.stopping || this.failed()) return;
      this.reached();
      // Every partition holds the watermark back before the fetch's rows are written, and a fetch returns within
      // maxWaitMs even when nothing came: often enough to notice an idle partition.
      this.writing = this.writer.tick([...this.next.keys()])
        .catch((e) => this.fail(`Kafka source of ${this.opts.def.name} stopped: ${errorText(e)}`));
      await this.writing;
      if (this.failed()) return;
      this.writing = this.consume(fetched);
      await this.writing;
      await this.commitInformational(reader);
    }
  }

  /** The broker answered: the source runs (again). */
  private reached(): void {
    if (this.state !== 'waiting') return;
    if (this.lastError !== null) {
      this.opts.log.info('Kafka source resumed', { relation: this.opts.def.name, topic: this.options.topic });
    }
    this.state = 'running';
    this.backoffMs = this.tuning.initialRetryMs;
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

  /** Makes one fetch durable, then moves the positions past what it consumed. */
  private async consume(fetched: readonly FetchedPartition[]): Promise<void> {
    for (const f of fetched) {
      this.high.set(f.partition, BigInt(f.highWatermark));
      // Nothing but transaction markers or aborted messages: nothing to write, but the next fetch starts after them.
      if (f.onlyFiltered) this.next.set(f.partition, BigInt(f.lastOffset) + 1n);
    }
    const batches = fetched.filter((f) => f.messages.length > 0);
    if (batches.length === 0) return;
    let written: WrittenBatch[];
    try {
      written = await this.writer.write(batches);
    } catch (e) {
      this.fail(`Kafka source of ${this.opts.def.name} stopped: ${errorText(e)}`);
      return;
    }
    batches.forEach((b, i) => {
      const w = written[i];
      this.messages += w.consumed;
      this.deadLetters += w.deadLetters;
      this.skipped += w.skipped;
      if (w.lastConsumed !== null) this.next.set(b.partition, BigInt(w.lastConsumed) + 1n);
    });
    const failure = written.find((w) => w.failure !== null);
    if (failure !== undefined) this.fail(failure.failure!);
  }

  /** Group offsets for monitoring tools, now and then; a failure here changes nothing. */
  private async commitInformational(reader: PartitionReader): Promise<void> {
    const now = Date.now();
    if (now - this.lastCommitMs < this.tuning.commitIntervalMs) return;
    this.lastCommitMs = now;
    await reader.commitOffsets(this.groupId, this.next).catch(() => undefined);
  }

  private failed(): boolean {
    return this.state === 'failed';
  }

  private fail(message: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.lastError = message;
    this.opts.log.error('Kafka source failed', { relation: this.opts.def.name, topic: this.options.topic, error: message });
  }
}
