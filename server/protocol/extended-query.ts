// The extended query protocol: Parse, Bind, Describe, Execute and Close over named and unnamed prepared statements
// and portals, with PostgreSQL's lifetimes: the unnamed statement and portal are replaced by the next Parse / Bind
// (and dropped by a simple Query); portals end with their transaction, which outside a block is at Sync.

import type { Backend, FieldDescription, PreparedStatement, RowsResult, StatementResult } from '../backend';
import type { Value } from '../../engine/types';
import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Channel } from './channel';
import type { FrontendMessage } from './messages-in';
import type { ProtocolSession } from './session';
import type { RunnerHooks, StatementRunner } from './runner';
import {
  BIND_COMPLETE, CLOSE_COMPLETE, EMPTY_QUERY_RESPONSE, NO_DATA, PARSE_COMPLETE, PORTAL_SUSPENDED, parameterDescription,
  rowDescription,
} from './messages-out';
import { sessionTimeZone } from '../session/settings';
import { decodeParam, valueEncoder, type FormatCode, type ValueEncoder } from './values';
import { copyIn, copyOut } from './copy';
import { sendRowStream } from './streaming';

interface StoredStatement {
  readonly name: string;
  /** null for an empty query string (Execute answers EmptyQueryResponse). */
  readonly prepared: PreparedStatement | null;
  readonly paramTypeOids: readonly number[];
  /** What describe() said, asked once: Bind needs it every time (drivers re-bind named statements a lot). */
  fields?: readonly FieldDescription[] | null;
}

type PortalState =
  | { readonly kind: 'ready' }
  | { readonly kind: 'rows'; readonly result: RowsResult; readonly encoders: readonly ValueEncoder[]; sent: number }
  | { readonly kind: 'done'; readonly returnedRows: boolean };

interface Portal {
  readonly name: string;
  readonly statement: StoredStatement;
  readonly params: readonly Value[];
  readonly fields: readonly FieldDescription[] | null;
  readonly formats: readonly FormatCode[];
  readonly encoders: readonly ValueEncoder[];
  state: PortalState;
}

type Msg<K extends FrontendMessage['kind']> = Extract<FrontendMessage, { kind: K }>;

function quoteName(kind: 'prepared statement' | 'portal', name: string): string {
  return name === '' ? `unnamed ${kind}` : `${kind} "${name}"`;
}

/** A format-code list applies to n items when it has 0 entries (all text), 1 (for all) or n. */
function formatsFor(codes: readonly number[], n: number): FormatCode[] {
  return Array.from({ length: n }, (_, i) => {
    const code = codes.length === 0 ? 0 : codes.length === 1 ? codes[0] : codes[i];
    if (code !== 0 && code !== 1) throw new SqlError(SQLSTATE.invalid_parameter_value, `unsupported format code: ${code}`);
    return code;
  });
}

export class ExtendedQuery implements RunnerHooks {
  private readonly statements = new Map<string, StoredStatement>();
  private readonly portals = new Map<string, Portal>();
  runner!: StatementRunner;

  constructor(
    private readonly channel: Channel,
    private readonly session: ProtocolSession,
    private readonly backend: Backend,
    private readonly maxMessageBytes: number,
  ) {}

  transactionEnded(): void {
    this.portals.clear();
  }

  discardAll(): void {
    this.portals.clear();
    this.statements.clear();
  }

  /** A simple Query drops the unnamed statement and portal. */
  dropUnnamed(): void {
    this.statements.delete('');
    this.portals.delete('');
  }

  async parse(m: Msg<'parse'>): Promise<void> {
    if (m.name !== '' && this.statements.has(m.name)) {
      throw new SqlError(SQLSTATE.duplicate_prepared_statement, `prepared statement "${m.name}" already exists`);
    }
    const prepared = await this.backend.prepare(m.sql, m.paramTypeOids, this.session);
    if (prepared.length > 1) {
      throw new SqlError(SQLSTATE.syntax_error, 'cannot insert multiple commands into a prepared statement');
    }
    const stmt = prepared[0] ?? null;
    if (stmt !== null) this.runner.refuseIfAborted(stmt);
    this.statements.set(m.name, { name: m.name, prepared: stmt, paramTypeOids: stmt?.paramTypeOids ?? m.paramTypeOids });
    this.channel.write(PARSE_COMPLETE);
  }

  private async fieldsOf(st: StoredStatement): Promise<readonly FieldDescription[] | null> {
    if (st.fields === undefined) st.fields = st.prepared === null ? null : await st.prepared.describe(this.session);
    return st.fields;
  }

  private statement(name: string): StoredStatement {
    const s = this.statements.get(name);
    if (s === undefined) throw new SqlError(SQLSTATE.invalid_sql_statement_name, `${quoteName('prepared statement', name)} does not exist`);
    return s;
  }

  private portal(name: string): Portal {
    const p = this.portals.get(name);
    if (p === undefined) throw new SqlError(SQLSTATE.invalid_cursor_name, `portal "${name}" does not exist`);
    return p;
  }

  async bind(m: Msg<'bind'>): Promise<void> {
    const st = this.statement(m.statement);
    const n = m.params.length;
    if (m.paramFormats.length > 1 && m.paramFormats.length !== n) {
      throw new SqlError(SQLSTATE.protocol_violation, `bind message has ${m.paramFormats.length} parameter formats but ${n} parameters`);
    }
    if (n !== st.paramTypeOids.length) {
      throw new SqlError(
        SQLSTATE.protocol_violation,
        `bind message supplies ${n} parameters, but prepared statement "${m.statement}" requires ${st.paramTypeOids.length}`,
      );
    }
    this.runner.refuseIfAborted(st.prepared);
    if (m.portal !== '' && this.portals.has(m.portal)) {
      throw new SqlError(SQLSTATE.duplicate_cursor, `cursor "${m.portal}" already exists`);
    }
    const paramFormats = formatsFor(m.paramFormats, n);
    const zone = sessionTimeZone(this.session);
    const params = m.params.map((bytes, i) => decodeParam(bytes, paramFormats[i], st.paramTypeOids[i], i + 1, zone));
    const fields = await this.fieldsOf(st);
    const columns = fields?.length ?? 0;
    if (m.resultFormats.length > 1 && m.resultFormats.length !== columns) {
      throw new SqlError(SQLSTATE.protocol_violation, `bind message has ${m.resultFormats.length} result formats but query has ${columns} columns`);
    }
    const formats = formatsFor(m.resultFormats, columns);
    const encoders = (fields ?? []).map((f, i) => valueEncoder(f.typeOid, formats[i], zone));
    this.portals.set(m.portal, { name: m.portal, statement: st, params, fields, formats, encoders, state: { kind: 'ready' } });
    this.channel.write(BIND_COMPLETE);
  }

  async describe(m: Msg<'describe'>): Promise<void> {
    if (m.target === 'S') {
      const st = this.statement(m.name);
      const fields = await this.fieldsOf(st);
      this.channel.write(parameterDescription(st.paramTypeOids));
      this.channel.write(fields === null ? NO_DATA : rowDescription(fields, []));
    } else {
      const p = this.portal(m.name);
      this.channel.write(p.fields === null ? NO_DATA : rowDescription(p.fields, p.formats));
    }
  }

  close(m: Msg<'close'>): void {
    if (m.target === 'S') this.statements.delete(m.name);
    else this.portals.delete(m.name);
    this.channel.write(CLOSE_COMPLETE);
  }

  async execute(m: Msg<'execute'>): Promise<void> {
    const p = this.portal(m.portal);
    const stmt = p.statement.prepared;
    if (stmt === null) {
      this.channel.write(EMPTY_QUERY_RESPONSE);
      return;
    }
    const maxRows = m.maxRows > 0 ? m.maxRows : Infinity;
    const state = p.state;
    switch (state.kind) {
      case 'ready':
        await this.runner.run(stmt, p.params, (result, signal) => this.respond(p, result, signal, maxRows));
        return;
      case 'rows':
        this.runner.refuseIfAborted(stmt);
        await this.continueRows(p, state, maxRows);
        return;
      case 'done':
        if (!state.returnedRows) throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, `portal "${p.name}" cannot be run`);
        this.runner.commandComplete('SELECT 0');
        return;
    }
  }

  private async respond(p: Portal, result: StatementResult, signal: AbortSignal, maxRows: number): Promise<void> {
    switch (result.kind) {
      case 'command':
        p.state = { kind: 'done', returnedRows: false };
        this.runner.commandComplete(result.tag);
        return;
      case 'rows': {
        // The rows should have the columns Describe promised; if not, they are sent as they are, not misencoded.
        const same = p.fields !== null && p.fields.length === result.fields.length && p.fields.every((f, i) => f.typeOid === result.fields[i].typeOid);
        const encoders = same ? p.encoders : result.fields.map((f, i) => valueEncoder(f.typeOid, p.formats[i] ?? 0, sessionTimeZone(this.session)));
        const state = { kind: 'rows' as const, result, encoders, sent: 0 };
        p.state = state;
        await this.continueRows(p, state, maxRows);
        return;
      }
      case 'row_stream': {
        // Rows that never end cannot be fetched in parts: Execute's row limit does not apply.
        p.state = { kind: 'done', returnedRows: true };
        const encoders = result.fields.map((f, i) => valueEncoder(f.typeOid, p.formats[i] ?? 0, sessionTimeZone(this.session)));
        this.runner.commandComplete(result.tag(await sendRowStream(this.channel, result, encoders, signal)));
        return;
      }
      case 'copy_in':
        p.state = { kind: 'done', returnedRows: false };
        return copyIn(this.channel, result, this.maxMessageBytes);
      case 'copy_out':
        p.state = { kind: 'done', returnedRows: false };
        return copyOut(this.channel, result, signal);
    }
  }

  /** Up to maxRows more rows; PortalSuspended if some remain, else CommandComplete counting all rows sent. */
  private async continueRows(p: Portal, state: Extract<PortalState, { kind: 'rows' }>, maxRows: number): Promise<void> {
    const rows = state.result.rows;
    const to = Math.min(rows.length, state.sent + maxRows);
    await this.runner.sendRows(rows, state.sent, to, state.encoders);
    state.sent = to;
    if (to < rows.length) {
      this.channel.write(PORTAL_SUSPENDED);
      return;
    }
    p.state = { kind: 'done', returnedRows: true };
    this.runner.commandComplete(state.result.tag(to));
  }
}
