// Runs SQL for the HTTP API through the Backend, the same prepare + execute the wire protocol uses: one fresh
// session per call, statements run in order until one fails; a transaction left open ends with the request
// (rolled back, as when a wire client hangs up).

import type { Backend, FieldDescription, PreparedStatement, RowStreamResult, StatementResult } from '../backend';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Value } from '../../engine/types';
import type { TimeZone } from '../../engine/values/zone';
import { sessionTimeZone } from '../session/settings';
import { decodeParam } from '../protocol/values';
import { HttpSession, type HttpUser, type Notice } from './http-session';
import { jsonRow, typeNameOf, type JsonValue } from './json-values';

export interface Column {
  readonly name: string;
  readonly type: string;
  readonly typeOid: number;
}

/** What one statement did: its command tag, and its columns and rows when it returns rows. */
export interface StatementOutput {
  readonly command: string;
  readonly columns?: readonly Column[];
  readonly rows?: readonly JsonValue[][];
}

/** What a COPY FROM STDIN run over HTTP did: rows applied, and records its stream's on_error left out. */
export interface CopyInOutput {
  readonly rows: number;
  readonly deadLettered: number;
  readonly skipped: number;
}

export interface SqlOutput {
  readonly results: readonly StatementOutput[];
  readonly notices: readonly Notice[];
}

/** How much one response may carry, so that one request cannot exhaust the server's memory. */
export interface ResultLimits {
  readonly maxRows: number;
  /** Bytes of the rows as JSON text. */
  readonly maxBytes: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = { maxRows: 100_000, maxBytes: 32 * 1024 * 1024 };

export class SqlRunner {
  constructor(
    private readonly backend: Backend,
    private readonly serverVersion: string,
    private readonly limits: ResultLimits = DEFAULT_RESULT_LIMITS,
  ) {}

  /**
   * Every statement of `sql`, in one session. `params` ($1, $2, ...) are JSON values taken as the parameters' text
   * (objects and arrays as JSON text), as a driver would send them; they need a single statement, as in Parse.
   */
  async run(user: HttpUser, sql: string, params: readonly JsonValue[], signal: AbortSignal): Promise<SqlOutput> {
    const session = new HttpSession(user, this.serverVersion);
    try {
      const statements = await this.backend.prepare(sql, [], session);
      if (params.length > 0 && statements.length > 1) {
        throw new SqlError(SQLSTATE.syntax_error, 'cannot insert multiple commands into a prepared statement');
      }
      const budget = { rows: this.limits.maxRows, bytes: this.limits.maxBytes };
      const results: StatementOutput[] = [];
      for (const statement of statements) {
        const values = params.map((p, i) => parameterValue(p, statement.paramTypeOids[i] ?? 0, i, sessionTimeZone(session)));
        results.push(await runStatement(statement, session, values, signal, budget));
      }
      return { results, notices: session.notices };
    } finally {
      this.backend.sessionClosed(session);
    }
  }

  /**
   * One COPY ... FROM STDIN, fed `data` a chunk at a time: each chunk is taken before the next is read, so a body of
   * any size is read only as fast as it is applied. Resolves once the rows are durable, as a wire COPY's
   * CommandComplete does; on any failure the COPY is aborted and nothing is applied.
   */
  async copyIn(user: HttpUser, sql: string, data: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<CopyInOutput> {
    const session = new HttpSession(user, this.serverVersion);
    try {
      const [statement, ...more] = await this.backend.prepare(sql, [], session);
      if (statement === undefined || more.length > 0) throw new Error('copyIn takes exactly one COPY statement');
      const result = await statement.execute(session, [], { signal });
      if (result.kind !== 'copy_in') throw new Error(`copyIn ran a statement that is not COPY FROM STDIN: ${result.kind}`);
      try {
        for await (const chunk of data) {
          if (signal.aborted) throw new SqlError(SQLSTATE.query_canceled, 'the client went away during the COPY');
          await result.write(chunk);
        }
        const tag = await result.end();
        return { rows: Number(tag.slice('COPY '.length)), ...(result.rejected?.() ?? { deadLettered: 0, skipped: 0 }) };
      } catch (e) {
        result.abort(e instanceof Error ? e.message : String(e));
        throw e;
      }
    } finally {
      this.backend.sessionClosed(session);
    }
  }

  /**
   * One statement whose rows keep coming (SUBSCRIBE), handed to `consume` while its session lives; the session ends
   * when `consume` settles. Any other kind of result is a bug of the caller.
   */
  async stream<R>(
    user: HttpUser, sql: string, signal: AbortSignal, consume: (rows: RowStreamResult) => Promise<R>,
  ): Promise<R> {
    const session = new HttpSession(user, this.serverVersion);
    try {
      const [statement, ...more] = await this.backend.prepare(sql, [], session);
      if (statement === undefined || more.length > 0) throw new Error('stream takes exactly one statement');
      const result = await statement.execute(session, [], { signal });
      if (result.kind !== 'row_stream') throw new Error(`stream ran a statement whose rows do not keep coming: ${result.kind}`);
      return await consume(result);
    } finally {
      this.backend.sessionClosed(session);
    }
  }

  /** The rows of one statement as objects keyed by column name (for the API's own queries). */
  async rows(user: HttpUser, sql: string, params: readonly JsonValue[], signal: AbortSignal): Promise<Record<string, JsonValue>[]> {
    const { results } = await this.run(user, sql, params, signal);
    const last = results[results.length - 1];
    const columns = last?.columns ?? [];
    return (last?.rows ?? []).map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
  }
}

function parameterValue(p: JsonValue, oid: number, index: number, zone: TimeZone): Value {
  if (p === null) return null;
  const text = typeof p === 'string' ? p : JSON.stringify(p);
  return decodeParam(Buffer.from(text, 'utf8'), 0, oid, index, zone);
}

async function runStatement(
  statement: PreparedStatement, session: HttpSession, params: readonly Value[], signal: AbortSignal,
  budget: { rows: number; bytes: number },
): Promise<StatementOutput> {
  // Its own signal, so that a result refused here can be stopped without ending the request.
  const stop = new AbortController();
  const stopWithRequest = (): void => stop.abort(signal.reason);
  signal.addEventListener('abort', stopWithRequest, { once: true });
  try {
    return shape(await statement.execute(session, params, { signal: stop.signal }), statement, session, budget, stop);
  } finally {
    signal.removeEventListener('abort', stopWithRequest);
  }
}

function shape(
  result: StatementResult, statement: PreparedStatement, session: HttpSession, budget: { rows: number; bytes: number },
  stop: AbortController,
): StatementOutput {
  if (statement.transaction === 'begin' && session.transactionStatus === 'I') session.transactionStatus = 'T';
  if (statement.transaction === 'commit' || statement.transaction === 'rollback') session.transactionStatus = 'I';
  switch (result.kind) {
    case 'command':
      return { command: result.tag };
    case 'rows':
      return { command: result.tag(result.rows.length), columns: columnsOf(result.fields), rows: jsonRows(result, budget, sessionTimeZone(session)) };
    default:
      stop.abort();
      throw refuseStreaming(result);
  }
}

function columnsOf(fields: readonly FieldDescription[]): Column[] {
  return fields.map((f) => ({ name: f.name, type: typeNameOf(f.typeOid), typeOid: f.typeOid }));
}

function jsonRows(
  result: Extract<StatementResult, { kind: 'rows' }>, budget: { rows: number; bytes: number }, zone: TimeZone,
): JsonValue[][] {
  const out: JsonValue[][] = [];
  for (const row of result.rows) {
    const json = jsonRow(row, result.fields, zone);
    budget.rows -= 1;
    budget.bytes -= JSON.stringify(json).length;
    if (budget.rows < 0 || budget.bytes < 0) {
      throw new SqlError(SQLSTATE.out_of_memory, 'the result is too large for one HTTP response', {
        hint: 'Add a LIMIT, or read it over the PostgreSQL protocol with a cursor.',
      });
    }
    out.push(json);
  }
  return out;
}

/** Results that keep coming or need the COPY sub-protocol are not for a JSON response; they are stopped here. */
function refuseStreaming(result: Exclude<StatementResult, { kind: 'command' | 'rows' }>): SqlError {
  if (result.kind === 'copy_in') result.abort('COPY FROM STDIN is not available over HTTP');
  else result.failed?.catch(() => undefined);
  const what = result.kind === 'row_stream' ? 'SUBSCRIBE' : 'COPY';
  return new SqlError(SQLSTATE.feature_not_supported, `${what} is not available through POST /api/v1/sql`, {
    hint: result.kind === 'row_stream' ? 'Run SUBSCRIBE over the PostgreSQL protocol.' : 'Run COPY over the PostgreSQL protocol.',
  });
}
