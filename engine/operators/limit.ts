// LIMIT / OFFSET, for pull queries: the rows of its (already ordered) input from offset, at most limit of them. A
// continuous query plans ORDER BY ... LIMIT as a top-n instead (top-n.ts), which stays current.

import { SqlError, SQLSTATE } from '../errors';
import type { ChangeBatch } from '../batch';
import type { RecordBatch } from 'apache-arrow';
import { concatBatches } from '../columns/rows';
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
    const batches = this.buffered;
    this.buffered = [];
    // Without deletes, the rows are the batches' rows in order: only the part picked is copied (concatenating a
    // million rows to keep three was one long step). Deletes must cancel inserted copies first, over all the rows.
    const rows = batches.every((b) => b.diffs === null) ? batches.map((b) => b.data) : [consolidateBatches(schema, batches)];
    const total = rows.reduce((n, b) => n + b.numRows, 0);
    const end = this.node.limit === null ? total : Math.min(total, this.node.offset + this.node.limit);
    const parts: RecordBatch[] = [];
    let at = 0;
    for (const b of rows) {
      const from = Math.max(this.node.offset, at);
      const to = Math.min(end, at + b.numRows);
      if (from < to) parts.push(b.slice(from - at, to - at));
      at += b.numRows;
    }
    if (parts.length > 0) this.out.emit({ data: concatBatches(schema, parts), diffs: null });
    this.ctx.memory?.release(this.bufferedBytes, 'LIMIT buffer');
  }
}
