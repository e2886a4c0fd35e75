// The optimizer: rewrite rules applied in order to the bound logical plan. Each rule keeps the plan's meaning and
// its root's columns.

import type { LogicalNode } from './nodes';
import { pushDownPredicates } from './rules/pushdown';
import { pruneColumns } from './rules/prune';
import { joinToWindowMax } from './rules/window-max';

export type Rule = (plan: LogicalNode) => LogicalNode;

export const RULES: readonly { readonly name: string; readonly apply: Rule }[] = [
  { name: 'predicate_pushdown', apply: pushDownPredicates },
  // Before pruning, while both sides of the join still read every column of their stream and compare as equals.
  { name: 'join_to_window_max', apply: joinToWindowMax },
  { name: 'projection_pruning', apply: pruneColumns },
];

export function optimize(plan: LogicalNode, rules: readonly { readonly apply: Rule }[] = RULES): LogicalNode {
  return rules.reduce((p, r) => r.apply(p), plan);
}
