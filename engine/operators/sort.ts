// ORDER BY, for pull queries: gathers every row, then emits them sorted at the end of input. In a continuous query
// the result is a set, so order means nothing there and rows pass through (the planner drops ORDER BY there, or
// makes a top-n of ORDER BY ... LIMIT).

import type { ChangeBatch } from '../batch';
import { takeBatch } from '../columns/rows';
import type { Vec } from '../columns/vec';
import { BatchColumns } from '../expr/context';
import { compileExpr, type CompiledExpr } from '../expr/compile';
import { compareAt } from '../expr/kernels/compare';
import type { SortNode } from '../plan';
import { batchBytes } from '../memory/sizes';
import { consolidateBatches } from './changes';
import { StatelessOperator, type OperatorContext, type OperatorOutput } from './operator';

export class SortOperator extends StatelessOperator {
  private readonly keys: { expr: CompiledExpr; descending: boolean; nullsFirst: boolean }[];
  private buffered: ChangeBatch[] = [];
  private bufferedBytes = 0;

  constructor(private readonly node: SortNode, private readonly ctx: OperatorContext, out: OperatorOutput) {
    super(out);
    this.keys = node.keys.map((k) => ({ expr: compileExpr(k.expr), descending: k.descending, nullsFirst: k.nullsFirst }));
  }

  push(_input: number, batch: ChangeBatch): void {
    if (this.ctx.mode === 'incremental') this.out.emit(batch);
    else if (batch.data.numRows > 0) this.buffer(batch);
  }

  private buffer(batch: ChangeBatch): void {
    const bytes = batchBytes(batch.data);
    this.ctx.memory?.hold(bytes, 'sort buffer');
    this.bufferedBytes += bytes;
    this.buffered.push(batch);
  }

  override endOfInput(): void {
    if (this.ctx.mode === 'incremental' || this.buffered.length === 0) return;
    const schema = this.node.input.schema;
    const rows = consolidateBatches(schema, this.buffered);
    this.buffered = [];
    const view = new BatchColumns(rows, schema);
    const keyVecs: Vec[] = this.keys.map((k) => k.expr.eval(view, this.ctx.eval));
    const order = Array.from({ length: rows.numRows }, (_, i) => i);
    order.sort((i, j) => {
      for (let k = 0; k < keyVecs.length; k++) {
        const v = keyVecs[k];
        const { descending, nullsFirst } = this.keys[k];
        const ni = v.nulls !== null && v.nulls[i] === 1;
        const nj = v.nulls !== null && v.nulls[j] === 1;
        if (ni || nj) {
          if (ni && nj) continue;
          return (ni ? -1 : 1) * (nullsFirst ? 1 : -1);
        }
        const c = compareAt(v, i, v, j);
        if (c !== 0) return descending ? -c : c;
      }
      return i - j;
    });
    this.out.emit({ data: takeBatch(schema, rows, Int32Array.from(order)), diffs: null });
    this.ctx.memory?.release(this.bufferedBytes, 'sort buffer');
  }
}
