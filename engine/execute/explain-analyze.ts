// EXPLAIN ANALYZE CONTINUOUS QUERY: the plan EXPLAIN prints, each node with the figures its DAG counted in the
// running query (engine/dag-figures.ts), as text lines or as one JSON document (nodes and edges, for the console).

import type { DagFigures, NodeFigures } from '../dag-figures';
import type { ExplainedNode } from '../statement';
import { T, type Schema } from '../types';
import type { Execution, ExecutionResult, Of } from './execution';

export const EXPLAIN_ANALYZE_JSON_SCHEMA: Schema = [{ name: 'QUERY PLAN', type: T.jsonb, nullable: false }];
const EXPLAIN_TEXT_SCHEMA: Schema = [{ name: 'QUERY PLAN', type: T.text, nullable: false }];

export function explainAnalyzeSchema(s: Of<'explain_analyze'>): Schema {
  return s.format === 'json' ? EXPLAIN_ANALYZE_JSON_SCHEMA : EXPLAIN_TEXT_SCHEMA;
}

export async function explainAnalyze(s: Of<'explain_analyze'>, x: Execution): Promise<ExecutionResult> {
  const runner = x.runtime.queryRunner(s.query);
  const figures = runner.operatorFigures();
  const { status, epoch } = runner.stats;
  const rows = s.format === 'json'
    ? [[JSON.stringify({ query: s.query, status, epoch, ...planJson(s.nodes, figures) })]]
    : [
      ...s.lines.map((l) => [l.node === null ? l.text : `${l.text}  (${figureText(s.nodes[l.node], figures.nodes[l.node])})`]),
      [`Query ${s.query}: ${status}, epoch ${epoch}; operator figures since the server started (epochs: ${figures.epochs})`],
    ];
  return { kind: 'rows', schema: explainAnalyzeSchema(s), rows, tag: () => 'EXPLAIN' };
}

function figureText(node: ExplainedNode, f: Readonly<NodeFigures>): string {
  // A source does no work of its own: its rows are what the epochs read.
  if (node.kind === 'source') return `rows out=${f.rowsOut}`;
  return `rows in=${f.rowsIn} out=${f.rowsOut}, time last epoch=${ms(f.lastEpochMs)} total=${ms(f.totalMs)}, ` +
    `state=${f.stateBytes} bytes`;
}

const ms = (x: number): string => `${x.toFixed(3)} ms`;

/** The DAG as the console draws it: nodes with their figures, edges from an input to its consumer. */
function planJson(nodes: readonly ExplainedNode[], figures: DagFigures): object {
  return {
    epochs_measured: figures.epochs,
    nodes: nodes.map((n) => {
      const f = figures.nodes[n.id];
      return {
        id: n.id,
        kind: n.kind,
        description: n.description,
        rows_in: f.rowsIn,
        rows_out: f.rowsOut,
        time_last_epoch_ms: f.lastEpochMs,
        time_total_ms: f.totalMs,
        state_bytes: f.stateBytes,
      };
    }),
    edges: nodes.flatMap((n) => n.inputs.map((from, input) => ({ from, to: n.id, input }))),
  };
}
