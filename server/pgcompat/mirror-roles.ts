// How Sluice's roles look in the catalog mirror: a PostgreSQL role with the same attributes and settings, so that
// pg_roles, pg_user, \du and information_schema show them. Passwords stay out: the mirror answers catalog queries
// of every user, and PostgreSQL shows rolpassword only as ******** in pg_roles anyway.

import type { RoleDef } from '../../engine/roles/role';
import { quoteIdent, quoteLiteral } from './mirror-ddl';

/** The mirror's own role, which owns every object (current_user, \l, owners). */
export const MIRROR_ROLE = 'sluice';

export function createRoleStatements(role: RoleDef): string[] {
  const name = quoteIdent(role.name);
  const attrs = [
    role.superuser ? 'SUPERUSER' : 'NOSUPERUSER', role.createRole ? 'CREATEROLE' : 'NOCREATEROLE',
    role.createDb ? 'CREATEDB' : 'NOCREATEDB', role.login ? 'LOGIN' : 'NOLOGIN',
  ];
  return [
    `CREATE ROLE ${name} ${attrs.join(' ')}`,
    ...Object.entries(role.settings).map(([k, v]) => `ALTER ROLE ${name} SET ${quoteIdent(k)} = ${quoteLiteral(v)}`),
  ];
}

export function dropRoleStatement(name: string): string {
  return `DROP ROLE IF EXISTS ${quoteIdent(name)}`;
}
