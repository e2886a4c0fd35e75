// The planner's public surface: what server/ and engine/ import.

export { parseStatement, planStatement, planQuery, planContinuousSelect, type PlannedSelect, type SelectOptions } from './plan';
export type { Ast } from './parse/ast';
export type { PlanContext, PlannerCatalog } from './context';
export { SLUICE_VERSION } from './context';
export type { Statement, StatementKind, ObjectKind } from '../engine/statement';
export { explainPlan, formatExpr } from './explain';
export { splitStatements, type StatementText } from './split';
export { FUNCTIONS, TEMPORAL_OPERATORS, type Signature } from './bind/functions';
