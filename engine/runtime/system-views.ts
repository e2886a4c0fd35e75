// The `sluice` schema: live views of the system's own state. Their schemas are fixed here (the planner binds
// against them; the catalog mirror shows them); their rows are computed when read.

import { T, type Field, type Schema, type SqlType } from '../types';

function field(name: string, type: SqlType, nullable = true): Field {
  return { name, type, nullable };
}

const OBJECT_COLUMNS: Schema = [
  field('name', T.text, false),
  field('definition', T.text, false),
  field('connector', T.text),
  field('created_at', T.timestamptz, false),
];

export const SYSTEM_VIEWS: Readonly<Record<string, Schema>> = {
  streams: [
    ...OBJECT_COLUMNS,
    field('rows', T.int8, false),
    field('dead_letters', T.int8, false),
  ],
  tables: OBJECT_COLUMNS,
  sinks: [
    ...OBJECT_COLUMNS,
    // As sluice.sources shows them for the sink: where it has got, how far behind, and why it stopped.
    field('state', T.text),
    field('position', T.text),
    field('lag', T.int8),
    field('last_error', T.text),
  ],
  queries: [
    field('name', T.text, false),
    field('status', T.text, false),
    field('definition', T.text, false),
    field('trigger_interval', T.interval, false),
    field('epoch', T.int8, false),
    field('watermark', T.timestamptz),
    field('rows_in', T.int8, false),
    field('rows_out', T.int8, false),
    field('late_rows', T.int8, false),
    field('error_rows', T.int8, false),
    field('lag', T.int8, false),
    field('state_bytes', T.int8, false),
    field('last_batch_ms', T.float8),
    field('last_error', T.text),
  ],
  sources: [
    field('name', T.text, false),
    field('kind', T.text, false),
    field('connector', T.text, false),
    field('target', T.text),
    field('state', T.text, false),
    field('position', T.text),
    field('lag', T.int8, false),
    field('messages', T.int8, false),
    field('dead_letters', T.int8, false),
    field('last_error', T.text),
  ],
  dead_letters: [
    field('source', T.text, false),
    field('partition', T.int4),
    field('offset', T.text),
    field('raw', T.text),
    field('reason', T.text, false),
    field('error', T.text),
    field('at', T.timestamptz, false),
  ],
  subscriptions: [
    field('relation', T.text, false),
    field('epoch', T.int8),
    field('lag', T.int8, false),
    field('started_at', T.timestamptz, false),
  ],
  changelogs: [
    field('name', T.text, false),
    field('kind', T.text, false),
    field('oldest_epoch', T.int8, false),
    field('newest_epoch', T.int8, false),
    field('subscriptions', T.int8, false),
    field('entries', T.int8, false),
    field('bytes', T.int8, false),
  ],
  checkpoints: [
    field('query', T.text, false),
    field('epoch', T.int8, false),
    field('committed_at', T.timestamptz, false),
    field('duration_ms', T.float8, false),
    field('offsets', T.jsonb, false),
  ],
};

export const SYSTEM_SCHEMA = 'sluice';

export function systemViewSchema(schema: string, name: string): Schema | undefined {
  return schema === SYSTEM_SCHEMA && Object.hasOwn(SYSTEM_VIEWS, name) ? SYSTEM_VIEWS[name] : undefined;
}
