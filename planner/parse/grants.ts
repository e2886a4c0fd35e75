// GRANT / REVOKE as PostgreSQL 15's grammar writes them, for the privileges Sluice has: SELECT, INSERT, UPDATE and
// DELETE on streams, tables and continuous queries, and CREATE on schema public (the right to create objects).

import { SqlError, SQLSTATE } from '../../engine/errors';
import { PRIVILEGES, type Privilege } from '../../engine/privileges/acl';
import type { GrantAst, Name, StatementAst } from './ast';
import type { Cursor } from './cursor';
import { name } from './names';

/** The caller has seen GRANT or REVOKE as the next word. */
export function parseGrant(c: Cursor): StatementAst {
  const grant = c.next().value === 'grant';
  if (!grant && c.isWord('grant', 0) && c.isWord('option', 1)) throw unsupported('GRANT OPTION is not supported', c);
  const privileges = parsePrivileges(c);
  c.expectWord('on');
  const on = privileges === 'create' ? parseSchema(c) : parseRelations(c, privileges);
  c.expectWord(grant ? 'to' : 'from');
  const grantees: Name[] = [c.expectIdent()];
  while (c.acceptOp(',')) grantees.push(c.expectIdent());
  if (grant && c.isWord('with')) throw unsupported('WITH GRANT OPTION is not supported', c);
  if (!grant && !c.acceptWord('cascade')) c.acceptWord('restrict');
  return { kind: 'grant', grant, on, grantees };
}

function parsePrivileges(c: Cursor): readonly Privilege[] | 'create' {
  if (c.acceptWord('all')) {
    c.acceptWord('privileges');
    return PRIVILEGES;
  }
  if (c.isWord('create')) {
    c.next();
    return 'create';
  }
  const privileges: Privilege[] = [];
  do {
    const word = c.peek();
    const privilege = PRIVILEGES.find((p) => word.kind === 'word' && word.value === p.toLowerCase());
    if (privilege === undefined) {
      if (word.kind === 'word' && ['truncate', 'references', 'trigger'].includes(word.value)) {
        throw unsupported(`privilege ${word.value.toUpperCase()} is not supported`, c);
      }
      throw c.unexpected();
    }
    c.next();
    if (c.isOp('(')) throw unsupported('column privileges are not supported', c);
    if (!privileges.includes(privilege)) privileges.push(privilege);
  } while (c.acceptOp(','));
  return privileges;
}

function parseSchema(c: Cursor): GrantAst['on'] {
  if (c.acceptWord('database')) {
    throw unsupported('the right to create objects is CREATE ON SCHEMA public', c);
  }
  c.expectWord('schema');
  const schema = c.expectIdent();
  if (schema.name !== 'public') {
    throw new SqlError(SQLSTATE.invalid_schema_name, `schema "${schema.name}" does not exist`, { position: schema.pos + 1 });
  }
  return { kind: 'schema' };
}

function parseRelations(c: Cursor, privileges: readonly Privilege[]): GrantAst['on'] {
  const objectKind = c.acceptWord('table') ? 'table' : c.acceptWord('stream') ? 'stream'
    : c.acceptWord('continuous', 'query') || c.acceptWord('materialized', 'view') ? 'query' : null;
  if (c.isWord('all') && c.isWord('tables', 1)) throw unsupported('ALL TABLES IN SCHEMA is not supported', c);
  const names = [name(c)];
  while (c.acceptOp(',')) names.push(name(c));
  return { kind: 'relations', privileges, objectKind, names };
}

function unsupported(message: string, c: Cursor): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, message, { position: c.peek().start + 1 });
}
