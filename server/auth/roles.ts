// The catalog's roles as the server uses them: who may log in and with which password (RoleAuth), what a session's
// user may do (its Actor), the settings a session of the role starts with, and the seeding of roles from --users.

import type { Actor } from '../../engine/roles/role';
import { parseVerifier } from '../../engine/roles/scram-verifier';
import type { RoleCatalog } from '../../engine/runtime/roles';
import { passwordMatches, type AuthMethod, type RoleAuth, type UserEntry, type UserStore } from './users';

export function roleAuth(roles: RoleCatalog, passwordMethod: AuthMethod, usersFileGiven: boolean): RoleAuth {
  const users: UserStore = {
    get(name) {
      const role = roles.get(name);
      const scram = role?.password == null ? null : parseVerifier(role.password);
      return scram === null ? undefined : { name, scram };
    },
  };
  return {
    method: 'roles',
    passwordMethod,
    users,
    passwordRequired: () => usersFileGiven || roles.anyPassword(),
    loginRefusal(user) {
      const role = roles.get(user);
      return role === undefined || role.login ? null : `role "${user}" is not permitted to log in`;
    },
  };
}

/**
 * What a session's user may do. A role has its attributes. A user with no role logged in under trust is a
 * superuser for the session's life, as every trusted user was before roles existed (so the session that creates
 * the first password keeps its rights); any other session without a role (its role dropped since login, or an HTTP
 * request) may do nothing that needs a privilege.
 */
export function actorOf(roles: RoleCatalog, user: string, trusted: boolean): Actor {
  const role = roles.get(user);
  if (role !== undefined) {
    return { name: user, superuser: role.superuser, createRole: role.createRole, mayCreate: role.schemaCreate };
  }
  return { name: user, superuser: trusted, createRole: false, mayCreate: false };
}

/**
 * The users file's entries as roles: a name without a role becomes a LOGIN SUPERUSER (every user of the file could
 * do anything before roles existed); a role that exists keeps its attributes and takes the file's password when it
 * has another, so the file stays the way to reset a forgotten password.
 */
export async function seedRoles(roles: RoleCatalog, entries: readonly UserEntry[]): Promise<void> {
  for (const { name, password } of entries) {
    const role = roles.get(name);
    if (role === undefined) {
      await roles.create(name, { login: true, superuser: true, password });
      continue;
    }
    const scram = role.password === null ? null : parseVerifier(role.password);
    if (scram === null || !passwordMatches({ name, scram }, password)) await roles.alter(name, { password });
  }
}

/** The settings a session of `user` starts with (before its startup parameters): ALTER ROLE ... SET. */
export function roleSettings(roles: RoleCatalog, user: string): ReadonlyMap<string, string> {
  return new Map(Object.entries(roles.get(user)?.settings ?? {}));
}
