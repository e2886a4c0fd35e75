// Errors of the protocol itself. A malformed frame leaves the byte stream in an unknown state, so these are FATAL:
// the client gets an ErrorResponse with 08P01 and the connection is closed, as PostgreSQL does.

import { SqlError, SQLSTATE } from '../../engine/errors';

export function protocolViolation(message: string): SqlError {
  return new SqlError(SQLSTATE.protocol_violation, message, { severity: 'FATAL' });
}

export function queryCanceled(): SqlError {
  return new SqlError(SQLSTATE.query_canceled, 'canceling statement due to user request');
}

export function statementTimeout(): SqlError {
  return new SqlError(SQLSTATE.query_canceled, 'canceling statement due to statement timeout');
}

/** The session sat in a transaction block longer than idle_in_transaction_session_timeout: it ends. */
export function idleInTransactionTimeout(): SqlError {
  return new SqlError(SQLSTATE.idle_in_transaction_session_timeout, 'terminating connection due to idle-in-transaction timeout', {
    severity: 'FATAL',
  });
}

/** The client hung up or sent Terminate in the middle of an exchange (e.g. during COPY): the session just ends. */
export class ClientGone extends Error {
  constructor() {
    super('client connection ended');
  }
}
