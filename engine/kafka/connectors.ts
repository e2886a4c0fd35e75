// The running Kafka sources and sinks of a server, by relation name, for the runtime to start at CREATE and at
// startup, stop at DROP and shutdown, and show in sluice.queries (state, last error, lag). A small registry so the
// runtime needs a few lines, not a copy of the lifecycle rules.

import type { RelationDef, SinkDef, StreamDef, TableDef } from '../catalog';
import type { Schema } from '../types';
import type { RelationStore } from '../catalog';
import type { StreamRowCounts } from '../runtime/stream-row-counts';
import type { TableState } from '../runtime/table-state';
import type { KafkaLog, KafkaTuning } from './client';
import { type KafkaSink, type KafkaSinkStatus, startKafkaSink } from './sink';
import { type KafkaSource, type KafkaSourceStatus, startKafkaSource } from './source';

export type ConnectorStatus = ({ kind: 'source' } & KafkaSourceStatus) | ({ kind: 'sink' } & KafkaSinkStatus);

/** True for a stream or table fed by Kafka, and for every sink. */
export function isKafkaConnector(def: RelationDef): def is StreamDef | TableDef | SinkDef {
  if (def.kind === 'sink') return true;
  return (def.kind === 'stream' || def.kind === 'table') && (def.options.connector ?? '').toLowerCase() === 'kafka';
}

export class KafkaConnectors {
  private readonly sources = new Map<string, KafkaSource>();
  private readonly sinks = new Map<string, KafkaSink>();

  constructor(
    private readonly store: RelationStore, private readonly log: KafkaLog, private readonly streamRows: StreamRowCounts,
    private readonly tuning?: Partial<KafkaTuning>,
  ) {}

  /** A stream's source appends to its log; a table's goes through its TableState (rows, log, positions at once). */
  startSource(id: number, def: StreamDef | TableDef, table?: TableState): void {
    if (this.sources.has(def.name)) throw new Error(`Kafka source ${def.name} is already running`);
    const onTableRows = table === undefined ? undefined : table.upsert.bind(table);
    const onStreamRows = (rows: number): void => this.streamRows.appended(id, rows);
    this.sources.set(def.name, startKafkaSource({
      store: this.store, relationId: id, def, log: this.log, onTableRows, onStreamRows, tuning: this.tuning,
    }));
  }

  /** `fromSchema`: the visible columns of the query or stream shipped (a stream's without `_arrival`). */
  startSink(id: number, def: SinkDef, fromRelationId: number, fromSchema: Schema): void {
    if (this.sinks.has(def.name)) throw new Error(`Kafka sink ${def.name} is already running`);
    this.sinks.set(def.name, startKafkaSink({ store: this.store, sinkId: id, def, fromRelationId, fromSchema, log: this.log, tuning: this.tuning }));
  }

  status(name: string): ConnectorStatus | undefined {
    const source = this.sources.get(name);
    if (source) return { kind: 'source', ...source.status() };
    const sink = this.sinks.get(name);
    return sink ? { kind: 'sink', ...sink.status() } : undefined;
  }

  names(): string[] {
    return [...this.sources.keys(), ...this.sinks.keys()];
  }

  /** Stops the source or sink of `name`, if there is one (DROP). */
  async stop(name: string): Promise<void> {
    const c = this.sources.get(name) ?? this.sinks.get(name);
    this.sources.delete(name);
    this.sinks.delete(name);
    await c?.stop();
  }

  /** Stops everything (shutdown); once it resolves nothing of Kafka writes to the store any more. */
  async stopAll(): Promise<void> {
    const all = [...this.sources.values(), ...this.sinks.values()];
    this.sources.clear();
    this.sinks.clear();
    await Promise.all(all.map((c) => c.stop()));
  }
}
