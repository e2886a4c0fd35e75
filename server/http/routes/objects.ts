// Streams, tables, continuous queries and sinks: list, describe, create, pause, resume, drop. Each is SQL run
// through the same Backend as the wire (the sluice.* views, CREATE, ALTER, DROP), with names quoted exactly.

import { SQLSTATE } from '../../../engine/errors';
import { splitStatements } from '../../../planner/split';
import { isWord, type Token } from '../../../planner/parse/lexer';
import { HttpError } from '../errors';
import { objectBody, type ApiRequest, type JsonReply } from '../request';
import type { JsonValue } from '../json-values';

interface ObjectKind {
  /** The sluice.* view listing them. */
  readonly view: string;
  /** The words naming the kind in DROP. */
  readonly ddl: string;
  readonly noun: string;
  /** The word sequences after CREATE that create one. */
  readonly creates: readonly (readonly string[])[];
  /** Sinks have no columns of their own. */
  readonly hasColumns: boolean;
}

const KINDS: Readonly<Record<string, ObjectKind>> = {
  streams: { view: 'streams', ddl: 'STREAM', noun: 'stream', creates: [['stream']], hasColumns: true },
  tables: { view: 'tables', ddl: 'TABLE', noun: 'table', creates: [['table']], hasColumns: true },
  queries: {
    view: 'queries', ddl: 'CONTINUOUS QUERY', noun: 'continuous query',
    creates: [['continuous', 'query'], ['materialized', 'view']], hasColumns: true,
  },
  sinks: { view: 'sinks', ddl: 'SINK', noun: 'sink', creates: [['sink']], hasColumns: false },
};

type Row = Record<string, JsonValue>;

function kindOf(req: ApiRequest): ObjectKind {
  const kind = Object.hasOwn(KINDS, req.params.kind) ? KINDS[req.params.kind] : undefined;
  if (kind === undefined) throw new HttpError(404, SQLSTATE.undefined_object, `no such resource: /api/v1/${req.params.kind}`);
  return kind;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function listObjects(req: ApiRequest): Promise<JsonReply> {
  const kind = kindOf(req);
  const [rows, sources] = await Promise.all([
    req.api.sql.rows(req.user, `SELECT * FROM sluice.${kind.view}`, [], req.signal),
    connectorStates(req),
  ]);
  return { status: 200, body: { items: rows.map((row) => withConnectorState(row, sources)) } };
}

export async function describeObject(req: ApiRequest): Promise<JsonReply> {
  return { status: 200, body: await describe(req, kindOf(req), req.params.name) };
}

async function describe(req: ApiRequest, kind: ObjectKind, name: string): Promise<Row> {
  const [rows, columns, sources] = await Promise.all([
    req.api.sql.rows(req.user, `SELECT * FROM sluice.${kind.view} WHERE name = $1`, [name], req.signal),
    kind.hasColumns ? columnsOf(req, name) : Promise.resolve(undefined),
    connectorStates(req),
  ]);
  if (rows.length === 0) throw new HttpError(404, SQLSTATE.undefined_table, `${kind.noun} "${name}" does not exist`);
  const described = withConnectorState(rows[0], sources);
  return columns === undefined ? described : { ...described, columns };
}

async function columnsOf(req: ApiRequest, name: string): Promise<JsonValue[]> {
  const rows = await req.api.sql.rows(req.user,
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [name], req.signal);
  return rows.map((r) => ({ name: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' }));
}

/** sluice.sources by name: the state of each object's connector (Kafka, files, ...). */
async function connectorStates(req: ApiRequest): Promise<Map<string, Row>> {
  const rows = await req.api.sql.rows(req.user,
    'SELECT name, state, lag, messages, dead_letters, last_error FROM sluice.sources', [], req.signal);
  return new Map(rows.map((r) => [String(r.name), r]));
}

function withConnectorState(row: Row, sources: Map<string, Row>): Row {
  const source = sources.get(String(row.name));
  if (source === undefined) return { ...row, connector_state: null };
  const { name: _name, ...state } = source;
  return { ...row, connector_state: state };
}

export async function createObject(req: ApiRequest): Promise<JsonReply> {
  const kind = kindOf(req);
  const sql = objectBody(await req.json()).sql;
  if (typeof sql !== 'string') throw new HttpError(400, SQLSTATE.invalid_parameter_value, '"sql" must be a string of SQL');
  const name = createdName(sql, kind);
  const { results } = await req.api.sql.run(req.user, sql, [], req.signal);
  return { status: 201, body: { command: results[0].command, object: await describe(req, kind, name) } };
}

/** The name a CREATE of this kind creates; 400 for any other statement, or more than one. */
function createdName(sql: string, kind: ObjectKind): string {
  const statements = splitStatements(sql);
  const wrongKind = (): HttpError => new HttpError(400, SQLSTATE.wrong_object_type,
    `this endpoint takes one CREATE ${kind.ddl} statement`);
  if (statements.length !== 1) throw wrongKind();
  const tokens = statements[0].tokens;
  if (!isWord(tokens[0], 'create')) throw wrongKind();
  const words = kind.creates.find((ws) => ws.every((w, i) => isWord(tokens[1 + i], w)));
  if (words === undefined) throw wrongKind();
  let at = 1 + words.length;
  if (isWord(tokens[at], 'if') && isWord(tokens[at + 1], 'not') && isWord(tokens[at + 2], 'exists')) at += 3;
  const name = nameOf(tokens[at]);
  if (name === null) throw wrongKind();
  return name;
}

function nameOf(t: Token | undefined): string | null {
  return t !== undefined && (t.kind === 'word' || t.kind === 'quoted') ? t.value : null;
}

export async function pauseQuery(req: ApiRequest): Promise<JsonReply> {
  return alterQuery(req, 'PAUSE');
}

export async function resumeQuery(req: ApiRequest): Promise<JsonReply> {
  return alterQuery(req, 'RESUME');
}

async function alterQuery(req: ApiRequest, action: 'PAUSE' | 'RESUME'): Promise<JsonReply> {
  const name = req.params.name;
  const { results } = await req.api.sql.run(req.user, `ALTER CONTINUOUS QUERY ${quoteIdent(name)} ${action}`, [], req.signal);
  return { status: 200, body: { command: results[0].command, object: await describe(req, KINDS.queries, name) } };
}

export async function dropObject(req: ApiRequest): Promise<JsonReply> {
  const kind = kindOf(req);
  const cascade = req.query.get('cascade');
  if (cascade !== null && cascade !== 'true' && cascade !== 'false') {
    throw new HttpError(400, SQLSTATE.invalid_parameter_value, 'cascade must be true or false');
  }
  const sql = `DROP ${kind.ddl} ${quoteIdent(req.params.name)}${cascade === 'true' ? ' CASCADE' : ''}`;
  const { results } = await req.api.sql.run(req.user, sql, [], req.signal);
  return { status: 200, body: { command: results[0].command } };
}
