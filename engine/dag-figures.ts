// What EXPLAIN ANALYZE CONTINUOUS QUERY shows of each node of a running DAG: rows in and out, time and state size,
// counted by the DAG (engine/dag.ts) around each operator call. Cheap by design: a few additions per batch and two
// clock reads per operator call, never anything per row.

/** One node's figures. A source's rows in and out are the rows pushed into it. */
export interface NodeFigures {
  rowsIn: number;
  rowsOut: number;
  /** Milliseconds in the node's own calls (not its consumers') in the epochs that ended, and in the last one. */
  totalMs: number;
  lastEpochMs: number;
  /** Milliseconds so far in the epoch under way. */
  epochMs: number;
  /** The operator's state size when the DAG last measured it (after each committed epoch). */
  stateBytes: number;
}

/** The figures of a whole DAG: `nodes[id]` is the node with that id in planNodeOrder (engine/plan.ts). */
export interface DagFigures {
  /** Epochs ended since the DAG was built (this process), the count the times are over. */
  readonly epochs: number;
  readonly nodes: readonly Readonly<NodeFigures>[];
}

export function newNodeFigures(): NodeFigures {
  return { rowsIn: 0, rowsOut: 0, totalMs: 0, lastEpochMs: 0, epochMs: 0, stateBytes: 0 };
}

/** The epoch under way ended: its time moves into the totals. */
export function endEpochFigures(nodes: readonly NodeFigures[]): void {
  for (const f of nodes) {
    f.lastEpochMs = f.epochMs;
    f.totalMs += f.epochMs;
    f.epochMs = 0;
  }
}

/**
 * Charges time to the operator running now. An operator calls its consumers synchronously (its emit pushes into
 * them), so a stopwatch around each call would count the consumers' time in the producer's too: the clock charges
 * the time since the last switch to whoever was running, and switches on entering and on leaving each call.
 */
export class OperatorClock {
  private running: NodeFigures | null = null;
  private since = 0;

  run<T>(figures: NodeFigures, call: () => T): T {
    const outer = this.running;
    const entered = performance.now();
    if (outer !== null) outer.epochMs += entered - this.since;
    this.running = figures;
    this.since = entered;
    try {
      return call();
    } finally {
      const left = performance.now();
      figures.epochMs += left - this.since;
      this.running = outer;
      this.since = left;
    }
  }
}
