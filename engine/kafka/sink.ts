// A sink: follows the durable log of a continuous query (or a stream) and ships each entry's changes to a Kafka
// topic (sink-encode.ts says how). Only after the broker has acknowledged every message of the entries sent (acks
// from all in-sync replicas) is the sink's position recorded, durably, as an epoch of the sink in storage (epoch =
// the last entry's sequence number, offsets = { from: that seq }, no state). After a crash the sink re-sends the
// entries after its recorded position: at least once, and a re-sent message carries the same sluice-query /
// sluice-epoch / sluice-position headers as the first copy. Without idempotent producers (not every broker offers
// them) that is the honest promise; the last value per key in the topic is right either way, since a key's
// messages always go to the same partition in order.
//
// The broker going away: the send fails after kafkajs's retries, the sink shows 'waiting', logs, and re-sends the
// unacknowledged entries with doubling backoff once a new producer connects.

import type { SinkDef } from '../catalog';
import type { Schema } from '../types';
import type { LogEntry } from '../../storage';
import type { RelationStore } from '../catalog';
import { decodeChangeBatch } from '../codecs/change-batch';
import {
  DEFAULT_TUNING, type KafkaLog, type KafkaProducer, type KafkaTuning, Sleeper, errorText, kafkaClient,
} from './client';
import { kafkaSinkOptions, type KafkaSinkOptions } from './options';
import { AvroWriter } from './avro/writer';
import { CopyLineEncoder } from '../codecs/copy-out';
import { SinkEncoder, type SinkMessage, type ValueEncoder } from './sink-encode';
import { ConnectorHealth } from '../connectors/health';

export interface KafkaSinkStatus {
  readonly state: 'running' | 'waiting' | 'failed';
  readonly lastError: string | null;
  /** The last log entry of the source relation whose changes the broker acknowledged (recorded durably). */
  readonly position: bigint;
  /** Entries of the source relation's log not yet acknowledged. */
  readonly lag: number;
  /** Messages acknowledged since start. */
  readonly messages: number;
}

export interface StartKafkaSinkOptions {
  readonly store: RelationStore;
  /** The sink's relation id: its position is stored as this id's epochs. */
  readonly sinkId: number;
  readonly def: SinkDef;
  /** The relation id of the query or stream shipped. */
  readonly fromRelationId: number;
  /** Its visible columns (for a stream, without `_arrival`). */
  readonly fromSchema: Schema;
  readonly log: KafkaLog;
  readonly tuning?: Partial<KafkaTuning>;
  /**
   * Called when the broker has acknowledged the entries up to `seq`, before that position is recorded (tests use it
   * to crash the process exactly between the two).
   */
  readonly afterSend?: (seq: bigint) => void | Promise<void>;
}

export interface KafkaSink {
  status(): KafkaSinkStatus;
  /** Stops after the send in flight (if any) is settled. Idempotent. */
  stop(): Promise<void>;
}

/** At most this many messages in one producer.send, and this many log entries between position records. */
const MESSAGES_PER_SEND = 5000;
const ENTRIES_PER_COMMIT = 100;

export function startKafkaSink(opts: StartKafkaSinkOptions): KafkaSink {
  const sink = new KafkaSinkRunner(opts, kafkaSinkOptions(opts.def, opts.fromSchema));
  sink.start();
  return sink;
}

/** null for JSON values, which SinkEncoder writes itself. */
function valueEncoder(opts: StartKafkaSinkOptions, options: KafkaSinkOptions): ValueEncoder | null {
  if (options.format === 'json') return null;
  if (options.format !== 'csv') return new AvroWriter(opts.fromSchema, options.format, opts.def.name);
  // COPY ... TO STDOUT WITH (FORMAT csv)'s line in a UTC session, without its newline: a message is one record.
  const csv = new CopyLineEncoder(opts.fromSchema, { format: 'csv' });
  return { encode: (row) => csv.text(row) };
}

class KafkaSinkRunner implements KafkaSink {
  private readonly health: ConnectorHealth;
  private position = 0n;
  private messages = 0;
  private stopping = false;
  private producer: KafkaProducer | null = null;
  private loop: Promise<void> = Promise.resolve();
  private readonly sleeper = new Sleeper();
  private readonly appended = new Sleeper();
  private readonly tuning: KafkaTuning;
  private readonly encoder: SinkEncoder;
  private unsubscribe: () => void = () => undefined;

  constructor(private readonly opts: StartKafkaSinkOptions, private readonly options: KafkaSinkOptions) {
    this.health = new ConnectorHealth(opts.log, 'Kafka sink', { sink: opts.def.name, topic: options.topic },
      'Kafka sink waiting for the broker');
    this.tuning = { ...DEFAULT_TUNING, ...opts.tuning };
    this.encoder = new SinkEncoder(opts.fromSchema, options.keyColumns, opts.def.from, valueEncoder(opts, options));
  }

  status(): KafkaSinkStatus {
    const end = this.opts.store.lastSeq(this.opts.fromRelationId);
    return {
      state: this.health.state, lastError: this.health.lastError, position: this.position,
      lag: end > this.position ? Number(end - this.position) : 0, messages: this.messages,
    };
  }

  start(): void {
    this.unsubscribe = this.opts.store.onLogAppend((id) => {
      if (id === this.opts.fromRelationId) this.appended.wake();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    this.appended.wake();
    await this.loop;
  }

  /** Never rejects: storage errors fail the sink, broker errors make it wait and retry. */
  private async run(): Promise<void> {
    try {
      const loaded = await this.opts.store.loadQuery(this.opts.sinkId);
      const floor = this.opts.store.firstSeq(this.opts.fromRelationId) - 1n;
      const recorded = loaded.offsets[this.opts.fromRelationId];
      if (recorded !== undefined && recorded < floor) {
        this.opts.log.error('sink position is behind the retained log: changes were trimmed before they were shipped', {
          sink: this.opts.def.name, position: String(recorded), firstRetained: String(floor + 1n),
        });
      }
      // A new sink ships the relation's whole retained log, so the topic ends up holding its full contents.
      this.position = recorded === undefined || recorded < floor ? floor : recorded;
    } catch (e) {
      this.fail(e);
      return this.cleanup();
    }
    let backoff = this.tuning.initialRetryMs;
    while (!this.stopping && !this.health.failed) {
      let entries: LogEntry[] = [];
      try {
        // Connect first, so a sink with nothing to send yet still shows whether it can reach the broker.
        await this.connectedProducer();
        const end = this.opts.store.lastSeq(this.opts.fromRelationId);
        if (this.position >= end) {
          this.health.running();
          await this.appended.sleep(1000);
          continue;
        }
        try {
          entries = await this.readEntries(end);
          if (entries.length === 0) throw new Error(`entries after ${this.position} of the log it ships are gone (trimmed?)`);
        } catch (e) {
          this.fail(e);
          break;
        }
        await this.send(entries);
        backoff = this.tuning.initialRetryMs;
      } catch (e) {
        if (this.stopping) break;
        await this.waitForBroker(e, backoff);
        backoff = Math.min(backoff * 2, this.tuning.maxBackoffMs);
        continue;
      }
      const last = entries[entries.length - 1].seq;
      try {
        await this.opts.afterSend?.(last);
        await this.opts.store.commitEpoch({
          queryId: this.opts.sinkId, epoch: Number(last), stateChanges: new Map(), resultChanges: null,
          resultRows: null, offsets: { [this.opts.fromRelationId]: last }, checkpoint: { durationMs: 0 },
        });
      } catch (e) {
        this.fail(e);
        break;
      }
      this.position = last;
    }
    await this.cleanup();
  }

  /** After a broker error: 'waiting', logged once per outage, the producer dropped, then the backoff. */
  private async waitForBroker(e: unknown, backoffMs: number): Promise<void> {
    this.health.waiting(errorText(e), backoffMs);
    await this.closeProducer();
    await this.sleeper.sleep(backoffMs);
  }

  private async readEntries(end: bigint): Promise<LogEntry[]> {
    const to = this.position + BigInt(ENTRIES_PER_COMMIT) < end ? this.position + BigInt(ENTRIES_PER_COMMIT) : end;
    const entries: LogEntry[] = [];
    for await (const e of this.opts.store.readLog(this.opts.fromRelationId, this.position, to)) entries.push(e);
    return entries;
  }

  /** Sends every change of the entries and waits for the broker's acknowledgement of all of them. */
  private async send(entries: readonly LogEntry[]): Promise<void> {
    const producer = await this.connectedProducer();
    let pending: SinkMessage[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await producer.send(this.options.topic, batch, this.options.compression);
      this.messages += batch.length;
    };
    /** Where the entry's current part starts among the entry's rows (a staged COPY's entry comes in parts). */
    let position = 0;
    for (const entry of entries) {
      if (entry.part === 0) position = 0;
      const batch = decodeChangeBatch(entry.bytes);
      for (const m of this.encoder.messages(entry.seq, batch, position)) {
        pending.push(m);
        if (pending.length >= MESSAGES_PER_SEND) await flush();
      }
      position += batch.data.numRows;
    }
    await flush();
    this.health.running();
  }

  private async connectedProducer(): Promise<KafkaProducer> {
    if (this.producer !== null) return this.producer;
    const client = kafkaClient(this.options, `sluice-sink-${this.opts.def.name}`, this.opts.log, this.tuning);
    const producer = await client.connectProducer();
    this.producer = producer;
    return producer;
  }

  private async closeProducer(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    if (p !== null) await p.close().catch(() => undefined);
  }

  private fail(e: unknown): void {
    this.health.fail(`Kafka sink ${this.opts.def.name} stopped: ${errorText(e)}`);
  }

  private async cleanup(): Promise<void> {
    this.unsubscribe();
    await this.closeProducer();
  }
}
