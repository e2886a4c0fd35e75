// CREATE / ALTER / DROP ROLE, with PostgreSQL 15's privilege rules: a superuser may do anything; a role with
// CREATEROLE may manage roles other than superusers; any role may change its own password and settings. Messages
// and SQLSTATEs are PostgreSQL's.

import { SqlError, SQLSTATE } from '../errors';
import type { Actor, RoleAlteration, RoleDef } from '../roles/role';
import type { Execution, ExecutionResult, Of } from './execution';
import { describeRelation } from '../catalog';
import { renamedInAcl } from '../privileges/acl';

const denied = (message: string): SqlError => new SqlError(SQLSTATE.insufficient_privilege, message);
const done = (tag: string): ExecutionResult => ({ kind: 'command', tag });

const mayManage = (a: Actor): boolean => a.superuser || a.createRole;

export async function createRole(s: Of<'create_role'>, x: Execution): Promise<ExecutionResult> {
  if (!mayManage(x.actor)) throw denied('permission denied to create role');
  if (s.options.superuser === true && !x.actor.superuser) throw denied('must be superuser to create superusers');
  await x.runtime.roles.create(s.name, { login: s.user, ...s.options });
  return done('CREATE ROLE');
}

export async function alterRole(s: Of<'alter_role'>, x: Execution): Promise<ExecutionResult> {
  const roles = x.runtime.roles;
  const target = roles.mustGet(s.name);
  const a = s.alteration;
  checkAlter(x.actor, target, a);
  switch (a.kind) {
    case 'options': await roles.alter(s.name, a.options); break;
    case 'rename': await rename(s.name, a.to, x); break;
    case 'set': {
      const checked = x.checkSetting(a.setting, a.value);
      await roles.configure(s.name, checked.name, checked.value);
      break;
    }
    case 'reset': await roles.configure(s.name, a.setting?.toLowerCase() ?? null, null); break;
  }
  return done('ALTER ROLE');
}

function checkAlter(actor: Actor, target: RoleDef, a: RoleAlteration): void {
  if (actor.superuser) {
    if (a.kind === 'rename' && target.name === actor.name) {
      throw new SqlError(SQLSTATE.feature_not_supported, 'session user cannot be renamed');
    }
    return;
  }
  const self = target.name === actor.name;
  if (a.kind === 'rename') {
    if (target.superuser) throw denied('must be superuser to rename superusers');
    if (!actor.createRole) throw denied('permission denied to rename role');
    if (self) throw new SqlError(SQLSTATE.feature_not_supported, 'session user cannot be renamed');
    return;
  }
  if (target.superuser || (a.kind === 'options' && a.options.superuser !== undefined)) {
    throw denied('must be superuser to alter superuser roles or change superuser attribute');
  }
  if (actor.createRole) return;
  // Without CREATEROLE a role may change only its own password and settings.
  const ownPassword = a.kind === 'options' && Object.keys(a.options).every((k) => k === 'password');
  if (self && (ownPassword || a.kind === 'set' || a.kind === 'reset')) return;
  throw denied('permission denied');
}

export async function dropRole(s: Of<'drop_role'>, x: Execution): Promise<ExecutionResult> {
  if (!mayManage(x.actor)) throw denied('permission denied to drop role');
  // Every name is checked before any is dropped: like PostgreSQL's transaction, all of them or none.
  const dropping: string[] = [];
  for (const name of s.names) {
    const target = x.runtime.roles.get(name);
    if (target === undefined) {
      if (!s.ifExists) throw new SqlError(SQLSTATE.undefined_object, `role "${name}" does not exist`);
      x.notice(`role "${name}" does not exist, skipping`);
      continue;
    }
    if (name === x.actor.name) throw new SqlError(SQLSTATE.object_in_use, 'current user cannot be dropped');
    if (target.superuser && !x.actor.superuser) throw denied('must be superuser to drop superusers');
    refuseIfDependedOn(name, x);
    if (!dropping.includes(name)) dropping.push(name);
  }
  if (dropping.length > 0) await x.runtime.roles.drop(dropping);
  return done('DROP ROLE');
}

/** As in PostgreSQL: a role that owns objects or holds privileges on them stays until they are dropped or revoked. */
function refuseIfDependedOn(name: string, x: Execution): void {
  const lines: string[] = [];
  for (const def of x.runtime.defs()) {
    if (def.owner === name) lines.push(`owner of ${describeRelation(def)}`);
    else if (def.acl?.[name] !== undefined) lines.push(`privileges for ${describeRelation(def)}`);
  }
  if (x.runtime.roles.get(name)?.schemaCreate === true) lines.unshift('privileges for schema public');
  if (lines.length === 0) return;
  throw new SqlError(SQLSTATE.dependent_objects_still_exist, `role "${name}" cannot be dropped because some objects depend on it`,
    { detail: lines.join('\n') });
}

/**
 * Objects name their owner and grantees by role name, so a rename carries over to them. They are rewritten first:
 * a crash before the role is renamed leaves them naming a role that does not exist (no one holds them), never the old
 * name, which a role created later could take.
 */
async function rename(name: string, to: string, x: Execution): Promise<void> {
  x.runtime.roles.checkRename(name, to);
  const changed = x.runtime.defs().flatMap((def) => {
    const renamed = renamedInAcl(def, name, to);
    return renamed === def ? [] : [renamed];
  });
  if (changed.length > 0) await x.runtime.setAcls(changed);
  await x.runtime.roles.rename(name, to);
}
