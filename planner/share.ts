// Common subplans, computed once. Two equal subtrees of a physical plan (Nexmark q5 reads "HOP + count per auction
// and window" on both sides of its join) become one node object with two parents; the engine's DAG builds one
// operator per node object, so the shared part runs once and hands its output to both consumers. Equality is of the
// plan data (the fingerprint's canonical text), so two subtrees share only when every field agrees: same relation,
// columns, window, keys, aggregates, emit mode. Sharing changes the plan's fingerprint (engine/plan-fingerprint.ts
// tells one shared node from two copies), so a stored query planned before sharing is refused at restart with that
// reason rather than reading state laid out for twice the operators.

import { planInputs, type PlanNode } from '../engine/plan';
import { planFingerprint } from '../engine/plan-fingerprint';

export function shareCommonSubplans(plan: PlanNode): PlanNode {
  const byText = new Map<string, PlanNode>();
  const done = new Map<PlanNode, PlanNode>();
  const visit = (node: PlanNode): PlanNode => {
    const seen = done.get(node);
    if (seen !== undefined) return seen;
    const inputs = planInputs(node);
    // A leaf is no operator (the runtime pushes a relation's batches into each source it reads), so sharing one
    // saves nothing; its parents still share when they are equal.
    if (inputs.length === 0) return node;
    const shared = inputs.map(visit);
    const rebuilt = shared.every((s, i) => s === inputs[i]) ? node : withInputs(node, shared);
    // Inputs are shared first, so equal subtrees have become the same input objects and a node's canonical text
    // (which numbers its inputs) is equal exactly when the subtrees are.
    const text = planFingerprint(rebuilt);
    const canonical = byText.get(text) ?? rebuilt;
    byText.set(text, canonical);
    done.set(node, canonical);
    return canonical;
  };
  return visit(plan);
}

/** A copy of `node` reading `inputs` (in planInputs order) instead of its own. */
function withInputs(node: PlanNode, inputs: readonly PlanNode[]): PlanNode {
  switch (node.kind) {
    case 'source': case 'values': return node;
    case 'join': return { ...node, left: inputs[0], right: inputs[1] };
    case 'union': return { ...node, inputs };
    default: return { ...node, input: inputs[0] };
  }
}
