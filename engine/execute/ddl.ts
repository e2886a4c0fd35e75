// CREATE, DROP and ALTER CONTINUOUS QUERY. None can run inside a transaction block (transaction.ts says why).

import { describeRelation, type RelationDef } from '../catalog';
import { SqlError, SQLSTATE } from '../errors';
import type { PlanNode } from '../plan';
import { command, type Execution, type ExecutionResult, type Of } from './execution';
import { refuseInBlock } from './transaction';

const CREATE_TAG: Record<RelationDef['kind'], string> = {
  stream: 'CREATE STREAM', table: 'CREATE TABLE', query: 'CREATE CONTINUOUS QUERY', sink: 'CREATE SINK',
};

const DROP_TAG: Record<RelationDef['kind'], string> = {
  stream: 'DROP STREAM', table: 'DROP TABLE', query: 'DROP CONTINUOUS QUERY', sink: 'DROP SINK',
};

const KIND_WORD: Record<RelationDef['kind'], string> = {
  stream: 'stream', table: 'table', query: 'continuous query', sink: 'sink',
};

/** CREATE STREAM / TABLE / CONTINUOUS QUERY (or MATERIALIZED VIEW) / SINK; `plan` is a continuous query's. */
export async function create(def: RelationDef, ifNotExists: boolean, x: Execution, plan?: PlanNode): Promise<ExecutionResult> {
  const tag = def.kind === 'query' && def.materializedView ? 'CREATE MATERIALIZED VIEW' : CREATE_TAG[def.kind];
  refuseInBlock(x.transaction, tag);
  // A session without a role (trust mode) leaves the owner unset: the bootstrap superuser's (privileges/acl.ts).
  const owned = x.runtime.roles.get(x.actor.name) === undefined ? def : { ...def, owner: x.actor.name };
  const created = await x.runtime.create(owned, { plan, ifNotExists });
  if (!created) x.notice(`relation "${def.name}" already exists, skipping`);
  return command(tag);
}

export async function drop(s: Of<'drop'>, x: Execution): Promise<ExecutionResult> {
  const tag = DROP_TAG[s.objectKind];
  refuseInBlock(x.transaction, tag);
  const def = x.runtime.def(s.name);
  if (!def) {
    if (s.ifExists) {
      x.notice(`${KIND_WORD[s.objectKind]} "${s.name}" does not exist, skipping`);
      return command(tag);
    }
    throw new SqlError(SQLSTATE.undefined_table, `${KIND_WORD[s.objectKind]} "${s.name}" does not exist`);
  }
  if (def.kind !== s.objectKind) {
    throw new SqlError(SQLSTATE.wrong_object_type, `"${s.name}" is not a ${KIND_WORD[s.objectKind]}`, {
      hint: `It is a ${describeRelation(def)}.`,
    });
  }
  const dropped = await x.runtime.drop(s.name, s.cascade);
  for (const name of dropped.filter((n) => n !== s.name)) x.notice(`drop cascades to ${name}`);
  return command(tag);
}

export async function alterQuery(s: Of<'alter_query'>, x: Execution): Promise<ExecutionResult> {
  refuseInBlock(x.transaction, 'ALTER CONTINUOUS QUERY');
  await x.runtime.setPaused(s.name, s.action === 'pause');
  return command('ALTER CONTINUOUS QUERY');
}
