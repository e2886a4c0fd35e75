// parseStatement: one statement's text to its syntax tree. The streaming DDL of SQL.md (CREATE STREAM / TABLE /
// CONTINUOUS QUERY / MATERIALIZED VIEW / SINK, DROP, ALTER ... PAUSE | RESUME, SHOW, EXPLAIN, SUBSCRIBE) and DML
// (INSERT, UPDATE, DELETE) are parsed here; COPY by copy.ts, SELECT and expressions by query.ts and expr.ts.

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { Interval } from '../../engine/types';
import type { Ast, AstExpr, ColumnDefAst, ExplainOptions, Name, ObjectKindAst, OnConflictAst, OptionAst, StatementAst, SubscribeAst, SubscribeOutput } from './ast';
import { Cursor, isReserved } from './cursor';
import type { Token } from './lexer';
import { parseExpr } from './expr';
import { parseCopy } from './copy';
import { name, nameList } from './names';
import { parseQuery, parseReturning, startsQuery } from './query';
import { parseType } from './types';
import { parseGrant } from './grants';
import { parseAlterRole, parseCreateRole, parseDropRole, startsRole } from './roles';

/** `tokens`: the tokens of `text` (offsets relative to it) when the caller has lexed it already. */
export function parseStatement(text: string, tokens?: readonly Token[]): Ast {
  const c = new Cursor(text, tokens);
  const statement = parseAny(c);
  c.expectEnd();
  return { text, statement };
}

function unsupported(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1 });
}

function parseAny(c: Cursor): StatementAst {
  const t = c.peek();
  if (startsQuery(c) || c.isOp('(')) return { kind: 'query', query: parseQuery(c) };
  if (t.kind !== 'word') throw c.unexpected();
  switch (t.value) {
    case 'create': return parseCreate(c);
    case 'drop': return parseDrop(c);
    case 'alter': return parseAlter(c);
    case 'show': return parseShow(c);
    case 'explain': return parseExplain(c);
    case 'insert': return parseInsert(c);
    case 'update': return parseUpdate(c);
    case 'delete': return parseDelete(c);
    case 'copy': return parseCopy(c, (inner) => parseSubscribe(inner, { kind: 'rows' }));
    case 'subscribe': return parseSubscribe(c, { kind: 'rows' });
    case 'grant': case 'revoke': return parseGrant(c);
    default: throw c.unexpected();
  }
}

function ifNotExists(c: Cursor): boolean {
  return c.acceptWord('if', 'not', 'exists');
}

function parseCreate(c: Cursor): StatementAst {
  c.expectWord('create');
  if (startsRole(c)) return parseCreateRole(c);
  const t = c.peek();
  if (c.acceptWord('stream')) return parseCreateStream(c);
  if (c.acceptWord('table')) return parseCreateTable(c);
  if (c.acceptWord('continuous', 'query')) return parseCreateQuery(c, false);
  if (c.acceptWord('materialized', 'view')) return parseCreateQuery(c, true);
  if (c.acceptWord('sink')) {
    const ine = ifNotExists(c);
    const n = name(c);
    c.expectWord('from');
    const from = name(c);
    return { kind: 'create_sink', ifNotExists: ine, name: n, from, options: parseWith(c, true) };
  }
  if (c.isWord('view') || c.isWord('index') || c.isWord('or') || c.isWord('schema') || c.isWord('function')) {
    throw unsupported(`CREATE ${t.value.toUpperCase()} is not supported`, t.start);
  }
  throw c.unexpected();
}

function parseColumnDef(c: Cursor): ColumnDefAst {
  const n = c.expectIdent();
  const type = parseType(c);
  let notNull = false;
  let primaryKey = false;
  for (;;) {
    if (c.acceptWord('not', 'null')) notNull = true;
    else if (c.acceptWord('null')) notNull = false;
    else if (c.acceptWord('primary', 'key')) { primaryKey = true; notNull = true; }
    else if (c.isWord('default') || c.isWord('unique') || c.isWord('references') || c.isWord('check')) {
      throw unsupported(`column constraint ${c.peek().value.toUpperCase()} is not supported`, c.peek().start);
    } else break;
  }
  return { name: n.name, type, notNull, primaryKey, pos: n.pos };
}

function parseCreateStream(c: Cursor): StatementAst {
  const ine = ifNotExists(c);
  const n = name(c);
  c.expectOp('(');
  const columns: ColumnDefAst[] = [];
  let watermark: { column: Name; delay: Interval; pos: number } | null = null;
  do {
    if (c.isWord('watermark')) {
      const pos = c.next().start;
      if (watermark !== null) throw new SqlError(SQLSTATE.syntax_error, 'a stream has at most one WATERMARK', { position: pos + 1 });
      c.expectWord('for');
      const column = c.expectIdent();
      c.expectWord('as');
      watermark = { column, delay: parseWatermarkDelay(c, column), pos };
    } else {
      columns.push(parseColumnDef(c));
    }
  } while (c.acceptOp(','));
  c.expectOp(')');
  return { kind: 'create_stream', ifNotExists: ine, name: n, columns, watermark, options: parseWith(c, false) };
}

/** `col` or `col - INTERVAL '...'`: the watermark lags the largest event time seen by a fixed delay. */
function parseWatermarkDelay(c: Cursor, column: Name): Interval {
  const e: AstExpr = parseExpr(c);
  const isColumn = (x: AstExpr): boolean => x.kind === 'column' && x.parts.length === 1 && x.parts[0] === column.name;
  if (isColumn(e)) return { months: 0, days: 0, micros: 0 };
  if (e.kind === 'binary' && e.op === '-' && isColumn(e.left) && e.right.kind === 'interval') return e.right.value;
  throw unsupported(`WATERMARK FOR ${column.name} must be "AS ${column.name}" or "AS ${column.name} - INTERVAL '...'"`, e.pos);
}

function parseCreateTable(c: Cursor): StatementAst {
  const ine = ifNotExists(c);
  const n = name(c);
  if (c.isWord('as')) throw unsupported('CREATE TABLE ... AS is not supported; use CREATE CONTINUOUS QUERY', c.peek().start);
  c.expectOp('(');
  const columns: ColumnDefAst[] = [];
  let primaryKey: Name[] | null = null;
  do {
    if (c.isWord('primary')) {
      const pos = c.peek().start;
      c.expectWord('primary', 'key');
      if (primaryKey !== null || columns.some((col) => col.primaryKey)) {
        throw new SqlError(SQLSTATE.invalid_column_reference, `multiple primary keys for table "${n.name}" are not allowed`, { position: pos + 1 });
      }
      c.expectOp('(');
      primaryKey = [c.expectIdent()];
      while (c.acceptOp(',')) primaryKey.push(c.expectIdent());
      c.expectOp(')');
    } else {
      const col = parseColumnDef(c);
      if (col.primaryKey && (primaryKey !== null || columns.some((x) => x.primaryKey))) {
        throw new SqlError(SQLSTATE.invalid_column_reference, `multiple primary keys for table "${n.name}" are not allowed`, { position: col.pos + 1 });
      }
      columns.push(col);
    }
  } while (c.acceptOp(','));
  c.expectOp(')');
  return { kind: 'create_table', ifNotExists: ine, name: n, columns, primaryKey, options: parseWith(c, false) };
}

function parseCreateQuery(c: Cursor, materializedView: boolean): StatementAst {
  const ine = ifNotExists(c);
  const n = name(c);
  const options = parseWith(c, false);
  c.expectWord('as');
  const query = parseQuery(c);
  let emit: { mode: 'changes' | 'on_window_close'; pos: number } | null = null;
  if (c.isWord('emit')) {
    const pos = c.next().start;
    if (c.acceptWord('changes')) emit = { mode: 'changes', pos };
    else {
      c.expectWord('on', 'window', 'close');
      emit = { mode: 'on_window_close', pos };
    }
  }
  return { kind: 'create_query', ifNotExists: ine, materializedView, name: n, options, query, emit };
}

/** WITH (key = value, ...): keys folded to lower case, values as written (strings unquoted). */
function parseWith(c: Cursor, required: boolean): OptionAst[] {
  if (!c.acceptWord('with')) {
    if (required) throw c.unexpected();
    return [];
  }
  c.expectOp('(');
  const options: OptionAst[] = [];
  do {
    const k = c.expectAnyName();
    let key = k.name.toLowerCase();
    while (c.acceptOp('.')) key += `.${c.expectAnyName().name.toLowerCase()}`;
    c.expectOp('=');
    const v = c.next();
    if (v.kind !== 'string' && v.kind !== 'number' && v.kind !== 'word') throw c.unexpected(v);
    if (options.some((o) => o.key === key)) {
      throw new SqlError(SQLSTATE.syntax_error, `option "${key}" specified more than once`, { position: k.pos + 1 });
    }
    options.push({ key, value: v.value, pos: k.pos });
  } while (c.acceptOp(','));
  c.expectOp(')');
  return options;
}

/** STREAM | TABLE | CONTINUOUS QUERY | MATERIALIZED VIEW | SINK, after DROP or SHOW (plural there). */
function objectKind(c: Cursor, plural: boolean): { kind: ObjectKindAst; materializedView: boolean } {
  const s = plural ? 's' : '';
  if (c.acceptWord(`stream${s}`)) return { kind: 'stream', materializedView: false };
  if (c.acceptWord(`table${s}`)) return { kind: 'table', materializedView: false };
  if (c.acceptWord(`sink${s}`)) return { kind: 'sink', materializedView: false };
  if (c.acceptWord('continuous', plural ? 'queries' : 'query')) return { kind: 'query', materializedView: false };
  if (c.acceptWord('materialized', `view${s}`)) return { kind: 'query', materializedView: true };
  if (c.isWord('view') || c.isWord('index') || c.isWord('schema')) {
    throw unsupported(`${c.peek().value.toUpperCase()} objects are not supported`, c.peek().start);
  }
  throw c.unexpected();
}

function parseDrop(c: Cursor): StatementAst {
  c.expectWord('drop');
  if (startsRole(c)) return parseDropRole(c);
  const k = objectKind(c, false);
  const ifExists = c.acceptWord('if', 'exists');
  const n = name(c);
  if (c.isOp(',')) throw unsupported('DROP of several objects at once is not supported', c.peek().start);
  const cascade = c.acceptWord('cascade');
  if (!cascade) c.acceptWord('restrict');
  return { kind: 'drop', objectKind: k.kind, materializedView: k.materializedView, ifExists, name: n, cascade };
}

function parseAlter(c: Cursor): StatementAst {
  c.expectWord('alter');
  if (startsRole(c)) return parseAlterRole(c);
  if (!c.acceptWord('continuous', 'query')) c.expectWord('materialized', 'view');
  const n = name(c);
  if (c.acceptWord('pause')) return { kind: 'alter_query', name: n, action: 'pause' };
  c.expectWord('resume');
  return { kind: 'alter_query', name: n, action: 'resume' };
}

function parseShow(c: Cursor): StatementAst {
  c.expectWord('show');
  return { kind: 'show', objectKind: objectKind(c, true).kind };
}

function parseExplain(c: Cursor): StatementAst {
  c.expectWord('explain');
  const optionsAt = c.peek().start;
  const options = parseExplainOptions(c);
  if (c.acceptWord('continuous', 'query') || c.acceptWord('materialized', 'view')) {
    if (options.format === 'json' && !options.analyze) {
      throw unsupported('EXPLAIN (FORMAT JSON) needs ANALYZE', optionsAt);
    }
    return { kind: 'explain_query', name: name(c), ...options };
  }
  if (options.analyze || options.format === 'json') {
    throw unsupported('EXPLAIN ANALYZE is supported for continuous queries only: EXPLAIN ANALYZE CONTINUOUS QUERY name', optionsAt);
  }
  if (!startsQuery(c)) throw c.unexpected();
  return { kind: 'explain', query: parseQuery(c) };
}

/** `ANALYZE`, or PostgreSQL's parenthesized list of which Sluice knows ANALYZE [boolean] and FORMAT TEXT | JSON. */
function parseExplainOptions(c: Cursor): ExplainOptions {
  if (c.acceptWord('analyze')) return { analyze: true, format: 'text' };
  if (c.isWord('verbose')) throw unsupported('EXPLAIN VERBOSE is not supported', c.peek().start);
  const options = { analyze: false, format: 'text' as ExplainOptions['format'] };
  if (!c.acceptOp('(')) return options;
  do {
    const option = c.peek();
    if (c.acceptWord('analyze')) {
      options.analyze = !(c.acceptWord('false') || c.acceptWord('off'));
      if (options.analyze && !c.acceptWord('true')) c.acceptWord('on');
    } else if (c.acceptWord('format')) {
      if (c.acceptWord('json')) options.format = 'json';
      else if (c.acceptWord('text')) options.format = 'text';
      else throw unsupported('EXPLAIN formats are TEXT and JSON', c.peek().start);
    } else {
      throw unsupported(`EXPLAIN option ${String(option.value).toUpperCase()} is not supported`, option.start);
    }
  } while (c.acceptOp(','));
  c.expectOp(')');
  return options;
}

function parseInsert(c: Cursor): StatementAst {
  c.expectWord('insert', 'into');
  const table = name(c);
  const columns = nameList(c);
  if (c.isWord('default')) throw unsupported('DEFAULT VALUES is not supported', c.peek().start);
  const source = parseQuery(c);
  const onConflict = parseOnConflict(c);
  return { kind: 'insert', table, columns, source, onConflict, returning: parseReturning(c) };
}

function parseOnConflict(c: Cursor): OnConflictAst | null {
  const pos = c.peek().start;
  if (!c.acceptWord('on')) return null;
  c.expectWord('conflict');
  const target = nameList(c);
  c.expectWord('do');
  if (c.acceptWord('nothing')) return { target, action: { kind: 'nothing' }, pos };
  c.expectWord('update', 'set');
  return { target, action: { kind: 'update', assignments: parseAssignments(c), where: c.acceptWord('where') ? parseExpr(c) : null }, pos };
}

/** col = expr, ... (UPDATE's SET list). */
function parseAssignments(c: Cursor): { column: Name; value: AstExpr }[] {
  const assignments: { column: Name; value: AstExpr }[] = [];
  do {
    const column = c.expectIdent();
    c.expectOp('=');
    assignments.push({ column, value: parseExpr(c) });
  } while (c.acceptOp(','));
  return assignments;
}

function tableAlias(c: Cursor): string | null {
  if (c.acceptWord('as')) return c.expectIdent().name;
  const t = c.peek();
  if (t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.value))) {
    return c.expectIdent().name;
  }
  return null;
}

function parseUpdate(c: Cursor): StatementAst {
  c.expectWord('update');
  const table = name(c);
  const alias = tableAlias(c);
  c.expectWord('set');
  const assignments = parseAssignments(c);
  if (c.isWord('from')) throw unsupported('UPDATE ... FROM is not supported', c.peek().start);
  const where = c.acceptWord('where') ? parseExpr(c) : null;
  return { kind: 'update', table, alias, assignments, where, returning: parseReturning(c) };
}

function parseDelete(c: Cursor): StatementAst {
  c.expectWord('delete', 'from');
  const table = name(c);
  const alias = tableAlias(c);
  if (c.isWord('using')) throw unsupported('DELETE ... USING is not supported', c.peek().start);
  const where = c.acceptWord('where') ? parseExpr(c) : null;
  return { kind: 'delete', table, alias, where, returning: parseReturning(c) };
}

/** SUBSCRIBE [TO] name [WITH (option = value, ...)]; the options are checked when planned. */
function parseSubscribe(c: Cursor, output: SubscribeOutput): SubscribeAst {
  c.expectWord('subscribe');
  c.acceptWord('to');
  if (c.isOp('(')) throw unsupported('SUBSCRIBE to a query is not supported; SUBSCRIBE TO a continuous query, table or stream', c.peek().start);
  const relation = name(c);
  return { kind: 'subscribe', relation, options: parseWith(c, false), output };
}
