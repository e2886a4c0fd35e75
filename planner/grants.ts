// GRANT / REVOKE: the relations named must exist (and be of the kind named, when one is); whether the session may
// grant on them, and whether the grantees exist, is the engine's check when it runs (engine/execute/grants.ts).

import { SqlError, SQLSTATE } from '../engine/errors';
import type { Statement } from '../engine/statement';
import type { GrantAst } from './parse/ast';
import type { PlannerCatalog } from './context';

const KIND_WORD = { stream: 'stream', table: 'table', query: 'continuous query' } as const;

export function planGrant(s: GrantAst, catalog: PlannerCatalog): Statement {
  const grantees = s.grantees.map((g) => g.name);
  if (s.on.kind === 'schema') return { kind: 'grant', grant: s.grant, on: { kind: 'schema' }, grantees };
  const { objectKind, privileges } = s.on;
  for (const n of s.on.names) {
    const def = catalog.relation(n.name);
    if (def === undefined || def.kind === 'sink') {
      throw new SqlError(SQLSTATE.undefined_table, `relation "${n.name}" does not exist`, { position: n.pos + 1 });
    }
    if (objectKind !== null && def.kind !== objectKind) {
      throw new SqlError(SQLSTATE.wrong_object_type, `"${n.name}" is not a ${KIND_WORD[objectKind]}`, { position: n.pos + 1 });
    }
  }
  const names = s.on.names.map((n) => n.name);
  return { kind: 'grant', grant: s.grant, on: { kind: 'relations', privileges, names }, grantees };
}
