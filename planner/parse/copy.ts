// COPY's syntax: `COPY name [(cols)] FROM STDIN`, `COPY name [(cols)] TO STDOUT`, `COPY (query) TO STDOUT` and
// `COPY (SUBSCRIBE ...) TO STDOUT`, each with PostgreSQL's options, in the parenthesized form
// `[WITH] (FORMAT csv, HEADER, DELIMITER ',', NULL '', QUOTE '"', ESCAPE '"', FORCE_QUOTE (a, b) | *)` or the old
// one `[WITH] CSV HEADER DELIMITER [AS] ',' NULL [AS] '' QUOTE [AS] '"' ESCAPE [AS] '"' FORCE QUOTE a, b | *`.
// What the options mean together is checked when the statement is planned (planner/copy.ts).

import { SqlError, SQLSTATE } from '../../engine/errors';
import type { CopyFromFormat, CopyOptionsAst, Name, StatementAst, SubscribeAst } from './ast';
import type { Cursor } from './cursor';
import { name, nameList } from './names';
import { parseQuery, startsQuery } from './query';

function unsupported(message: string, pos: number): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: pos + 1 });
}

/** `parseSubscribe` reads the SUBSCRIBE inside `COPY (SUBSCRIBE ...) TO STDOUT` (statement.ts owns its grammar). */
export function parseCopy(c: Cursor, parseSubscribe: (c: Cursor) => SubscribeAst): StatementAst {
  const copyPos = c.expectWord('copy').start;
  if (c.isOp('(')) {
    const open = c.expectOp('(');
    if (c.isWord('subscribe')) return parseCopySubscribe(c, copyPos, parseSubscribe);
    if (!startsQuery(c)) throw unsupported('COPY (query) TO takes a SELECT, VALUES or SUBSCRIBE', open.start);
    const query = parseQuery(c);
    c.expectOp(')');
    c.expectWord('to');
    toStdout(c);
    return { kind: 'copy_to', source: { kind: 'query', query }, options: parseCopyOptions(c, copyPos) };
  }
  const table = name(c);
  const columns = nameList(c);
  if (c.acceptWord('to')) {
    toStdout(c);
    return { kind: 'copy_to', source: { kind: 'relation', relation: table, columns }, options: parseCopyOptions(c, copyPos) };
  }
  c.expectWord('from');
  if (!c.acceptWord('stdin')) {
    throw unsupported('COPY FROM a file is not supported; use COPY ... FROM STDIN', c.peek().start);
  }
  const fromOnly = { format: null as CopyFromFormat | null };
  const o = parseCopyOptions(c, copyPos, fromOnly);
  if (o.quote !== null || o.escape !== null || o.forceQuote !== null) {
    throw unsupported('COPY FROM STDIN takes the FORMAT, HEADER, DELIMITER and NULL options only', copyPos);
  }
  if (fromOnly.format === 'json' && (o.header || o.delimiter !== null || o.null !== null)) {
    throw unsupported('COPY FROM STDIN (FORMAT json) takes no other option', copyPos);
  }
  const format = fromOnly.format ?? o.format;
  return { kind: 'copy_from', table, columns, format, header: o.header, delimiter: o.delimiter, null: o.null };
}

/**
 * TO STDOUT; a file or a program is refused: the server writes no files for its clients (PostgreSQL lets only its
 * superusers do that). psql's `\copy ... TO 'file'` writes the file on the client's side through COPY TO STDOUT.
 */
function toStdout(c: Cursor): void {
  if (c.acceptWord('stdout')) return;
  throw new SqlError(SQLSTATE.feature_not_supported, 'COPY TO a file or program is not supported; use COPY ... TO STDOUT', {
    position: c.peek().start + 1,
    hint: 'psql\'s \\copy ... TO \'file\' writes the file on the client\'s side.',
  });
}

/** COPY (SUBSCRIBE ...) TO STDOUT [options]: its lines are shared between subscribers, so FORMAT is the one option. */
function parseCopySubscribe(c: Cursor, copyPos: number, parseSubscribe: (c: Cursor) => SubscribeAst): StatementAst {
  const subscribe = parseSubscribe(c);
  c.expectOp(')');
  c.expectWord('to');
  toStdout(c);
  const o = parseCopyOptions(c, copyPos);
  if (o.header || o.delimiter !== null || o.null !== null || o.quote !== null || o.escape !== null || o.forceQuote !== null) {
    throw unsupported('COPY (SUBSCRIBE ...) takes only the FORMAT option', copyPos);
  }
  return { ...subscribe, output: { kind: 'copy', format: o.format } };
}

type MutableCopyOptions = { -readonly [K in keyof CopyOptionsAst]: CopyOptionsAst[K] };

/** `from` (given by COPY FROM only) is told of FORMAT json, which COPY TO and COPY (SUBSCRIBE) refuse (0A000). */
function parseCopyOptions(c: Cursor, copyPos: number, from?: { format: CopyFromFormat | null }): CopyOptionsAst {
  const o: MutableCopyOptions = {
    format: 'text', header: false, delimiter: null, null: null, quote: null, escape: null, forceQuote: null,
  };
  const setFormat = (v: string, pos: number): void => {
    if (v === 'json' && from !== undefined) {
      from.format = 'json';
      return;
    }
    if (v !== 'csv' && v !== 'text') throw unsupported(`COPY format "${v}" is not supported`, pos);
    o.format = v;
  };
  const withKeyword = c.acceptWord('with');
  if (c.acceptOp('(')) {
    const seen = new Set<string>();
    do {
      const k = c.expectAnyName();
      const key = k.name.toLowerCase();
      if (seen.has(key)) throw new SqlError(SQLSTATE.syntax_error, 'conflicting or redundant options', { position: k.pos + 1 });
      seen.add(key);
      switch (key) {
        case 'format': { const v = c.next(); setFormat(v.value.toLowerCase(), v.start); break; }
        case 'header': o.header = headerValue(c); break;
        case 'delimiter': o.delimiter = c.expectString().value; break;
        case 'null': o.null = c.expectString().value; break;
        case 'quote': o.quote = c.expectString().value; break;
        case 'escape': o.escape = c.expectString().value; break;
        case 'force_quote': o.forceQuote = c.acceptOp('*') ? 'all' : requiredNameList(c); break;
        default:
          throw new SqlError(SQLSTATE.syntax_error, `option "${k.name}" not recognized`, { position: k.pos + 1 });
      }
    } while (c.acceptOp(','));
    c.expectOp(')');
  } else {
    for (;;) {
      const t = c.peek();
      if (c.acceptWord('csv')) o.format = 'csv';
      else if (c.acceptWord('text')) o.format = 'text';
      else if (c.acceptWord('binary')) setFormat('binary', t.start);
      else if (c.acceptWord('header')) o.header = true;
      else if (c.acceptWord('delimiter')) { c.acceptWord('as'); o.delimiter = c.expectString().value; }
      else if (c.acceptWord('null')) { c.acceptWord('as'); o.null = c.expectString().value; }
      else if (c.acceptWord('quote')) { c.acceptWord('as'); o.quote = c.expectString().value; }
      else if (c.acceptWord('escape')) { c.acceptWord('as'); o.escape = c.expectString().value; }
      else if (c.acceptWord('force', 'quote')) o.forceQuote = c.acceptOp('*') ? 'all' : bareNameList(c);
      else if (c.acceptWord('format')) { setFormat(c.next().value.toLowerCase(), t.start); }
      else break;
    }
    if (withKeyword && !c.atEnd() && c.peek().kind !== 'eof') throw c.unexpected();
  }
  if (o.delimiter !== null && o.delimiter.length !== 1) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'COPY delimiter must be a single one-byte character', { position: copyPos + 1 });
  }
  return o;
}

/** HEADER's value: absent means true, as in PostgreSQL. */
function headerValue(c: Cursor): boolean {
  const v = c.peek();
  if (v.kind === 'eof' || v.kind === 'op') return true;
  c.next();
  const s = v.value.toLowerCase();
  if (['true', 'on', '1'].includes(s)) return true;
  if (['false', 'off', '0'].includes(s)) return false;
  throw new SqlError(SQLSTATE.invalid_parameter_value, 'header requires a Boolean value', { position: v.start + 1 });
}

function requiredNameList(c: Cursor): Name[] {
  const names = nameList(c);
  if (names === null) throw c.unexpected();
  return names;
}

/** The old syntax's FORCE QUOTE a, b: names without parentheses. */
function bareNameList(c: Cursor): Name[] {
  const names = [c.expectIdent()];
  while (c.acceptOp(',')) names.push(c.expectIdent());
  return names;
}
