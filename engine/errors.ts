// Every error a user can see carries a SQLSTATE; errors about SQL text also carry a 1-based character position.
// The server turns a SqlError into an ErrorResponse as is; any other thrown value reaches the user as XX000,
// which always means a bug in Sluice.

import { StorageError, type StorageErrorReason } from '../storage';

export const SQLSTATE = {
  successful_completion: '00000',
  warning: '01000',
  feature_not_supported: '0A000',
  invalid_parameter_value: '22023',
  invalid_row_count_in_limit_clause: '2201W',
  invalid_row_count_in_result_offset_clause: '2201X',
  invalid_argument_for_power_function: '2201F',
  invalid_text_representation: '22P02',
  invalid_binary_representation: '22P03',
  numeric_value_out_of_range: '22003',
  division_by_zero: '22012',
  datetime_field_overflow: '22008',
  invalid_datetime_format: '22007',
  string_data_right_truncation: '22001',
  not_null_violation: '23502',
  unique_violation: '23505',
  bad_copy_file_format: '22P04',
  invalid_authorization_specification: '28000',
  invalid_password: '28P01',
  dependent_objects_still_exist: '2BP01',
  invalid_cursor_name: '34000',
  invalid_sql_statement_name: '26000',
  duplicate_prepared_statement: '42P05',
  duplicate_cursor: '42P03',
  invalid_transaction_state: '25000',
  in_failed_sql_transaction: '25P02',
  idle_in_transaction_session_timeout: '25P03',
  syntax_error: '42601',
  undefined_table: '42P01',
  undefined_column: '42703',
  undefined_parameter: '42P02',
  undefined_function: '42883',
  undefined_object: '42704',
  invalid_schema_name: '3F000',
  datatype_mismatch: '42804',
  cannot_coerce: '42846',
  duplicate_column: '42701',
  ambiguous_column: '42702',
  grouping_error: '42803',
  duplicate_object: '42710',
  duplicate_table: '42P07',
  invalid_column_reference: '42P10',
  wrong_object_type: '42809',
  name_too_long: '42622',
  insufficient_privilege: '42501',
  disk_full: '53100',
  reserved_name: '42939',
  out_of_memory: '53200',
  program_limit_exceeded: '54000',
  statement_too_complex: '54001',
  too_many_columns: '54011',
  too_many_connections: '53300',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  cannot_connect_now: '57P03',
  object_not_in_prerequisite_state: '55000',
  object_in_use: '55006',
  cant_change_runtime_param: '55P02',
  serialization_failure: '40001',
  cardinality_violation: '21000',
  active_sql_transaction: '25001',
  no_active_sql_transaction: '25P01',
  protocol_violation: '08P01',
  connection_exception: '08000',
  invalid_catalog_name: '3D000',
  io_error: '58030',
  data_corrupted: 'XX001',
  internal_error: 'XX000',
} as const;

export type SqlState = (typeof SQLSTATE)[keyof typeof SQLSTATE];

export type Severity = 'ERROR' | 'FATAL' | 'PANIC';

export interface SqlErrorOptions {
  /** 1-based character position in the statement text, as PostgreSQL reports it. */
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  readonly severity?: Severity;
}

export class SqlError extends Error {
  readonly code: SqlState;
  readonly position?: number;
  readonly detail?: string;
  readonly hint?: string;
  readonly severity: Severity;

  constructor(code: SqlState, message: string, options: SqlErrorOptions = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.position = options.position;
    this.detail = options.detail;
    this.hint = options.hint;
    this.severity = options.severity ?? 'ERROR';
  }
}

/** The SQLSTATE of each storage failure: storage names the reason, the engine speaks SQL. */
const STORAGE_CODE: Record<StorageErrorReason, SqlState> = {
  locked: SQLSTATE.object_not_in_prerequisite_state,
  corrupt: SQLSTATE.data_corrupted,
  version: SQLSTATE.object_not_in_prerequisite_state,
  io: SQLSTATE.io_error,
  disk_full: SQLSTATE.disk_full,
  closed: SQLSTATE.object_not_in_prerequisite_state,
  internal: SQLSTATE.internal_error,
};

/**
 * Wraps anything thrown into a SqlError: a StorageError gets its reason's SQLSTATE; anything else that is not a
 * SqlError is a bug and is reported as XX000.
 */
export function toSqlError(e: unknown): SqlError {
  if (e instanceof SqlError) return e;
  if (e instanceof StorageError) return new SqlError(STORAGE_CODE[e.reason], e.message, { hint: e.hint });
  const message = e instanceof Error ? e.message : String(e);
  return new SqlError(SQLSTATE.internal_error, `internal error: ${message}`, {
    hint: 'This is a bug in Sluice; please report it with the statement that caused it.',
  });
}

/** True for a thrown value that no SQLSTATE was meant for: a bug, which the server logs. */
export function isBug(e: unknown): boolean {
  return !(e instanceof SqlError) && !(e instanceof StorageError && e.reason !== 'internal');
}

/**
 * The 57014 an aborted statement fails with: the reason its signal was aborted with (a CancelRequest's or
 * statement_timeout's message), or a cancel by user request.
 */
export function canceledBy(signal: AbortSignal): SqlError {
  const reason: unknown = signal.reason;
  return reason instanceof SqlError ? reason : new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
}
