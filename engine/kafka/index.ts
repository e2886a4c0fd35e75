// Kafka in and out: streams and tables fed by topics (source.ts), sinks shipping changes to topics (sink.ts), and
// the checks of their WITH options (options.ts). docs/kafka.md is the user's side of it.

export { startKafkaSource, type KafkaSource, type KafkaSourceStatus, type StartKafkaSourceOptions, type TableRowsHandler } from './source';
export { startKafkaSink, type KafkaSink, type KafkaSinkStatus, type StartKafkaSinkOptions } from './sink';
export { kafkaSinkOptions, kafkaSourceOptions, type KafkaSinkOptions, type KafkaSourceOptions } from './options';
export { DEFAULT_TUNING, type KafkaLog, type KafkaTuning } from './client';
export { MAX_RECORD_BYTES, RecordDecoder, type BadRecord, type BadRecordReason, type KafkaRecord } from './decode';
export { SinkEncoder, type SinkMessage } from './sink-encode';
export { kafkaConnector } from './connectors';
