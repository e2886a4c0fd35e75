// Why a value or a row cannot go in, worded once for every decoder. COPY raises a problem as a SqlError with its
// SQLSTATE (and the line and column in the detail); a Kafka source writes its message into the dead letter. A
// problem is a plain value, not a thrown error: a Kafka batch meets bad records as a matter of course.

import { SqlError, SQLSTATE, type SqlState } from '../errors';
import { typeDisplayName, type SqlType } from '../types';

export interface ValueProblem {
  readonly code: SqlState;
  readonly message: string;
}

/** A problem with one column of a row: a value that does not fit its type ('type'), or a NULL where none may be. */
export interface ColumnProblem extends ValueProblem {
  readonly column: number;
  readonly kind: 'type' | 'not_null';
}

/** A JSON value of a kind the column's type does not take (an object for an integer, a fraction for a bigint, ...). */
export function wrongJsonValue(type: SqlType, v: unknown): ValueProblem {
  const shown = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v);
  return { code: SQLSTATE.invalid_text_representation, message: `expected ${typeDisplayName(type)}, got ${shown}` };
}

export function numberOutOfRange(type: SqlType, v: number): ValueProblem {
  return { code: SQLSTATE.numeric_value_out_of_range, message: `value ${v} is out of range for type ${typeDisplayName(type)}` };
}

/** JSON.parse has already rounded such a number: it is refused rather than stored as a value nobody sent. */
export function integerBeyondJsonPrecision(v: number): ValueProblem {
  return {
    code: SQLSTATE.numeric_value_out_of_range,
    message: `integer ${v} is beyond 2^53 and loses digits as a JSON number; send it as a JSON string`,
  };
}

/**
 * `owner` names the relation where the decoder knows it (`stream "s"`, `relation "t"`, as PostgreSQL says); a Kafka
 * dead letter names its relation in its own `source` field instead.
 */
export function notNullViolation(columnName: string, owner?: string): ValueProblem {
  const of = owner === undefined ? '' : ` of ${owner}`;
  return { code: SQLSTATE.not_null_violation, message: `null value in column "${columnName}"${of} violates not-null constraint` };
}

/** How NOT NULL errors name a stream or a table. */
export function relationOwner(kind: 'stream' | 'table', name: string): string {
  return `${kind === 'stream' ? 'stream' : 'relation'} "${name}"`;
}

/** What the text parsers (engine/text.ts parseValue, fitVarchar) threw, as a problem; anything else is a bug. */
export function problemOf(e: unknown): ValueProblem {
  if (e instanceof SqlError) return { code: e.code, message: e.message };
  throw e;
}
