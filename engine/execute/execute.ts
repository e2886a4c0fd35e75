// The engine's entry point for statements: executes one planned statement (engine/statement.ts) against the runtime.
// Every kind of Statement has its handler here, so a kind added to the planner without one is a compile error.

import { Pacer } from '../slices';
import type { Statement } from '../statement';
import type { Schema } from '../types';
import { copyTo } from './copy-to';
import { alterRole, createRole, dropRole } from './roles';
import { grant } from './grants';
import { checkPrivileges } from '../privileges/check';
import { alterQuery, create, drop } from './ddl';
import type { Execution, ExecutionResult, Of } from './execution';
import { EXPLAIN_SCHEMA, explain, select, SHOW_SCHEMA, showObjects } from './reads';
import { explainAnalyze, explainAnalyzeSchema } from './explain-analyze';
import { deleteRows, update } from './table-changes';
import { subscribe } from './subscribe';
import { copyFrom, insert } from './writes';

type Handler<K extends Statement['kind']> = (s: Of<K>, x: Execution) => Promise<ExecutionResult>;

const HANDLERS: { [K in Statement['kind']]: Handler<K> } = {
  select,
  create_stream: (s, x) => create(s.def, s.ifNotExists, x),
  create_table: (s, x) => create(s.def, s.ifNotExists, x),
  create_query: (s, x) => create(s.def, s.ifNotExists, x, s.plan),
  create_sink: (s, x) => create(s.def, s.ifNotExists, x),
  drop,
  alter_query: alterQuery,
  create_role: createRole,
  alter_role: alterRole,
  drop_role: dropRole,
  grant,
  insert,
  copy_from: copyFrom,
  copy_to: copyTo,
  update,
  delete: deleteRows,
  show_objects: showObjects,
  explain,
  explain_analyze: explainAnalyze,
  subscribe,
};

export async function executeStatement(statement: Statement, x: Execution): Promise<ExecutionResult> {
  const handler = HANDLERS[statement.kind] as Handler<Statement['kind']>;
  // Reading, lexing and planning a big statement (a 50 MB literal) is work too: once it has taken the turn's budget,
  // other sessions run before this one goes on.
  await new Pacer(x.signal).between();
  checkPrivileges(statement, x.actor, (name) => x.runtime.def(name));
  return handler(statement, x);
}

/** The columns a statement returns, known before it runs; null when it returns none. */
export function resultSchema(s: Statement): Schema | null {
  switch (s.kind) {
    case 'select': return s.plan.schema;
    case 'explain': return EXPLAIN_SCHEMA;
    case 'explain_analyze': return explainAnalyzeSchema(s);
    case 'show_objects': return SHOW_SCHEMA;
    // COPY describes as NoData, as in PostgreSQL: its columns come in CopyOutResponse.
    case 'subscribe': return s.output === 'rows' ? s.schema : null;
    case 'insert': case 'update': case 'delete': return s.returning?.schema ?? null;
    default: return null;
  }
}
