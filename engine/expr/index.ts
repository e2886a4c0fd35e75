// Expressions: compile once per plan, evaluate per batch.

export { compileExpr, evalToArrow, selectedRows, type CompiledExpr } from './compile';
export { BatchColumns, VecColumns, SubsetView, DEFAULT_EVAL_CONTEXT, type BatchView, type EvalContext } from './context';
export { compileCast } from './cast';
export { compareAt, compareNumbers, compareStrings } from './kernels/compare';
