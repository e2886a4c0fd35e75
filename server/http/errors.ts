// Errors over HTTP: every failure is a SqlError (so it carries a SQLSTATE, as on the wire), sent as JSON with the
// HTTP status its SQLSTATE maps to. The mapping lives here, once.

import { SqlError, SQLSTATE, toSqlError, type SqlState } from '../../engine/errors';

export interface ErrorBody {
  readonly error: {
    readonly sqlstate: string;
    readonly message: string;
    readonly detail?: string;
    readonly hint?: string;
    /** 1-based character position in the SQL text, as PostgreSQL reports it. */
    readonly position?: number;
  };
}

/** Exact SQLSTATEs whose HTTP status differs from their class's. */
const STATUS_BY_CODE: Partial<Record<SqlState, number>> = {
  [SQLSTATE.undefined_table]: 404,
  [SQLSTATE.undefined_object]: 404,
  [SQLSTATE.duplicate_table]: 409,
  [SQLSTATE.duplicate_object]: 409,
  [SQLSTATE.unique_violation]: 409,
  [SQLSTATE.object_not_in_prerequisite_state]: 409,
  [SQLSTATE.serialization_failure]: 409,
  [SQLSTATE.insufficient_privilege]: 403,
  [SQLSTATE.admin_shutdown]: 503,
  [SQLSTATE.cannot_connect_now]: 503,
};

/** By SQLSTATE class (the first two characters). */
const STATUS_BY_CLASS: Readonly<Record<string, number>> = {
  '0A': 400, // feature not supported (here: a statement this endpoint does not run)
  '21': 400,
  '22': 400, // data exception
  '23': 400, // integrity constraint violation (unique_violation above: 409)
  '25': 400, // invalid transaction state
  '26': 400,
  '28': 401, // invalid authorization
  '2B': 409, // dependent objects still exist
  '34': 400,
  '42': 400, // syntax error or access rule violation
  '53': 503, // insufficient resources
  '54': 400, // program limit exceeded (e.g. a body too large: 413 is set where it is raised)
  '57': 503, // operator intervention
};

export function httpStatusOf(code: string): number {
  return STATUS_BY_CODE[code as SqlState] ?? STATUS_BY_CLASS[code.slice(0, 2)] ?? 500;
}

export function errorBody(e: SqlError): ErrorBody {
  const error: { -readonly [K in keyof ErrorBody['error']]: ErrorBody['error'][K] } = { sqlstate: e.code, message: e.message };
  if (e.detail !== undefined) error.detail = e.detail;
  if (e.hint !== undefined) error.hint = e.hint;
  if (e.position !== undefined) error.position = e.position;
  return { error };
}

/** A SqlError whose HTTP status is not the one its SQLSTATE maps to (413, 405, ...). */
export class HttpError extends SqlError {
  constructor(readonly status: number, code: SqlState, message: string, options: { detail?: string; hint?: string } = {}) {
    super(code, message, options);
  }
}

export function statusOf(e: SqlError): number {
  return e instanceof HttpError ? e.status : httpStatusOf(e.code);
}

