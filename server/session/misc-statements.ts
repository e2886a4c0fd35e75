// DISCARD ALL | PLANS | SEQUENCES | TEMP, LOCK TABLE (pg_dump's; a no-op in a transaction block), and SELECT
// pg_sleep(seconds), which sleeps until the time is up or the statement is canceled (57014), the way tests and
// clients exercise CancelRequest.

import type { ExecContext, FieldDescription, PreparedStatement } from '../backend';
import type { Value } from '../../engine/types';
import { canceledBy, SqlError, SQLSTATE } from '../../engine/errors';
import type { TokenCursor } from './token-cursor';
import { commandStatement, rowsStatement } from './prepared';
import { inTransactionBlock, resetAllSettings } from './session-settings';
import { forgetSqlPrepared } from './sql-prepared';

export function parseDiscard(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // DISCARD
  const what = c.next();
  if (what?.kind !== 'word' || !c.done) return null;
  if (what.value === 'all') {
    // The protocol layer sees the tag and also drops the session's prepared statements and portals.
    return commandStatement(sql, 'DISCARD ALL', (session) => {
      if (inTransactionBlock(session) || session.transactionStatus !== 'I') {
        throw new SqlError(SQLSTATE.active_sql_transaction, 'DISCARD ALL cannot run inside a transaction block');
      }
      resetAllSettings(session);
      forgetSqlPrepared(session);
    });
  }
  const tags: Record<string, string> = { plans: 'DISCARD PLANS', sequences: 'DISCARD SEQUENCES', temp: 'DISCARD TEMP', temporary: 'DISCARD TEMP' };
  const tag = tags[what.value];
  return tag === undefined ? null : commandStatement(sql, tag, () => {});
}

/** pg_sleep returns void: OID 2278, shown as an empty string. */
const VOID_FIELD: FieldDescription = { name: 'pg_sleep', typeOid: 2278, typeSize: 4, typeModifier: -1, tableOid: 0, columnAttr: 0 };
const FLOAT8_OID = 701;
const MAX_TIMER_MS = 2 ** 30;

export function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(canceledBy(signal));
    const deadline = Date.now() + Math.max(0, seconds * 1000);
    let timer: NodeJS.Timeout;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceledBy(signal));
    };
    const wait = (): void => {
      const left = deadline - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(wait, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    wait();
  });
}

function secondsOf(v: Value): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (Number.isNaN(n)) throw new SqlError(SQLSTATE.invalid_text_representation, `invalid input syntax for type double precision: "${String(v)}"`);
  return n;
}

/** SELECT [pg_catalog.]pg_sleep(n | 'n' | $1) */
export function parsePgSleep(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // SELECT
  c.acceptWords('pg_catalog') && c.acceptOp('.');
  if (!c.acceptWords('pg_sleep') || !c.acceptOp('(')) return null;
  const arg = c.next();
  if (arg === undefined || !c.acceptOp(')') || !c.done) return null;
  if (arg.kind !== 'number' && arg.kind !== 'string' && arg.kind !== 'param') return null;
  if (arg.kind === 'param' && Number(arg.value) !== 1) return null;
  const run = async (_s: unknown, params: readonly Value[], ctx: ExecContext): Promise<Value[][]> => {
    const v = arg.kind === 'param' ? params[0] : arg.value;
    if (v !== null) await sleep(secondsOf(v), ctx.signal);
    return [['']];
  };
  return rowsStatement(sql, () => [VOID_FIELD], run, (n) => `SELECT ${n}`, arg.kind === 'param' ? [FLOAT8_OID] : []);
}

const LOCK_MODES = [
  ['access', 'share'], ['row', 'share'], ['row', 'exclusive'], ['share', 'update', 'exclusive'],
  ['share', 'row', 'exclusive'], ['share'], ['exclusive'], ['access', 'exclusive'],
];

/**
 * LOCK [TABLE] [ONLY] name [, ...] [IN lockmode MODE] [NOWAIT], which pg_dump sends for every table it dumps. It takes
 * no lock: a statement in Sluice reads one committed epoch, which later epochs never change, so what a lock would
 * protect already holds. As in PostgreSQL it must run in a transaction block (25P01); the names are not looked up.
 */
export function parseLock(sql: string, c: TokenCursor): PreparedStatement | null {
  c.next(); // LOCK
  c.acceptWords('table');
  do {
    c.acceptWords('only');
    if (!acceptRelationName(c)) return null;
  } while (c.acceptOp(','));
  if (c.acceptWords('in')) {
    if (!LOCK_MODES.some((mode) => c.acceptWords(...mode)) || !c.acceptWords('mode')) return null;
  }
  c.acceptWords('nowait');
  if (!c.done) return null;
  return commandStatement(sql, 'LOCK TABLE', (session) => {
    if (!inTransactionBlock(session)) {
      throw new SqlError(SQLSTATE.no_active_sql_transaction, 'LOCK TABLE can only be used in transaction blocks');
    }
  });
}

/** name or schema.name, each a word or a quoted name. */
function acceptRelationName(c: TokenCursor): boolean {
  const isName = (t: ReturnType<TokenCursor['peek']>): boolean => t?.kind === 'word' || t?.kind === 'quoted';
  if (!isName(c.peek())) return false;
  c.next();
  if (c.acceptOp('.')) {
    if (!isName(c.peek())) return false;
    c.next();
  }
  return true;
}
