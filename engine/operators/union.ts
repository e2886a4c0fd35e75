// UNION ALL: every input's changes, as they come. Its watermark is its inputs' minimum, which the runner gives it.

import type { ChangeBatch } from '../batch';
import { batchFromData, columnData } from '../columns/rows';
import type { UnionNode } from '../plan';
import { StatelessOperator, type OperatorOutput } from './operator';

export class UnionOperator extends StatelessOperator {
  constructor(private readonly node: UnionNode, out: OperatorOutput) {
    super(out);
  }

  push(_input: number, batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    // Re-label the columns with the union's schema (names may differ between branches).
    const cols = this.node.schema.map((_, c) => columnData(batch.data, c));
    this.out.emit({ data: batchFromData(this.node.schema, cols, batch.data.numRows), diffs: batch.diffs });
  }
}
