// Type names as users write them (SQL.md's Types, with PostgreSQL's aliases) to the SqlType of engine/types.ts.

import { SqlError, SQLSTATE } from '../../engine/errors';
import { T, type SqlType } from '../../engine/types';
import type { AstType } from './ast';
import type { Cursor } from './cursor';

const SIMPLE: Readonly<Record<string, SqlType>> = {
  boolean: T.bool, bool: T.bool,
  smallint: T.int2, int2: T.int2,
  integer: T.int4, int: T.int4, int4: T.int4,
  bigint: T.int8, int8: T.int8,
  real: T.float4, float4: T.float4,
  float8: T.float8, float: T.float8,
  numeric: T.numeric, decimal: T.numeric,
  text: T.text, string: T.text,
  varchar: T.varchar,
  timestamptz: T.timestamptz,
  timestamp: T.timestamp,
  date: T.date,
  interval: T.interval,
  jsonb: T.jsonb,
};

/** Words that start a type name, so `word 'literal'` reads as a typed constant. */
export function isTypeWord(word: string): boolean {
  return word in SIMPLE || word === 'double' || word === 'character';
}

export function parseType(c: Cursor): AstType {
  const start = c.peek();
  if (start.kind !== 'word' && start.kind !== 'quoted') throw c.unexpected();
  c.next();
  const word = start.value;
  let type: SqlType | undefined;
  if (word === 'double') {
    c.expectWord('precision');
    type = T.float8;
  } else if (word === 'character' && c.acceptWord('varying')) {
    type = T.varchar;
  } else {
    type = SIMPLE[word];
  }
  if (type === undefined) {
    throw new SqlError(SQLSTATE.undefined_object, `type "${word}" does not exist`, { position: start.start + 1 });
  }
  // Modifiers: varchar(n) keeps n, numeric(p, s) keeps p and s; timestamp(p) and float(p) are accepted and ignored.
  if (c.isOp('(')) {
    c.next();
    const first = modifierNumber(c);
    const second = c.acceptOp(',') ? modifierNumber(c) : undefined;
    c.expectOp(')');
    if (type.name === 'varchar') type = { name: 'varchar', length: first };
    if (type.name === 'numeric') type = numericType(first, second ?? 0, start.start);
    if (word === 'float' && first <= 24) type = T.float4;
  }
  if (type.name === 'timestamp') {
    if (c.acceptWord('with', 'time', 'zone')) type = T.timestamptz;
    else c.acceptWord('without', 'time', 'zone');
  }
  // int[] and the like: Sluice has no arrays.
  if (c.isOp('[')) {
    throw new SqlError(SQLSTATE.feature_not_supported, 'array types are not supported', { position: c.peek().start + 1 });
  }
  return { type, pos: start.start };
}

/** An integer type modifier, signed (numeric's scale may be negative). */
function modifierNumber(c: Cursor): number {
  const negative = c.acceptOp('-');
  const n = c.next();
  if (n.kind !== 'number') throw c.unexpected(n);
  return negative ? -Number(n.value) : Number(n.value);
}

/** NUMERIC(p, s) within PostgreSQL 15's limits (numerictypmodin): 22023 outside them, at the type name. */
function numericType(precision: number, scale: number, pos: number): SqlType {
  if (!Number.isInteger(precision) || precision < 1 || precision > 1000) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `NUMERIC precision ${precision} must be between 1 and 1000`, { position: pos + 1 });
  }
  if (!Number.isInteger(scale) || scale < -1000 || scale > 1000) {
    throw new SqlError(SQLSTATE.invalid_parameter_value, `NUMERIC scale ${scale} must be between -1000 and 1000`, { position: pos + 1 });
  }
  return { name: 'numeric', precision, scale };
}
