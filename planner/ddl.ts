// CREATE STREAM / TABLE / CONTINUOUS QUERY / SINK, DROP, ALTER, SHOW: definitions checked against the catalog and
// built as engine/catalog.ts defs. WITH options are validated here, so a typo fails the CREATE rather than the
// pipeline later. Whether a new name is taken is the runtime's to say when the CREATE runs (Runtime.create).

import type { QueryDef, SinkDef, StreamDef, TableDef } from '../engine/catalog';
import { ARRIVAL_COLUMN } from '../engine/catalog';
import { SqlError, SQLSTATE } from '../engine/errors';
import { intervalMicros, parseInterval } from '../engine/text';
import { typeDisplayName, type Field } from '../engine/types';
import { isTime } from './bind/coerce';
import type { PlanContext, PlannerCatalog } from './context';
import type { Ast, ColumnDefAst, Name, OptionAst, StatementAst } from './parse/ast';
import type { ObjectKind, Statement } from '../engine/statement';

type Of<K extends StatementAst['kind']> = Extract<StatementAst, { kind: K }>;

function err(code: (typeof SQLSTATE)[keyof typeof SQLSTATE], message: string, pos?: number, hint?: string): SqlError {
  return new SqlError(code, message, { position: pos === undefined ? undefined : pos + 1, hint });
}

const KIND_WORD: Record<ObjectKind, string> = { stream: 'stream', table: 'table', query: 'continuous query', sink: 'sink' };
const DROP_WORD: Record<ObjectKind, string> = { stream: 'DROP STREAM', table: 'DROP TABLE', query: 'DROP CONTINUOUS QUERY', sink: 'DROP SINK' };

function columnsOf(cols: readonly ColumnDefAst[]): Field[] {
  const seen = new Set<string>();
  return cols.map((c) => {
    if (c.name === ARRIVAL_COLUMN) {
      throw err(SQLSTATE.duplicate_column, `column name "${c.name}" conflicts with a system column name`, c.pos);
    }
    if (seen.has(c.name)) throw err(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`, c.pos);
    seen.add(c.name);
    return { name: c.name, type: c.type.type, nullable: !c.notNull };
  });
}

interface OptionRule {
  readonly values?: readonly string[];
  readonly interval?: boolean;
}

const KAFKA_OPTIONS: Record<string, OptionRule> = {
  connector: { values: ['kafka'] },
  topic: {},
  brokers: {},
  format: { values: ['json', 'csv', 'avro'] },
  start: { values: ['earliest', 'latest'] },
  on_error: { values: ['dead_letter', 'skip', 'fail'] },
  // Checked, with the rest of their meaning, by engine/kafka (security.ts, avro/).
  avro_schema: {}, avro_wire: {}, avro_schema_id: {}, avro_key_schema: {}, schema_registry_url: {},
  security_protocol: {}, sasl_mechanism: {}, sasl_username: {}, sasl_password: {},
  ssl_ca_location: {}, ssl_certificate_location: {}, ssl_key_location: {}, ssl_key_password: {},
};

/**
 * connector = 'file': a stream reading the lines of files matching `path`, or a sink writing files into the
 * directory `path`. Values are checked here; ranges and combinations in engine/files/options.ts.
 */
const FILE_SOURCE_OPTIONS: Record<string, OptionRule> = {
  connector: { values: ['file'] },
  path: {},
  format: { values: ['csv', 'json'] },
  header: { values: ['true', 'false'] },
  on_error: KAFKA_OPTIONS.on_error,
  poll_interval: { interval: true },
};

const FILE_SINK_OPTIONS: Record<string, OptionRule> = {
  connector: { values: ['file'] },
  path: {},
  format: { values: ['csv', 'json', 'arrow'] },
  roll_bytes: {},
  roll_seconds: {},
};

/** Whether the WITH options name connector = 'file' (whose options differ from Kafka's). */
function namesFileConnector(opts: readonly OptionAst[]): boolean {
  return opts.some((o) => o.key === 'connector' && o.value.toLowerCase() === 'file');
}

function requirePath(opts: Record<string, string>, stmtPos: number): void {
  if (opts.path === undefined) throw err(SQLSTATE.invalid_parameter_value, 'option "path" is required for connector = \'file\'', stmtPos);
}

/** Checks WITH options against what the object accepts; returns them as a record (keys lower-case). */
function options(opts: readonly OptionAst[], rules: Record<string, OptionRule>, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of opts) {
    const rule = rules[o.key];
    if (rule === undefined) {
      throw err(SQLSTATE.invalid_parameter_value, `unrecognized ${what} option "${o.key}"`, o.pos,
        `Valid options are: ${Object.keys(rules).join(', ')}.`);
    }
    if (rule.values !== undefined && !rule.values.includes(o.value.toLowerCase())) {
      throw err(SQLSTATE.invalid_parameter_value, `invalid value for option "${o.key}": "${o.value}"`, o.pos,
        `Valid values are: ${rule.values.join(', ')}.`);
    }
    if (rule.interval) intervalOption(o);
    out[o.key] = rule.values !== undefined ? o.value.toLowerCase() : o.value;
  }
  return out;
}

function intervalOption(o: OptionAst): number {
  try {
    const micros = intervalMicros(parseInterval(o.value), `option "${o.key}"`);
    if (micros <= 0) throw err(SQLSTATE.invalid_parameter_value, `option "${o.key}" must be a positive interval`, o.pos);
    return micros;
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined) throw err(e.code, `invalid value for option "${o.key}": ${e.message}`, o.pos);
    throw e;
  }
}

/**
 * A stream fed by the HTTP API (POST /api/v1/streams/NAME/rows): rows come in as they are posted, bad records follow
 * on_error. It reads from nothing, so only on_error (and the stream's own options) go with it.
 */
const HTTP_STREAM_OPTIONS: Record<string, OptionRule> = {
  connector: { values: ['kafka', 'http'] },
  on_error: KAFKA_OPTIONS.on_error,
};

function requireHttp(opts: Record<string, string>, stmtPos: number): void {
  const stray = Object.keys(opts).find((k) => k in KAFKA_OPTIONS && !(k in HTTP_STREAM_OPTIONS));
  if (stray !== undefined) throw err(SQLSTATE.invalid_parameter_value, `option "${stray}" needs connector = 'kafka'`, stmtPos);
}

function requireKafka(opts: Record<string, string>, stmtPos: number, required: readonly string[]): void {
  if (opts.connector === 'http') return requireHttp(opts, stmtPos);
  if (opts.connector === undefined) {
    const stray = Object.keys(opts).find((k) => k in KAFKA_OPTIONS && k !== 'connector');
    if (stray !== undefined) throw err(SQLSTATE.invalid_parameter_value, `option "${stray}" needs connector = 'kafka'`, stmtPos);
    return;
  }
  for (const r of required) {
    if (opts[r] === undefined) throw err(SQLSTATE.invalid_parameter_value, `option "${r}" is required for connector = 'kafka'`, stmtPos);
  }
}

function base(ast: Ast, name: Name, ctx: PlanContext, opts: Record<string, string>) {
  return { name: name.name, definition: ast.text, createdAt: ctx.now().toISOString(), options: opts };
}

export function planCreateStream(ast: Ast, s: Of<'create_stream'>, ctx: PlanContext): Statement {
  const columns = columnsOf(s.columns);
  const fromFiles = namesFileConnector(s.options);
  const opts = options(s.options, fromFiles ? { ...FILE_SOURCE_OPTIONS, retention: { interval: true } } : {
    ...KAFKA_OPTIONS, ...HTTP_STREAM_OPTIONS, retention: { interval: true }, idle_timeout: { interval: true },
  }, 'stream');
  if (fromFiles) requirePath(opts, s.name.pos);
  else requireKafka(opts, s.name.pos, ['topic', 'brokers']);
  // Only Kafka partitions fall idle; a stream fed by INSERT or COPY has one watermark, moved by every write.
  if (opts.idle_timeout !== undefined && opts.connector !== 'kafka') {
    throw err(SQLSTATE.invalid_parameter_value, 'option "idle_timeout" needs connector = \'kafka\'', s.name.pos);
  }
  let watermark: StreamDef['watermark'] = null;
  if (s.watermark !== null) {
    const w = s.watermark;
    const col = columns.find((c) => c.name === w.column.name);
    if (col === undefined) throw err(SQLSTATE.undefined_column, `column "${w.column.name}" does not exist`, w.column.pos);
    if (!isTime(col.type)) {
      throw err(SQLSTATE.datatype_mismatch, `WATERMARK column "${col.name}" must be of type timestamp with time zone, not ${typeDisplayName(col.type)}`, w.column.pos);
    }
    let delayMicros: number;
    try {
      delayMicros = intervalMicros(w.delay, 'a watermark delay');
    } catch (e) {
      if (e instanceof SqlError) throw err(e.code, e.message, w.pos);
      throw e;
    }
    if (delayMicros < 0) throw err(SQLSTATE.invalid_parameter_value, 'a watermark delay must not be negative', w.pos);
    watermark = { column: col.name, delayMicros };
  }
  const def: StreamDef = { kind: 'stream', ...base(ast, s.name, ctx, opts), columns, watermark };
  return { kind: 'create_stream', def, ifNotExists: s.ifNotExists };
}

/** A table fed by PostgreSQL change data capture; engine/cdc/options.ts checks the values. */
const CDC_TABLE_OPTIONS: Record<string, OptionRule> = {
  connector: { values: ['postgres-cdc'] },
  hostname: {}, port: {}, username: {}, password: {}, database: {}, schema: {}, table: {}, slot_name: {}, publication_name: {},
};

function planCdcTable(ast: Ast, s: Of<'create_table'>, ctx: PlanContext, columns: Field[], primaryKey: string[]): Statement {
  const opts = options(s.options, CDC_TABLE_OPTIONS, 'table');
  for (const r of ['hostname', 'username', 'database', 'table']) {
    if (opts[r] === undefined) throw err(SQLSTATE.invalid_parameter_value, `option "${r}" is required for connector = 'postgres-cdc'`, s.name.pos);
  }
  if (primaryKey.length === 0) {
    throw err(SQLSTATE.invalid_parameter_value, 'a table fed by postgres-cdc needs a PRIMARY KEY to apply changes by key', s.name.pos);
  }
  const def: TableDef = { kind: 'table', ...base(ast, s.name, ctx, opts), columns, primaryKey };
  return { kind: 'create_table', def, ifNotExists: s.ifNotExists };
}

export function planCreateTable(ast: Ast, s: Of<'create_table'>, ctx: PlanContext): Statement {
  let columns = columnsOf(s.columns);
  const keyNames = s.primaryKey ?? s.columns.filter((c) => c.primaryKey).map((c) => ({ name: c.name, pos: c.pos }));
  for (const k of keyNames) {
    if (!columns.some((c) => c.name === k.name)) {
      throw err(SQLSTATE.undefined_column, `column "${k.name}" named in key does not exist`, k.pos);
    }
  }
  const primaryKey = keyNames.map((k) => k.name);
  columns = columns.map((c) => (primaryKey.includes(c.name) ? { ...c, nullable: false } : c));
  if (s.options.some((o) => o.key === 'connector' && o.value.toLowerCase() === 'postgres-cdc')) {
    return planCdcTable(ast, s, ctx, columns, primaryKey);
  }
  const opts = options(s.options, KAFKA_OPTIONS, 'table');
  requireKafka(opts, s.name.pos, ['topic', 'brokers']);
  if (opts.connector !== undefined && primaryKey.length === 0) {
    throw err(SQLSTATE.invalid_parameter_value, 'a table fed by Kafka needs a PRIMARY KEY to apply records as upserts', s.name.pos);
  }
  const def: TableDef = { kind: 'table', ...base(ast, s.name, ctx, opts), columns, primaryKey };
  return { kind: 'create_table', def, ifNotExists: s.ifNotExists };
}

/** trigger_interval in milliseconds (default 1 second). */
export function queryOptions(s: Of<'create_query'>): { opts: Record<string, string>; triggerIntervalMs: number } {
  const opts = options(s.options, { trigger_interval: { interval: true } }, 'continuous query');
  const o = s.options.find((x) => x.key === 'trigger_interval');
  const triggerIntervalMs = o === undefined ? 1000 : Math.max(1, Math.round(intervalOption(o) / 1000));
  return { opts, triggerIntervalMs };
}

export function buildQueryDef(
  ast: Ast, s: Of<'create_query'>, ctx: PlanContext, columns: readonly Field[], dependsOn: readonly string[],
): QueryDef {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) {
      throw err(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`, s.query.pos,
        'Give the select-list items distinct names with AS.');
    }
    seen.add(c.name);
  }
  const { opts, triggerIntervalMs } = queryOptions(s);
  return {
    kind: 'query',
    ...base(ast, s.name, ctx, opts),
    columns,
    select: ast.text.slice(s.query.pos, s.query.end),
    emit: s.emit?.mode ?? 'changes',
    triggerIntervalMs,
    dependsOn,
    materializedView: s.materializedView,
  };
}

export function planCreateSink(ast: Ast, s: Of<'create_sink'>, catalog: PlannerCatalog, ctx: PlanContext): Statement {
  const from = catalog.relation(s.from.name);
  if (from === undefined) throw err(SQLSTATE.undefined_table, `relation "${s.from.name}" does not exist`, s.from.pos);
  if (from.kind !== 'query' && from.kind !== 'stream') {
    throw err(SQLSTATE.wrong_object_type, `"${s.from.name}" is a ${KIND_WORD[from.kind]}; a sink ships a continuous query or a stream`, s.from.pos);
  }
  if (namesFileConnector(s.options)) {
    const fileOpts = options(s.options, FILE_SINK_OPTIONS, 'sink');
    requirePath(fileOpts, s.name.pos);
    return { kind: 'create_sink', def: { kind: 'sink', ...base(ast, s.name, ctx, fileOpts), from: from.name }, ifNotExists: s.ifNotExists };
  }
  const compression = { values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] };
  const opts = options(s.options, { ...KAFKA_OPTIONS, key: {}, compression }, 'sink');
  for (const r of ['connector', 'topic', 'brokers']) {
    if (opts[r] === undefined) throw err(SQLSTATE.invalid_parameter_value, `option "${r}" is required for a sink`, s.name.pos);
  }
  // key = 'a' or 'a, b': each a column of the relation shipped (as engine/kafka/options.ts reads it).
  for (const name of (opts.key ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')) {
    if (from.columns.some((c) => c.name.toLowerCase() === name.toLowerCase())) continue;
    const o = s.options.find((x) => x.key === 'key')!;
    throw err(SQLSTATE.undefined_column, `column "${name}" of relation "${from.name}" does not exist`, o.pos);
  }
  const def: SinkDef = { kind: 'sink', ...base(ast, s.name, ctx, opts), from: from.name };
  return { kind: 'create_sink', def, ifNotExists: s.ifNotExists };
}

/** The object must exist (unless IF EXISTS) and be of the kind the statement names. */
function checkExisting(name: Name, kind: ObjectKind, catalog: PlannerCatalog, ifExists: boolean): void {
  const def = catalog.relation(name.name);
  if (def === undefined) {
    if (ifExists) return;
    const code = kind === 'sink' ? SQLSTATE.undefined_object : SQLSTATE.undefined_table;
    throw err(code, `${KIND_WORD[kind]} "${name.name}" does not exist`, name.pos);
  }
  if (def.kind !== kind) {
    throw err(SQLSTATE.wrong_object_type, `"${name.name}" is not a ${KIND_WORD[kind]}`, name.pos, `Use ${DROP_WORD[def.kind]} to remove a ${KIND_WORD[def.kind]}.`);
  }
}

export function planDrop(s: Of<'drop'>, catalog: PlannerCatalog): Statement {
  checkExisting(s.name, s.objectKind, catalog, s.ifExists);
  return { kind: 'drop', objectKind: s.objectKind, name: s.name.name, ifExists: s.ifExists, cascade: s.cascade };
}

export function planAlter(s: Of<'alter_query'>, catalog: PlannerCatalog): Statement {
  checkExisting(s.name, 'query', catalog, false);
  return { kind: 'alter_query', name: s.name.name, action: s.action };
}
