// Kafka as a kind of connector: topics feeding streams and tables (source.ts), sinks shipping changes to topics
// (sink.ts). The registry in engine/connectors/ runs them beside every other kind.

import type { ConnectorKind } from '../connectors/connector';
import type { KafkaTuning } from './client';
import { kafkaSinkOptions, kafkaSourceOptions } from './options';
import { startKafkaSink } from './sink';
import { startKafkaSource } from './source';

export function kafkaConnector(tuning?: Partial<KafkaTuning>): ConnectorKind {
  return {
    name: 'kafka',
    target: (def) => def.options.topic ?? null,
    checkSource: (def) => void kafkaSourceOptions(def),
    checkSink: (def, fromSchema) => void kafkaSinkOptions(def, fromSchema),
    startSource(env, { relationId, def, table }) {
      const source = startKafkaSource({
        store: env.store, relationId, def, log: env.log, tuning,
        onTableRows: table === undefined ? undefined : table.upsert.bind(table),
        onStreamRows: (rows) => env.streamRows.appended(relationId, rows),
      });
      return {
        status: () => {
          const s = source.status();
          return {
            kind: 'source', state: s.state, lastError: s.lastError, position: s.position, lag: s.lag, messages: s.messages,
            deadLetters: s.deadLetters,
          };
        },
        stop: () => source.stop(),
      };
    },
    startSink(env, { sinkId, def, fromRelationId, fromSchema }) {
      const sink = startKafkaSink({ store: env.store, sinkId, def, fromRelationId, fromSchema, log: env.log, tuning });
      return {
        status: () => {
          const s = sink.status();
          return {
            kind: 'sink', state: s.state, lastError: s.lastError, position: String(s.position), lag: s.lag, messages: s.messages,
            deadLetters: 0,
          };
        },
        stop: () => sink.stop(),
      };
    },
  };
}
