// The one place where privileges are checked: before any statement runs, from the relations its plan resolved
// (every Source node a plan reads, the target it writes). Checking at execution rather than when planning means a
// cached or prepared plan still meets the grants as they are now: a REVOKE takes effect at the next statement.

import { describeRelation, type RelationDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import { planNodeOrder, type PlanNode } from '../plan';
import type { Actor } from '../roles/role';
import type { Statement } from '../statement';
import { hasPrivilege, isOwner, type Privilege } from './acl';

/** What a statement needs of the relations it names; null for statements that need no privilege here. */
interface Access {
  readonly uses: readonly { readonly relation: string; readonly privilege: Privilege }[];
  /** Relations it changes the definition of (DROP, ALTER, GRANT): only their owner may. */
  readonly owns: readonly string[];
  /**
   * Relations it grants on: only their owner may too (there is no GRANT OPTION), but PostgreSQL words the refusal
   * as a missing privilege.
   */
  readonly grantsOn: readonly string[];
  /** Whether it creates an object in schema public. */
  readonly creates: boolean;
}

const NONE: Access = { uses: [], owns: [], grantsOn: [], creates: false };

/** Throws 42501 with PostgreSQL's wording when `actor` may not run `statement`. */
export function checkPrivileges(statement: Statement, actor: Actor, lookup: (name: string) => RelationDef | undefined): void {
  if (actor.superuser) return;
  const access = accessOf(statement);
  if (access.creates && !actor.mayCreate) {
    throw new SqlError(SQLSTATE.insufficient_privilege, 'permission denied for schema public');
  }
  for (const name of access.owns) {
    const def = lookup(name);
    // A missing relation is the handler's to report (IF EXISTS notices, 42P01).
    if (def !== undefined && !isOwner(def, actor)) {
      throw new SqlError(SQLSTATE.insufficient_privilege, `must be owner of ${describeRelation(def)}`);
    }
  }
  for (const name of access.grantsOn) {
    const def = lookup(name);
    if (def !== undefined && !isOwner(def, actor)) throw denied(def);
  }
  for (const { relation, privilege } of access.uses) {
    const def = lookup(relation);
    if (def !== undefined && !hasPrivilege(def, actor, privilege)) throw denied(def);
  }
}

export function denied(def: RelationDef): SqlError {
  return new SqlError(SQLSTATE.insufficient_privilege, `permission denied for ${describeRelation(def)}`);
}

function accessOf(s: Statement): Access {
  switch (s.kind) {
    case 'select': case 'copy_to': return { ...NONE, uses: reads(s.plan) };
    case 'subscribe': return { ...NONE, uses: [{ relation: s.relation, privilege: 'SELECT' }] };
    case 'explain_analyze': return { ...NONE, uses: [{ relation: s.query, privilege: 'SELECT' }] };
    case 'explain':
      return { ...NONE, uses: typeof s.explained === 'string' ? [{ relation: s.explained, privilege: 'SELECT' }] : reads(s.explained) };
    case 'insert': return { ...NONE, uses: [{ relation: s.target, privilege: 'INSERT' }, ...reads(s.source)] };
    case 'copy_from': return { ...NONE, uses: [{ relation: s.target, privilege: 'INSERT' }] };
    // As in PostgreSQL, reading the rows (a WHERE, RETURNING) needs SELECT besides the write itself.
    case 'update': return { ...NONE, uses: writeAndRead(s.table, 'UPDATE', s.predicate !== null || s.returning !== null) };
    case 'delete': return { ...NONE, uses: writeAndRead(s.table, 'DELETE', s.predicate !== null || s.returning !== null) };
    case 'create_stream': case 'create_table': return { ...NONE, creates: true };
    // A continuous query's result is its own relation, like a view: creating it needs SELECT on what it reads,
    // reading it later needs SELECT on it only.
    case 'create_query': return { ...NONE, creates: true, uses: reads(s.plan) };
    case 'create_sink': return { ...NONE, creates: true, uses: [{ relation: s.def.from, privilege: 'SELECT' }] };
    case 'drop': case 'alter_query': return { ...NONE, owns: [s.name] };
    case 'grant': return { ...NONE, grantsOn: s.on.kind === 'relations' ? s.on.names : [] };
    case 'create_role': case 'alter_role': case 'drop_role': case 'show_objects':
      return NONE;
  }
}

function writeAndRead(relation: string, privilege: Privilege, reading: boolean): Access['uses'] {
  return reading ? [{ relation, privilege }, { relation, privilege: 'SELECT' }] : [{ relation, privilege }];
}

/** SELECT on every user relation a plan reads; sluice.* system views are readable by all, like pg_catalog. */
function reads(plan: PlanNode): Access['uses'] {
  const uses: { relation: string; privilege: Privilege }[] = [];
  for (const node of planNodeOrder(plan)) {
    if (node.kind === 'source' && node.relation.kind !== 'system') uses.push({ relation: node.relation.name, privilege: 'SELECT' });
  }
  return uses;
}
