// Building PreparedStatements for session statements: a command (CommandComplete only) or a fixed set of text
// columns.

import type { ExecContext, FieldDescription, PreparedStatement, SessionState } from '../backend';
import type { Value } from '../../engine/types';

export function textField(name: string): FieldDescription {
  return { name, typeOid: 25, typeSize: -1, typeModifier: -1, tableOid: 0, columnAttr: 0 };
}

export function commandStatement(
  sql: string,
  tag: string | ((session: SessionState) => string),
  run: (session: SessionState) => void,
  transaction: PreparedStatement['transaction'] = null,
): PreparedStatement {
  return {
    sql,
    paramTypeOids: [],
    transaction,
    describe: async () => null,
    execute: async (session) => {
      // The tag is computed first: COMMIT reports ROLLBACK when the block it ends had failed.
      const t = typeof tag === 'string' ? tag : tag(session);
      run(session);
      return { kind: 'command', tag: t };
    },
  };
}

export function rowsStatement(
  sql: string,
  fields: (session: SessionState) => readonly FieldDescription[],
  rows: (session: SessionState, params: readonly Value[], ctx: ExecContext) => Promise<readonly (readonly Value[])[]>,
  tag: (rowsSent: number) => string,
  paramTypeOids: readonly number[] = [],
): PreparedStatement {
  return {
    sql,
    paramTypeOids,
    transaction: null,
    describe: async (session) => fields(session),
    execute: async (session, params, ctx) => ({
      kind: 'rows',
      fields: fields(session),
      rows: await rows(session, params, ctx),
      tag,
    }),
  };
}

/** A statement that fails when run (not when prepared), as PostgreSQL reports e.g. an unknown SHOW parameter. */
export function failingStatement(sql: string, error: () => Error): PreparedStatement {
  return {
    sql,
    paramTypeOids: [],
    transaction: null,
    describe: async () => {
      throw error();
    },
    execute: async () => {
      throw error();
    },
  };
}
