// LIMIT / OFFSET, for pull queries: the rows of its (already ordered) input from offset, at most limit of them. A
// continuous query plans ORDER BY ... LIMIT as a top-n instead (top-n.ts), which stays current.

import { SqlError, SQLSTATE } from '../errors';
import type { ChangeBatch } from '../batch';
import { takeBatch } from '../columns/rows';
import type { LimitNode } from '../plan';
import { batchBytes } from '../memory/sizes';
import { consolidateBatches } from './changes';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export class LimitOperator extends StatelessOperator {
  private buffered: ChangeBatch[] = [];

  private bufferedBytes = 0;

  constructor(private readonly node: LimitNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    if (ctx.mode === 'incremental') {
      throw new SqlError(SQLSTATE.feature_not_supported, 'a LIMIT node cannot run in a continuous query',
        { hint: 'A continuous query plans ORDER BY ... LIMIT as a top-n.' });
    }
  }

  push(_input: number, batch: ChangeBatch): void {
    if (batch.data.numRows === 0) return;
    const bytes = batchBytes(batch.data);
    this.ctx.memory?.hold(bytes, 'LIMIT buffer');
    this.bufferedBytes += bytes;
    this.buffered.push(batch);
  }

  override endOfInput(): void {
    const schema = this.node.input.schema;
    const rows = consolidateBatches(schema, this.buffered);
    this.buffered = [];
    const end = this.node.limit === null ? rows.numRows : Math.min(rows.numRows, this.node.offset + this.node.limit);
    const picked = Array.from({ length: Math.max(0, end - this.node.offset) }, (_, i) => this.node.offset + i);
    if (picked.length > 0) this.out.emit({ data: takeBatch(schema, rows, Int32Array.from(picked)), diffs: null });
    this.ctx.memory?.release(this.bufferedBytes, 'LIMIT buffer');
  }
}
