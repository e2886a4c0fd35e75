// The words of FETCH and MOVE, as PostgreSQL reads them:
//   FETCH | MOVE [direction] [FROM | IN] cursor_name [WITH (timeout = '1s')]
//   direction: NEXT | PRIOR | FIRST | LAST | ABSOLUTE n | RELATIVE n | n | ALL | FORWARD [n | ALL] | BACKWARD [n | ALL]
// The WITH options are Sluice's (for cursors over SUBSCRIBE, whose rows may not have arrived yet).

import { isOp, isWord, type Token } from '../../planner/parse/lexer';
import { parseIntervalMicros } from '../../engine/values/interval';
import { SqlError, SQLSTATE } from '../../engine/errors';

/**
 * Where a FETCH goes. Sluice's cursors read forward only: `forward` counts rows (Infinity for ALL; 0 is "the
 * current row" again), and every direction that may need to go back is `backward`, which a cursor refuses.
 */
export type FetchDirection =
  | { readonly kind: 'forward'; readonly count: number }
  | { readonly kind: 'backward' };

export interface FetchCommand {
  readonly verb: 'fetch' | 'move';
  readonly direction: FetchDirection;
  readonly cursor: string;
  /** WITH (timeout = ...): wait at most this long for rows that have not arrived; undefined waits for them all. */
  readonly timeoutMs: number | undefined;
}

const FORWARD_ONE: FetchDirection = { kind: 'forward', count: 1 };
const BACKWARD: FetchDirection = { kind: 'backward' };

/** `tokens`: the statement's session tokens, from FETCH or MOVE on. Null when they are not a FETCH / MOVE. */
export function parseFetch(tokens: readonly Token[]): FetchCommand | null {
  const verb = tokens[0]?.value;
  if (verb !== 'fetch' && verb !== 'move') return null;
  const withAt = tokens.findIndex((t, k) => k >= 2 && isWord(t, 'with') && isOp(tokens[k + 1], '('));
  const end = withAt < 0 ? tokens.length : withAt;
  const name = tokens[end - 1];
  if (end < 2 || (name.kind !== 'word' && name.kind !== 'quoted')) return null;
  let middle = tokens.slice(1, end - 1);
  if (isWord(middle[middle.length - 1], 'from', 'in')) middle = middle.slice(0, -1);
  const direction = directionOf(middle);
  if (direction === null) return null;
  const options = withAt < 0 ? new Map<string, Token>() : optionsOf(tokens.slice(withAt + 2));
  if (options === null) return null;
  return { verb, direction, cursor: name.value, timeoutMs: timeoutOf(options) };
}

function directionOf(words: readonly Token[]): FetchDirection | null {
  const [first, second] = words;
  if (words.length === 0) return FORWARD_ONE;
  if (words.length === 1) {
    if (isWord(first, 'next', 'forward')) return FORWARD_ONE;
    if (isWord(first, 'all')) return { kind: 'forward', count: Infinity };
    if (isWord(first, 'prior', 'first', 'last', 'backward')) return BACKWARD;
    return countDirection(first);
  }
  if (words.length !== 2) return null;
  if (isWord(first, 'forward')) return isWord(second, 'all') ? { kind: 'forward', count: Infinity } : countDirection(second);
  if (isWord(first, 'backward') && (isWord(second, 'all') || integerOf(second) !== null)) return BACKWARD;
  // ABSOLUTE and RELATIVE position the cursor, which may mean going back: left to SCROLL cursors, as in PostgreSQL.
  if (isWord(first, 'absolute', 'relative') && integerOf(second) !== null) return BACKWARD;
  return null;
}

function countDirection(t: Token | undefined): FetchDirection | null {
  const n = integerOf(t);
  if (n === null) return null;
  return n < 0 ? BACKWARD : { kind: 'forward', count: n };
}

function integerOf(t: Token | undefined): number | null {
  return t?.kind === 'number' && /^[+-]?\d+$/.test(t.value) ? Number(t.value) : null;
}

/** `name = value [, ...] )`, the tokens after `WITH (`. */
function optionsOf(tokens: readonly Token[]): Map<string, Token> | null {
  const options = new Map<string, Token>();
  let k = 0;
  for (;;) {
    const name = tokens[k];
    const value = tokens[k + 2];
    if (name?.kind !== 'word' || !isOp(tokens[k + 1], '=') || value === undefined) return null;
    if (value.kind !== 'string' && value.kind !== 'number') return null;
    options.set(name.value, value);
    k += 3;
    if (isOp(tokens[k], ',')) k++;
    else return isOp(tokens[k], ')') && k === tokens.length - 1 ? options : null;
  }
}

function timeoutOf(options: Map<string, Token>): number | undefined {
  for (const name of options.keys()) {
    if (name !== 'timeout') throw new SqlError(SQLSTATE.invalid_parameter_value, `unrecognized FETCH option "${name}"`);
  }
  const value = options.get('timeout');
  if (value === undefined) return undefined;
  const invalid = (): SqlError => new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for FETCH option "timeout": "${value.value}"`, {
    hint: "A duration such as '500ms', '1s' or '2 minutes'.",
  });
  let micros: number;
  try {
    micros = parseIntervalMicros(value.value);
  } catch {
    throw invalid();
  }
  if (!(micros >= 0)) throw invalid();
  return micros / 1000;
}
