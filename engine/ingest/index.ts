// engine/ingest: the one ingest place. Every way rows come in from outside (COPY's csv and text formats, Kafka's
// JSON and CSV messages) decodes here, straight from the bytes into typed column builders of the target's declared
// columns, checked by one row validator that words every problem once:
//
//   column-builders.ts   a typed builder per column: JSON values, text, or text in place in the input's bytes
//   row-builder.ts       the row validator: the builders of a target's columns plus NOT NULL
//   problems.ts          why a value or row cannot go in: SQLSTATE and message, shared by COPY and dead letters
//
// Decoders turn problems into what their callers need: a SqlError that fails a COPY, a dead letter for a bad Kafka
// record.

export { columnBuilder, type ColumnBuilder, type SetResult } from './column-builders';
export { RowBuilder, RowRules } from './row-builder';
export type { ColumnProblem, ValueProblem } from './problems';
