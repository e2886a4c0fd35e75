// The identity of a physical plan, stored with a continuous query's state so that a restart under a different plan
// is refused instead of reading state laid out by another DAG. It is a hash of the plan data alone: every field of
// every node in a canonical text (object keys sorted, numbers and bigints told apart), nodes numbered in post-order
// and referred to by number, so a node shared by two parents (one operator, two consumers) differs from two equal
// copies (two operators). How EXPLAIN or anything else renders a plan plays no part.

import { createHash } from 'node:crypto';
import { planInputs, type PlanNode } from './plan';

export function planFingerprint(plan: PlanNode): string {
  const ids = new Map<PlanNode, number>();
  const nodes: string[] = [];
  const visit = (node: PlanNode): void => {
    if (ids.has(node)) return;
    for (const input of planInputs(node)) visit(input);
    // Inputs are numbered first, so the node's text refers to them by number.
    nodes.push(canonical(node, ids));
    ids.set(node, nodes.length - 1);
  };
  visit(plan);
  return createHash('sha256').update(nodes.join('\n')).digest('hex').slice(0, 16);
}

/** One value of a plan as canonical text; a plan node already numbered is `@n`. */
function canonical(v: unknown, ids: ReadonlyMap<PlanNode, number>): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return `${v}n`;
    case 'boolean': return String(v);
    case 'object': {
      if (v === null) return 'null';
      const id = ids.get(v as PlanNode);
      if (id !== undefined) return `@${id}`;
      if (Array.isArray(v)) return `[${v.map((x) => canonical(x, ids)).join(',')}]`;
      const fields = Object.keys(v).sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], ids)}`);
      return `{${fields.join(',')}}`;
    }
    default: throw new Error(`engine: a plan holds a ${typeof v}, which is not plan data`);
  }
}
