// A Kafka topic feeding a stream's log or a table, exactly once. Positions live only in Sluice: each fetch is
// decoded and written in ONE atomic storage write together with the partitions' next offsets (and the dead letters),
// and only then does the source fetch again, from those offsets. No consumer group is involved
// (partition-reader.ts): the source reads every partition of the topic from the positions it holds, so a crash
// between a fetch and its write reads the same messages again, and after the write never again. After each durable
// write the positions are also committed as the offsets of the group sluice-<name> (the same group at every start, so
// a monitoring tool's lag of that group follows the source across restarts), for monitoring only: nothing reads them
// back, and a failed commit changes nothing. One fetch asks every partition at once (one request per leader broker,
// the brokers' requests in parallel), so partitions are consumed concurrently.
//
// The broker going away: kafkajs gives up after a few retries, the source shows 'waiting' with the error, logs it,
// and restarts its client with doubling backoff from the positions it holds; nothing is lost or read twice.

import type { StreamDef, TableDef } from '../catalog';
import type { RelationStore } from '../catalog';
import {
  DEFAULT_TUNING, type FetchedPartition, type KafkaClient, type KafkaLog, type KafkaTuning, Sleeper, type TopicReader,
  errorText, kafkaClient,
} from './client';
import { type KafkaSourceOptions, kafkaSourceOptions } from './options';
import { SourceBatchWriter, type TableRowsHandler, type WrittenBatch } from './source-batch';
import { ConnectorHealth, type ConnectorState } from '../connectors/health';

export type { TableRowsHandler } from './source-batch';

export interface KafkaSourceStatus {
  /** running: consuming · waiting: the broker is unreachable (or not yet reached), retrying · failed: stopped. */
  readonly state: ConnectorState;
  readonly lastError: string | null;
  /** Messages in the topic not yet read, summed over partitions (as of the last fetch). */
  readonly lag: number;
  /** Messages consumed since start (good and bad). */
  readonly messages: number;
  /** Bad records written to sluice.dead_letters since start. */
  readonly deadLetters: number;
  /** Bad records dropped since start (on_error = 'skip'). */
  readonly skipped: number;
  /** The next offset to read of each partition, durable in the store: `partition:offset`, by partition. */
  readonly position: string | null;
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
  private readonly health: ConnectorHealth;
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
  /** The group whose offsets show the positions to monitoring tools; it never has members. */
  private readonly groupId: string;
  /** The positions last handed to the group, and the commit in flight (at most one; a later one carries more). */
  private committedKey = '';
  private committing: Promise<void> | null = null;

  constructor(private readonly opts: StartKafkaSourceOptions, private readonly options: KafkaSourceOptions) {
    this.health = new ConnectorHealth(opts.log, 'Kafka source', { relation: opts.def.name, topic: options.topic },
      'Kafka source waiting for the broker');
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.backoffMs = this.tuning.initialRetryMs;
    this.groupId = `sluice-${opts.def.name}`;
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
      state: this.health.state, lastError: this.health.lastError, lag: Number(lag), messages: this.messages,
      deadLetters: this.deadLetters, skipped: this.skipped, position: this.positionText(),
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
    while (!this.stopping && !this.health.failed) {
      let failure: unknown = null;
      try {
        await this.runOnce();
      } catch (e) {
        failure = e;
      }
      if (this.stopping || this.health.failed || failure === null) break;
      const error = errorText(failure);
      this.health.waiting(error, this.backoffMs);
      await this.sleeper.sleep(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.tuning.maxBackoffMs);
    }
  }

  /** One client: resolves when stopped or failed, rejects when the broker fails us. */
  private async runOnce(): Promise<void> {
    const client = kafkaClient(this.options, `sluice-${this.opts.def.name}`, this.opts.log, this.tuning);
    await this.resolvePositions(client);
    if (this.stopping) return;
    const reader = await client.openReader(this.options.topic);
    try {
      const reading = this.read(client, reader);
      // Awaited below, unless stop() comes first; its end (a closed connection, most likely) matters no more then.
      reading.catch(() => undefined);
      await Promise.race([reading, this.stopped]);
    } finally {
      await this.writing.catch(() => undefined);
      // A commit in flight is not waited for (in an outage it would hold stop() up to its timeout): closing ends it.
      await reader.close();
    }
  }

  /** Fetches and writes, one fetch at a time, until stopped or failed; rejects when the broker fails us. */
  private async read(client: KafkaClient, reader: TopicReader): Promise<void> {
    const limits = { maxWaitMs: this.tuning.maxWaitMs, maxBytes: this.tuning.maxFetchBytes };
    while (!this.stopping && !this.health.failed) {
      // A partition added to the topic while we run starts where `start` says, as at a first start.
      if ((await reader.partitions()).some((p) => !this.next.has(p))) {
        this.writing = this.resolvePositions(client);
        await this.writing;
      }
      const fetched = await reader.fetch(this.next, limits);
      if (this.stopping || this.health.failed) return;
      this.reached();
      // Every partition holds the watermark back before the fetch's rows are written, and a fetch returns within
      // maxWaitMs even when nothing came: often enough to notice an idle partition.
      this.writing = this.writer.tick([...this.next.keys()])
        .catch((e) => this.health.fail(`Kafka source of ${this.opts.def.name} stopped: ${errorText(e)}`));
      await this.writing;
      if (this.health.failed) return;
      this.writing = this.consume(fetched);
      await this.writing;
      this.commitInformational(reader);
    }
  }

  /** The broker answered: the source runs (again). */
  private reached(): void {
    if (this.health.state !== 'waiting') return;
    this.health.running();
    this.backoffMs = this.tuning.initialRetryMs;
  }


  /**
   * Reads each partition's first and next offset. A partition we hold no position for starts at `start`, and that
   * position is stored at once, so `latest` means the end of the topic when the source was first started, not at
   * every restart.
   */
  private async resolvePositions(client: KafkaClient): Promise<void> {
    const fresh: Record<string, string> = {};
    for (const { partition, low, high } of await client.topicOffsets(this.options.topic)) {
      this.high.set(partition, high);
      const at = this.next.get(partition);
      if (at === undefined) {
        fresh[partition] = String(this.options.start === 'earliest' ? low : high);
      } else if (at < low) {
        this.opts.log.error('Kafka messages were deleted before Sluice read them', {
          relation: this.opts.def.name, topic: this.options.topic, partition, position: String(at),
          firstAvailable: String(low), lost: String(low - at),
        });
        fresh[partition] = String(low);
      } else if (at > high) {
        throw new Error(`partition ${partition} of topic ${this.options.topic} ends at offset ${high}, before the ` +
          `position ${at} Sluice has read up to: the topic was re-created or the broker lost messages`);
      }
    }
    if (Object.keys(fresh).length > 0) {
      await this.opts.store.appendSourceBatch(this.opts.relationId, null, fresh);
      for (const [p, offset] of Object.entries(fresh)) this.next.set(Number(p), BigInt(offset));
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
      this.health.fail(`Kafka source of ${this.opts.def.name} stopped: ${errorText(e)}`);
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
    if (failure !== undefined) this.health.fail(failure.failure!);
  }

  /**
   * Hands the durable positions to the group when they moved, without holding up the next fetch; while a commit is
   * in flight the next durable write's positions wait for the one after (they include these).
   */
  private commitInformational(reader: TopicReader): void {
    const key = [...this.next].map(([p, o]) => `${p}:${o}`).join(',');
    if (this.committing !== null || key === this.committedKey) return;
    const positions = new Map(this.next);
    this.committing = reader.commitOffsets(this.groupId, positions)
      .then(() => void (this.committedKey = key), () => undefined)
      .finally(() => (this.committing = null));
  }

  private positionText(): string | null {
    if (this.next.size === 0) return null;
    return [...this.next].sort((a, b) => a[0] - b[0]).map(([p, offset]) => `${p}:${offset}`).join(',');
  }

}
