// A relation's owner and privileges in the catalog mirror: pg_class.relowner and relacl written directly, so \dp,
// \z, \dt's Owner and information_schema.table_privileges / role_table_grants show them as PostgreSQL would. Written
// rather than GRANTed: a GRANT would record a dependency of the role in the mirror, and the mirror drops and
// re-creates roles whenever their attributes change.

import type { RelationDef } from '../../engine/catalog';
import { aclItems, ownerOf, rolesNamed } from '../../engine/privileges/acl';
import { quoteIdent, quoteLiteral, USER_SCHEMA, type MirrorObject } from './mirror-ddl';

/** The object with its owner and privileges set after it is created, and the roles they name. */
export function withPrivileges(obj: MirrorObject | null, def: RelationDef): MirrorObject | null {
  if (obj === null || (def.owner === undefined && def.acl === undefined)) return obj;
  return { ...obj, create: [...obj.create, privilegeStatement(def)], roles: rolesNamed(def) };
}

function privilegeStatement(def: RelationDef): string {
  const rel = `${quoteIdent(USER_SCHEMA)}.${quoteIdent(def.name)}`;
  const items = aclItems(def);
  const acl = items === null ? 'NULL' : `${quoteLiteral(`{${items.map(aclArrayElement).join(',')}}`)}::pg_catalog.aclitem[]`;
  return `UPDATE pg_catalog.pg_class SET relowner = ${quoteLiteral(quoteIdent(ownerOf(def)))}::regrole, relacl = ${acl} ` +
    `WHERE oid = ${quoteLiteral(rel)}::regclass`;
}

/** An aclitem inside an array literal: quoted, as role names may hold anything. */
function aclArrayElement(item: string): string {
  return `"${item.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}
