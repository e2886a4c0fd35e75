// engine/ingest: the one ingest place. Every way rows come in from outside (COPY's csv and text formats, Kafka's
// JSON and CSV messages) decodes here, straight from the bytes into typed column builders of the target's declared
// columns, checked by one row validator that words every problem once:
//
//   copy-decoder.ts      COPY FROM STDIN's data (csv or text) → Arrow batches of the target's columns, or a SqlError
//   csv.ts, copy-text.ts the record formats, scanned over bytes into fields (record-fields.ts) read in place
//   json-object.ts       a Kafka JSON message's object scanned over bytes; json-columns.ts matches its keys to columns
//   column-builders.ts   a typed builder per column: JSON values, text, or text in place in the input's bytes
//   row-builder.ts       the row validator: the builders of a target's columns plus NOT NULL
//   problems.ts          why a value or row cannot go in: SQLSTATE and message, shared by COPY and dead letters
//
// Kafka's decoder (engine/kafka/decode.ts) brings its own framing (one record per message) and uses the same
// scanner, builders and validator. Decoders turn problems into what their callers need: a SqlError that fails a
// COPY, a dead letter for a bad Kafka record.

export { CopyDecoder, MAX_BATCH_ROWS, type CopyOptions } from './copy-decoder';
export { CsvScanner } from './csv';
export { RecordFields, RecordFormatError } from './record-fields';
export { columnBuilder } from './column-builders';
export { JsonFields, JsonObjectScanner } from './json-object';
export { JsonColumnNames, KEY_NEEDS_PARSE } from './json-columns';
export { readsNumberDigits, RowBuilder, RowRules } from './row-builder';
export type { ColumnProblem } from './problems';
