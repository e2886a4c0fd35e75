// Privileges on relations, as PostgreSQL keeps them: the owner has every privilege, other roles (and PUBLIC) what
// was granted to them. A relation's grants live in its definition (engine/catalog.ts `acl`), so they are as durable
// as the relation and go with it when it is dropped. Letters are aclitem's: r SELECT, a INSERT, w UPDATE, d DELETE.

import type { RelationDef } from '../catalog';
import type { Actor } from '../roles/role';

export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** In aclitem's order (arwd), which is also the order \dp shows them in. */
export const PRIVILEGES: readonly Privilege[] = ['INSERT', 'SELECT', 'UPDATE', 'DELETE'];

const LETTER: Record<Privilege, string> = { INSERT: 'a', SELECT: 'r', UPDATE: 'w', DELETE: 'd' };

/** The grantee that stands for every role; no role can be named public (engine/runtime/roles.ts). */
export const PUBLIC_GRANTEE = 'public';

/** Grantee → the letters of its privileges, in aclitem order. */
export type Acl = Readonly<Record<string, string>>;

/** The role that owns an object made by a session without a role (trust mode): the mirror's superuser. */
export const BOOTSTRAP_OWNER = 'sluice';

export function ownerOf(def: RelationDef): string {
  return def.owner ?? BOOTSTRAP_OWNER;
}

/** An object made under trust has no owner role: a role that happens to be named sluice does not own it. */
export function isOwner(def: RelationDef, actor: Actor): boolean {
  return actor.superuser || def.owner === actor.name;
}

export function hasPrivilege(def: RelationDef, actor: Actor, privilege: Privilege): boolean {
  if (isOwner(def, actor)) return true;
  const acl = def.acl ?? {};
  const letter = LETTER[privilege];
  return (acl[actor.name] ?? '').includes(letter) || (acl[PUBLIC_GRANTEE] ?? '').includes(letter);
}

/** The acl after granting (or revoking) `privileges` to (from) `grantees`; grantees left with none are removed. */
export function changedAcl(acl: Acl, grantees: readonly string[], privileges: readonly Privilege[], grant: boolean): Acl {
  const out: Record<string, string> = { ...acl };
  for (const grantee of grantees) {
    const held = new Set(out[grantee] ?? '');
    for (const p of privileges) {
      if (grant) held.add(LETTER[p]);
      else held.delete(LETTER[p]);
    }
    const letters = PRIVILEGES.map((p) => LETTER[p]).filter((l) => held.has(l)).join('');
    if (letters === '') delete out[grantee];
    else out[grantee] = letters;
  }
  return out;
}

/**
 * The relation's privileges as PostgreSQL's aclitem[] text items (`alice=r/bob`, `=r/bob` for PUBLIC), the owner's
 * own item first, as PostgreSQL writes it once anything was granted; null while nothing ever was (relacl NULL:
 * psql shows an empty cell, meaning the owner's default privileges).
 */
export function aclItems(def: RelationDef): string[] | null {
  if (def.acl === undefined) return null;
  const owner = ownerOf(def);
  const all = PRIVILEGES.map((p) => LETTER[p]).join('');
  const items = [`${aclName(owner)}=${all}/${aclName(owner)}`];
  for (const [grantee, letters] of Object.entries(def.acl)) {
    if (grantee === owner) continue;
    items.push(`${grantee === PUBLIC_GRANTEE ? '' : aclName(grantee)}=${letters}/${aclName(owner)}`);
  }
  return items;
}

/** A role name as aclitem writes it: double-quoted unless letters, digits and underscores only. */
function aclName(role: string): string {
  return /^[A-Za-z0-9_]+$/.test(role) ? role : `"${role.replace(/"/g, '""')}"`;
}

/** The roles a relation's privileges name (its owner and its grantees other than PUBLIC). */
export function rolesNamed(def: RelationDef): string[] {
  return [ownerOf(def), ...Object.keys(def.acl ?? {}).filter((g) => g !== PUBLIC_GRANTEE)];
}

/** The definition with role `from` called `to` as its owner and grantee; the same object when it names neither. */
export function renamedInAcl(def: RelationDef, from: string, to: string): RelationDef {
  const acl = def.acl;
  if (def.owner !== from && acl?.[from] === undefined) return def;
  const renamedAcl = acl === undefined ? undefined
    : Object.fromEntries(Object.entries(acl).map(([grantee, letters]) => [grantee === from ? to : grantee, letters]));
  return { ...def, owner: def.owner === from ? to : def.owner, ...(renamedAcl === undefined ? {} : { acl: renamedAcl }) };
}
