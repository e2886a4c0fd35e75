// The expression forms with their own grammar: INTERVAL literals, and the SQL-standard calls with keywords inside the
// parentheses (SUBSTRING ... FROM ... FOR, TRIM ... FROM), rewritten to plain calls.

import { SqlError } from '../../engine/errors';
import { parseInterval } from '../../engine/text';
import type { AstExpr } from './ast';
import { syntaxError, type Cursor } from './cursor';
import { parseExpr } from './expr';

const INTERVAL_UNITS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);

/** INTERVAL '10 seconds' and INTERVAL '10' SECOND, folded to a value here so DDL can use it without binding. */
export function parseIntervalLiteral(c: Cursor): AstExpr {
  const pos = c.next().start;
  const s = c.expectString();
  let text = s.value;
  if (c.peek().kind === 'word' && INTERVAL_UNITS.has(c.peek().value.replace(/s$/, ''))) {
    const unit = c.next().value;
    if (c.isWord('to')) throw syntaxError('interval ranges (... TO ...) are not supported', c.peek().start);
    text = `${text} ${unit}`;
  }
  try {
    return { kind: 'interval', value: parseInterval(text), pos };
  } catch (e) {
    if (e instanceof SqlError) throw new SqlError(e.code, e.message, { position: s.start + 1 });
    throw e;
  }
}

/** SUBSTRING(s FROM a FOR b) and SUBSTRING(s, a, b). */
export function parseSubstring(c: Cursor): AstExpr {
  const pos = c.next().start;
  c.expectOp('(');
  const str = parseExpr(c);
  const args: AstExpr[] = [str];
  if (c.acceptWord('from')) {
    args.push(parseExpr(c));
    if (c.acceptWord('for')) args.push(parseExpr(c));
  } else if (c.acceptWord('for')) {
    args.push({ kind: 'number', text: '1', pos }, parseExpr(c));
  } else {
    while (c.acceptOp(',')) args.push(parseExpr(c));
  }
  c.expectOp(')');
  return { kind: 'call', name: 'substring', args, distinct: false, star: false, pos };
}

/** TRIM([BOTH | LEADING | TRAILING] [chars] FROM s) and TRIM(s [, chars]) to btrim / ltrim / rtrim(s, chars). */
export function parseTrim(c: Cursor): AstExpr {
  const pos = c.next().start;
  c.expectOp('(');
  let name = 'btrim';
  if (c.acceptWord('both')) name = 'btrim';
  else if (c.acceptWord('leading')) name = 'ltrim';
  else if (c.acceptWord('trailing')) name = 'rtrim';
  let args: AstExpr[];
  if (c.acceptWord('from')) {
    args = [parseExpr(c)];
  } else {
    const first = parseExpr(c);
    if (c.acceptWord('from')) args = [parseExpr(c), first];
    else {
      args = [first];
      while (c.acceptOp(',')) args.push(parseExpr(c));
    }
  }
  c.expectOp(')');
  return { kind: 'call', name, args, distinct: false, star: false, pos };
}
