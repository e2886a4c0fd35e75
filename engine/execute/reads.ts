// Statements that return rows: a pull query (SELECT), SHOW STREAMS / TABLES / ..., EXPLAIN. Their result columns
// are known before they run, for the protocol's Describe.

import { T, type Schema } from '../types';
import { statementContext, type Execution, type ExecutionResult, type Of } from './execution';

export const SHOW_SCHEMA: Schema = [
  { name: 'name', type: T.text, nullable: false },
  { name: 'definition', type: T.text, nullable: false },
];

export const EXPLAIN_SCHEMA: Schema = [{ name: 'QUERY PLAN', type: T.text, nullable: false }];

export async function select(s: Of<'select'>, x: Execution): Promise<ExecutionResult> {
  const rows = await x.runtime.pull(s.plan, statementContext(x), x.signal);
  return { kind: 'rows', schema: s.plan.schema, rows, tag: (n) => `SELECT ${n}` };
}

export async function showObjects(s: Of<'show_objects'>, x: Execution): Promise<ExecutionResult> {
  const rows = x.runtime.defs().filter((d) => d.kind === s.objectKind).map((d) => [d.name, d.definition]);
  return { kind: 'rows', schema: SHOW_SCHEMA, rows, tag: (n) => `SHOW ${n}` };
}

export async function explain(s: Of<'explain'>): Promise<ExecutionResult> {
  return { kind: 'rows', schema: EXPLAIN_SCHEMA, rows: s.lines.map((l) => [l]), tag: () => 'EXPLAIN' };
}
