// GRANT / REVOKE. The owner of each relation was checked with every other statement's privileges
// (engine/privileges/check.ts); here the grantees must exist and the change is made durable in one write.

import { SqlError, SQLSTATE } from '../errors';
import { changedAcl, PUBLIC_GRANTEE } from '../privileges/acl';
import type { RelationDef } from '../catalog';
import type { Execution, ExecutionResult, Of } from './execution';
import { command } from './execution';
import { refuseInBlock } from './transaction';

export async function grant(s: Of<'grant'>, x: Execution): Promise<ExecutionResult> {
  const tag = s.grant ? 'GRANT' : 'REVOKE';
  // Like DDL, a grant is durable at once: inside a block, ROLLBACK could not take it back.
  refuseInBlock(x.transaction, tag);
  for (const grantee of s.grantees) {
    if (grantee !== PUBLIC_GRANTEE) x.runtime.roles.mustGet(grantee);
  }
  if (s.on.kind === 'schema') {
    // Schema public belongs to the database's owner, and here only superusers stand for it.
    if (!x.actor.superuser) throw new SqlError(SQLSTATE.insufficient_privilege, 'permission denied for schema public');
    if (s.grantees.includes(PUBLIC_GRANTEE)) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'CREATE ON SCHEMA public can be granted to roles only, not PUBLIC');
    }
    await x.runtime.roles.setSchemaCreate(s.grantees, s.grant);
    return command(tag);
  }
  const { privileges } = s.on;
  const changed: RelationDef[] = [];
  for (const name of new Set(s.on.names)) {
    const def = x.runtime.def(name);
    if (def === undefined) throw new SqlError(SQLSTATE.undefined_table, `relation "${name}" does not exist`);
    changed.push({ ...def, acl: changedAcl(def.acl ?? {}, s.grantees, privileges, s.grant) });
  }
  await x.runtime.setAcls(changed);
  return command(tag);
}
