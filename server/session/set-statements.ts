// SET [SESSION | LOCAL] name {TO | =} value [, ...] | DEFAULT, SET TIME ZONE, SET NAMES, SET SCHEMA,
// SET TRANSACTION, SET SESSION CHARACTERISTICS AS TRANSACTION, RESET name | ALL.

import type { PreparedStatement, SessionState } from '../backend';
import { isOp, isWord, type Token } from '../../planner/parse/lexer';
import type { TokenCursor } from './token-cursor';
import { commandStatement } from './prepared';
import { inTransactionBlock, resetAllSettings, resetSetting, setSetting, type SetScope } from './session-settings';
import { applyTransactionModes, parseTransactionModes } from './transaction-modes';

/** A (possibly dotted) parameter name: words or quoted identifiers joined by dots. */
export function parseName(c: TokenCursor): string | null {
  const parts: string[] = [];
  for (;;) {
    const t = c.next();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'quoted')) return null;
    parts.push(t.value);
    if (!c.acceptOp('.')) return parts.join('.');
  }
}

type SetValue = { readonly kind: 'default' } | { readonly kind: 'value'; readonly text: string };

function quoteIdentifier(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
}

/** One list element: a word (maybe dotted), a quoted identifier, a string or a number. */
function valueItem(c: TokenCursor, quoteNames: boolean): string | null {
  const t: Token | undefined = c.next();
  if (t === undefined) return null;
  if (t.kind === 'string' || t.kind === 'number') return quoteNames && t.kind === 'string' ? quoteIdentifier(t.value) : t.value;
  if (t.kind !== 'word' && t.kind !== 'quoted') return null;
  let text = quoteNames ? quoteIdentifier(t.value) : t.value;
  while (c.acceptOp('.')) {
    const more = c.next();
    if (more === undefined || (more.kind !== 'word' && more.kind !== 'quoted')) return null;
    text += '.' + (quoteNames ? quoteIdentifier(more.value) : more.value);
  }
  return text;
}

/** The value list after TO / =; list settings (search_path) keep identifiers quoted as PostgreSQL shows them. */
function parseValues(c: TokenCursor, quoteNames: boolean): SetValue | null {
  if (isWord(c.peek(), 'default') && c.peek(1) === undefined) {
    c.next();
    return { kind: 'default' };
  }
  const items: string[] = [];
  do {
    const item = valueItem(c, quoteNames);
    if (item === null) return null;
    items.push(item);
  } while (c.acceptOp(','));
  return c.done ? { kind: 'value', text: items.join(', ') } : null;
}

function setStatement(sql: string, name: string, value: SetValue, scope: SetScope): PreparedStatement {
  return commandStatement(sql, 'SET', (session) => {
    if (value.kind === 'default') resetSetting(session, name, scope);
    else setSetting(session, name, value.text, scope);
  });
}

/**
 * SET TIME ZONE's value: LOCAL | DEFAULT, a zone name, a signed number of hours, or INTERVAL 'x' [qualifier], which
 * reaches the setting as PostgreSQL's grammar hands it on ("INTERVAL '+02:00'"; the TimeZone setting reads it).
 */
function parseTimeZoneValue(c: TokenCursor): SetValue | null {
  if (c.acceptWords('interval')) {
    const text = c.next();
    if (text?.kind !== 'string') return null;
    while (isWord(c.peek(), 'year', 'month', 'day', 'hour', 'minute', 'second', 'to')) c.next();
    return c.done ? { kind: 'value', text: `INTERVAL '${text.value}'` } : null;
  }
  const sign = c.acceptOp('-') ? '-' : c.acceptOp('+') ? '+' : '';
  const t = c.next();
  if (t === undefined || !c.done) return null;
  if (sign !== '') return t.kind === 'number' ? { kind: 'value', text: sign + t.value } : null;
  if (isWord(t, 'local', 'default')) return { kind: 'default' };
  if (t.kind === 'string' || t.kind === 'number' || t.kind === 'word') return { kind: 'value', text: t.value };
  return null;
}

export function parseSet(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // SET
  let scope: SetScope = 'session';
  if (c.acceptWords('session', 'characteristics', 'as', 'transaction')) {
    const modes = parseTransactionModes(c);
    if (modes === null || !c.done) return null;
    return commandStatement(sql, 'SET', (session) => applyTransactionModes(session, modes, 'default'));
  }
  if (isWord(c.peek(), 'session') && !isOp(c.peek(1), '=') && !isWord(c.peek(1), 'to')) {
    c.next();
  } else if (isWord(c.peek(), 'local') && !isOp(c.peek(1), '=') && !isWord(c.peek(1), 'to')) {
    c.next();
    scope = 'local';
  }
  if (c.acceptWords('time', 'zone')) {
    const value = parseTimeZoneValue(c);
    return value && setStatement(sql, 'TimeZone', value, scope);
  }
  if (c.acceptWords('names')) {
    const value = parseValues(c, false);
    return value && setStatement(sql, 'client_encoding', value, scope);
  }
  if (c.acceptWords('schema')) {
    const t = c.next();
    if (t?.kind !== 'string' || !c.done) return null;
    return setStatement(sql, 'search_path', { kind: 'value', text: quoteIdentifier(t.value) }, scope);
  }
  if (c.acceptWords('transaction')) {
    const modes = parseTransactionModes(c);
    if (modes === null || !c.done) return null;
    return commandStatement(sql, 'SET', (session: SessionState) => {
      if (!inTransactionBlock(session)) session.notice('SET TRANSACTION can only be used in transaction blocks');
      else applyTransactionModes(session, modes, 'transaction');
    });
  }
  if (isWord(c.peek(), 'role', 'constraints') || (isWord(c.peek(), 'session') && isWord(c.peek(1), 'authorization'))) {
    return null;
  }
  const name = parseName(c);
  if (name === null || !(c.acceptOp('=') || c.acceptWords('to'))) return null;
  const value = parseValues(c, name.toLowerCase() === 'search_path');
  return value && setStatement(sql, name, value, scope);
}

export function parseReset(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // RESET
  if (c.acceptWords('all')) return c.done ? commandStatement(sql, 'RESET', resetAllSettings) : null;
  let name: string | null;
  if (c.acceptWords('time', 'zone')) name = 'TimeZone';
  else if (isWord(c.peek(), 'role') || isWord(c.peek(), 'session')) return null;
  else name = parseName(c);
  if (name === null || !c.done) return null;
  const n = name;
  return commandStatement(sql, 'RESET', (session) => resetSetting(session, n, 'session'));
}
