// The roles of the running database, over the store's durable roles: lookups for authentication and privileges,
// and the changes ROLE statements make. Who may make a change is decided by the caller (engine/execute/roles.ts);
// here a change is only checked against the catalog as it is (42710, 42704) and made durable.

import { SqlError, SQLSTATE } from '../errors';
import type { RelationStore } from '../catalog';
import { NEW_ROLE, roleFromRecord, type RoleDef, type RoleOptions } from '../roles/role';
import { verifierFor } from '../roles/scram-verifier';

export class RoleCatalog {
  constructor(private readonly store: RelationStore, private readonly changed: () => void) {}

  get(name: string): RoleDef | undefined {
    const record = this.store.getRole(name);
    return record === undefined ? undefined : roleFromRecord(record);
  }

  list(): RoleDef[] {
    return this.store.listRoles().map(roleFromRecord);
  }

  /** Whether some role has a password: from then on every login must present one (docs/security.md). */
  anyPassword(): boolean {
    return this.list().some((r) => r.password !== null);
  }

  mustGet(name: string): RoleDef {
    const role = this.get(name);
    if (role === undefined) throw new SqlError(SQLSTATE.undefined_object, `role "${name}" does not exist`);
    return role;
  }

  async create(name: string, options: RoleOptions): Promise<void> {
    checkReserved(name);
    if (this.get(name) !== undefined) throw alreadyExists(name);
    await this.put(withOptions({ name, ...NEW_ROLE }, options));
  }

  async alter(name: string, options: RoleOptions): Promise<void> {
    await this.put(withOptions(this.mustGet(name), options));
  }

  /** `value` null removes the setting; `name` null with value null removes them all (RESET ALL). */
  async configure(role: string, setting: string | null, value: string | null): Promise<void> {
    const old = this.mustGet(role);
    const settings = { ...old.settings };
    if (setting === null) for (const key of Object.keys(settings)) delete settings[key];
    else if (value === null) delete settings[setting];
    else settings[setting] = value;
    await this.put({ ...old, settings });
  }

  /** GRANT / REVOKE CREATE ON SCHEMA public. */
  async setSchemaCreate(names: readonly string[], value: boolean): Promise<void> {
    const roles = names.map((name) => ({ ...this.mustGet(name), schemaCreate: value }));
    await this.store.changeRoles({ put: roles });
    this.changed();
  }

  /** Throws what rename would: the role must exist, the new name be free and not reserved. */
  checkRename(name: string, to: string): void {
    this.mustGet(name);
    if (this.get(to) !== undefined) throw alreadyExists(to);
    checkReserved(to);
  }

  async rename(name: string, to: string): Promise<void> {
    this.checkRename(name, to);
    const old = this.mustGet(name);
    await this.store.changeRoles({ delete: [name], put: [{ ...old, name: to }] });
    this.changed();
  }

  /** Drops every named role in one write, or none when one does not exist. */
  async drop(names: readonly string[]): Promise<void> {
    for (const name of names) this.mustGet(name);
    await this.store.changeRoles({ delete: names });
    this.changed();
  }

  private async put(role: RoleDef): Promise<void> {
    await this.store.changeRoles({ put: [role] });
    this.changed();
  }
}

/** Names PostgreSQL keeps for itself: PUBLIC and NONE in role lists, pg_ for its predefined roles. */
function checkReserved(name: string): void {
  if (name === 'public' || name === 'none' || name.startsWith('pg_')) {
    throw new SqlError(SQLSTATE.reserved_name, `role name "${name}" is reserved`);
  }
}

function alreadyExists(name: string): SqlError {
  return new SqlError(SQLSTATE.duplicate_object, `role "${name}" already exists`);
}

function withOptions(role: RoleDef, o: RoleOptions): RoleDef {
  return {
    ...role,
    superuser: o.superuser ?? role.superuser,
    createRole: o.createRole ?? role.createRole,
    createDb: o.createDb ?? role.createDb,
    login: o.login ?? role.login,
    password: o.password === undefined ? role.password : o.password === null ? null : verifierFor(o.password),
  };
}
